package io.entrawatch.sink.elasticsearch;

import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real, single-node Elasticsearch started from the integ-test distribution on Maven Central, for
 * the sink's integration tests. TEST-ONLY STAND-IN: once {@code io.entrawatch.testing.LocalElasticsearch}
 * (worktree wt-services) is merged, replace this class with it; the tests use only {@link #start},
 * {@link #startSecured}, {@link #url}, {@link #caFile} and {@link #close}.
 *
 * <p>The distribution is unpacked once into {@code /tmp/entrawatch-sink-es} by
 * {@code mvn dependency:unpack} (never into the repository). Elasticsearch refuses to run as root, so
 * under root the node runs as a system user {@value #OS_USER} through {@code su}. Each node gets its
 * own configuration, data and log folders in a temporary directory, free ports on 127.0.0.1, and is
 * stopped by its pid.
 */
final class TemporaryElasticsearch implements AutoCloseable {
    static final String VERSION = System.getProperty("entrawatch.es.version", "8.19.0");
    private static final String OS_USER = "entrawatch-es";
    private static final Path DIST_ROOT = Path.of(System.getProperty("entrawatch.es.dist-root", "/tmp/entrawatch-sink-es"));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path runDir;
    private final int httpPort;
    private final long pid;
    private final boolean https;
    private final Path caFile;

    private TemporaryElasticsearch(Path runDir, int httpPort, long pid, boolean https, Path caFile) {
        this.runDir = runDir;
        this.httpPort = httpPort;
        this.pid = pid;
        this.https = https;
        this.caFile = caFile;
    }

    /** A node over plain http with security disabled. */
    static TemporaryElasticsearch start() throws Exception {
        return start(false, null, null);
    }

    /** A node over https (certificate for 127.0.0.1 signed by a fresh CA) with one basic-auth superuser. */
    static TemporaryElasticsearch startSecured(String user, String password) throws Exception {
        return start(true, user, password);
    }

    String url() {
        return (https ? "https" : "http") + "://127.0.0.1:" + httpPort;
    }

    /** The CA certificate (PEM) of a secured node; null for plain http. */
    Path caFile() {
        return caFile;
    }

    private static TemporaryElasticsearch start(boolean secured, String user, String password) throws Exception {
        Path dist = distribution();
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) ensureOsUser();
        Path run = Files.createTempDirectory("entrawatch-es-");
        try {
            return start(dist, run, root, secured, user, password);
        } catch (Exception e) {
            deleteTree(run); // a node that started is stopped by start(...) itself before it throws
            throw e;
        }
    }

    private static TemporaryElasticsearch start(Path dist, Path run, boolean root, boolean secured, String user,
            String password) throws Exception {
        Path config = run.resolve("config");
        copyTree(dist.resolve("config"), config);
        // jvm.options writes the GC log to logs/ under the distribution, which the node's user cannot write.
        Path jvmOptions = config.resolve("jvm.options");
        Files.writeString(jvmOptions, Files.readString(jvmOptions).replace("file=logs/gc.log",
                "file=" + run.resolve("logs/gc.log")));
        Files.createDirectories(run.resolve("data"));
        Files.createDirectories(run.resolve("logs"));
        int httpPort = freePort();
        int transportPort = freePort();
        List<String> settings = new ArrayList<>(List.of(
                "discovery.type=single-node", "network.host=127.0.0.1", "http.port=" + httpPort,
                "transport.port=" + transportPort, "path.data=" + run.resolve("data"), "path.logs=" + run.resolve("logs"),
                "cluster.name=entrawatch-sink-it", "node.name=it",
                // A nearly full disk must not turn the test indices read-only.
                "cluster.routing.allocation.disk.threshold_enabled=false"));
        Path ca = null;
        if (secured) {
            ca = makeCertificates(config.resolve("certs"));
            settings.addAll(List.of("xpack.security.enabled=true", "xpack.security.http.ssl.enabled=true",
                    "xpack.security.http.ssl.key=certs/node.key", "xpack.security.http.ssl.certificate=certs/node.crt",
                    "xpack.security.http.ssl.certificate_authorities=certs/ca.crt"));
        } else {
            settings.add("xpack.security.enabled=false");
        }
        if (root) run(List.of("chown", "-R", OS_USER, run.toString()), Duration.ofSeconds(30));
        run.toFile().setExecutable(true, false);
        run.toFile().setReadable(true, false);

        String env = "ES_JAVA_HOME=" + quote(javaHome()) + " ES_PATH_CONF=" + quote(config.toString())
                + " ES_JAVA_OPTS='-Xms512m -Xmx512m' ";
        if (secured) {
            asUser(root, env + quote(dist.resolve("bin/elasticsearch-users").toString()) + " useradd " + quote(user)
                    + " -p " + quote(password) + " -r superuser", run.resolve("users.log"), Duration.ofSeconds(120));
        }
        StringBuilder cmd = new StringBuilder("cd " + quote(run.toString()) + " && " + env
                + quote(dist.resolve("bin/elasticsearch").toString()) + " -d -p " + quote(run.resolve("es.pid").toString()));
        for (String s : settings) cmd.append(" -E ").append(quote(s));
        asUser(root, cmd.toString(), run.resolve("stdout.log"), START_TIMEOUT);

        long pid = Long.parseLong(Files.readString(run.resolve("es.pid")).trim());
        TemporaryElasticsearch node = new TemporaryElasticsearch(run, httpPort, pid, secured, ca);
        try {
            node.awaitHealthy(user, password);
        } catch (Exception e) {
            node.stop();
            throw e;
        }
        return node;
    }

    /** Waits for {@code GET /_cluster/health} (this distribution answers 405 to {@code GET /}). */
    private void awaitHealthy(String user, String password) throws Exception {
        ConnectionSettings.Builder b = ConnectionSettings.builder().hosts(url());
        if (user != null) b.basicAuth(user, password);
        if (caFile != null) b.caCertificatesFile(caFile);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Exception last = null;
        try (RestClient client = b.build().createClient(Duration.ofSeconds(5))) {
            while (System.nanoTime() < deadline) {
                if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    throw new IllegalStateException("Elasticsearch exited during start-up; log:\n" + logTail());
                }
                try {
                    Request health = new Request("GET", "/_cluster/health");
                    health.addParameter("wait_for_status", "yellow");
                    health.addParameter("timeout", "2s");
                    Response r = client.performRequest(health);
                    if (r.getStatusLine().getStatusCode() == 200) return;
                } catch (ResponseException e) {
                    last = e; // 401 for a moment after a secured start, 503 until a master is elected
                } catch (IOException e) {
                    last = e; // not listening yet
                }
                TimeUnit.MILLISECONDS.sleep(250);
            }
        }
        throw new IllegalStateException("Elasticsearch not healthy after " + START_TIMEOUT + ": " + last + "\n" + logTail());
    }

    String logTail() {
        try {
            Path log = runDir.resolve("logs/entrawatch-sink-it.log");
            Path file = Files.exists(log) ? log : runDir.resolve("stdout.log");
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        stop();
        deleteTree(runDir);
    }

    private void stop() {
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        });
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    // ---- distribution, user, certificates

    private static Path distribution() throws Exception {
        Path dist = DIST_ROOT.resolve("elasticsearch-" + VERSION);
        if (Files.isExecutable(dist.resolve("bin/elasticsearch"))) return dist;
        Files.createDirectories(DIST_ROOT);
        run(List.of("mvn", "-q", "-B", "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:unpack",
                "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:" + VERSION + ":zip",
                "-DoutputDirectory=" + DIST_ROOT), Duration.ofMinutes(10));
        if (!Files.isExecutable(dist.resolve("bin/elasticsearch"))) {
            throw new IllegalStateException("unpacking Elasticsearch " + VERSION + " into " + DIST_ROOT + " gave no bin/elasticsearch");
        }
        return dist;
    }

    /** 8.x runs on the test JVM (17); 9.x needs Java 21+, e.g. -Dentrawatch.es.java-home=/usr/lib/jvm/temurin-25-jdk-amd64. */
    private static String javaHome() {
        String configured = System.getProperty("entrawatch.es.java-home");
        if (configured != null) return configured;
        if (VERSION.startsWith("8.")) return System.getProperty("java.home");
        Path temurin = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
        if (Files.isDirectory(temurin)) return temurin.toString();
        throw new IllegalStateException("Elasticsearch " + VERSION + " needs Java 21+: set -Dentrawatch.es.java-home");
    }

    private static void ensureOsUser() throws Exception {
        Process id = new ProcessBuilder("id", "-u", OS_USER).redirectErrorStream(true).start();
        id.getInputStream().readAllBytes();
        if (id.waitFor() == 0) return;
        run(List.of("useradd", "--system", "--no-create-home", "--shell", "/bin/bash", OS_USER), Duration.ofSeconds(30));
    }

    /** A CA and a node certificate for 127.0.0.1/localhost, made with openssl; returns the CA file. */
    private static Path makeCertificates(Path dir) throws Exception {
        Files.createDirectories(dir);
        String d = dir.toString();
        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=entrawatch-it-ca",
                "-keyout", d + "/ca.key", "-out", d + "/ca.crt"), Duration.ofSeconds(60));
        run(List.of("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                "-keyout", d + "/node.key", "-out", d + "/node.csr"), Duration.ofSeconds(60));
        Files.writeString(dir.resolve("node.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        run(List.of("openssl", "x509", "-req", "-in", d + "/node.csr", "-CA", d + "/ca.crt", "-CAkey", d + "/ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", d + "/node.ext", "-out", d + "/node.crt"), Duration.ofSeconds(60));
        return dir.resolve("ca.crt");
    }

    // ---- processes

    private static void asUser(boolean root, String command, Path output, Duration timeout) throws Exception {
        String redirected = command + " > " + quote(output.toString()) + " 2>&1 < /dev/null";
        List<String> argv = root ? List.of("su", OS_USER, "-s", "/bin/bash", "-c", redirected)
                : List.of("/bin/bash", "-c", redirected);
        try {
            run(argv, timeout);
        } catch (IllegalStateException e) {
            String log = Files.exists(output) ? Files.readString(output) : "";
            throw new IllegalStateException(e.getMessage() + "\n" + log, e);
        }
    }

    private static void run(List<String> argv, Duration timeout) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(argv.get(0) + " did not finish within " + timeout);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(argv.get(0) + " exited with " + p.exitValue() + ": "
                    + new String(out, StandardCharsets.UTF_8));
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Body of a GET, or null on 404. */
    static String get(RestClient client, String endpoint) throws IOException {
        try {
            return EntityUtils.toString(client.performRequest(new Request("GET", endpoint)).getEntity());
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) return null;
            throw e;
        }
    }
}
