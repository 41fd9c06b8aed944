package io.entrawatch.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real single-node Elasticsearch (9.2.0 or 8.19.0, started by {@code deploy/local/services
 * start-es} as a non-root user), plain HTTP or, when secure, HTTPS with its own CA and basic auth
 * for a file-realm user. Comes with a tiny HTTP helper (java.net.http) for tests.
 *
 * <p>Each instance has its own free ports and temporary run dir. Starting one takes 10-25 s, so
 * prefer {@link #shared(String)}: one node per version per JVM, stopped by a shutdown hook (and by
 * the script's watchdog if the JVM dies without running its hooks).
 */
public final class LocalElasticsearch extends LocalService {

    public static final String V9 = "9.2.0";
    /**
     * The oldest Elasticsearch entrawatch supports, as README.md and docs/operations.md state it: the
     * 8.x node the end-to-end tests run (pom.xml's and deploy/local/pom.xml's {@code es8.version}).
     * Raising it is a documented change; {@code ElasticsearchVersionsTest} keeps the three in step.
     */
    public static final String MINIMUM_SUPPORTED = "8.19.0";
    public static final String V8 = MINIMUM_SUPPORTED;

    private static final long START_TIMEOUT_SECONDS = 300;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String version;
    private final String url;
    private final String username;
    private final String password;
    private final Path caFile;
    private final SSLContext sslContext;
    private final HttpClient http;

    /** A status code and body. */
    public record Response(int status, String body) {
        public boolean isSuccess() {
            return status >= 200 && status < 300;
        }
    }

    private LocalElasticsearch(Path runDir, String version, String url, String username, String password,
            Path caFile) {
        super(Kind.ELASTICSEARCH, runDir);
        this.version = version;
        this.url = url;
        this.username = username;
        this.password = password;
        this.caFile = caFile;
        this.sslContext = caFile == null ? null : sslContextTrusting(caFile);
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (sslContext != null) {
            builder.sslContext(sslContext);
        }
        this.http = builder.build();
    }

    /** Starts a secured (HTTPS + basic auth) node of the given version. */
    public static LocalElasticsearch start(String version) {
        return start(version, true);
    }

    /**
     * Starts a fresh node on free ports in a new temporary run dir and waits until
     * {@code GET /_cluster/health} answers (yellow or green).
     */
    public static LocalElasticsearch start(String version, boolean secure) {
        return start(version, secure, false);
    }

    /**
     * A fresh node for a test that stops and starts it again ({@link #stopNode}, {@link #startNode}): its
     * ports lie below the kernel's ephemeral range, so no other socket takes them while it is down. Never
     * shared: the test closes it.
     */
    public static LocalElasticsearch startRestartable(String version, boolean secure) {
        return start(version, secure, true);
    }

    private static LocalElasticsearch start(String version, boolean secure, boolean restartable) {
        return start(Kind.ELASTICSEARCH, "entrawatch-es-", runDir -> {
            int[] ports = restartable ? ServicesScript.freePortsBelowEphemeralRange(2) : ServicesScript.freePorts(2);
            List<String> options = new ArrayList<>(List.of("--version", version,
                    "--port", Integer.toString(ports[0]),
                    "--transport-port", Integer.toString(ports[1])));
            if (secure) {
                options.add("--secure");
            }
            Kind.ELASTICSEARCH.start(runDir, "start-es", options, 240, Map.of(), START_TIMEOUT_SECONDS);
        }, (runDir, env) -> {
            String user = null;
            String pass = null;
            Path ca = null;
            if (secure) {
                user = ServicesScript.require(env, "ES_USERNAME");
                pass = Files.readString(Path.of(ServicesScript.require(env, "ES_PASSWORD_FILE")),
                        StandardCharsets.UTF_8).trim();
                ca = Path.of(ServicesScript.require(env, "ES_CA_FILE"));
            }
            return new LocalElasticsearch(runDir, ServicesScript.require(env, "ES_VERSION"),
                    ServicesScript.require(env, "ES_URL"), user, pass, ca);
        });
    }

    /** One secured node of this version per JVM, stopped when the JVM exits. Do not close it. */
    public static LocalElasticsearch shared(String version) {
        return shared(version, true);
    }

    /** One node of this version and security mode per JVM, stopped when the JVM exits. Do not close it. */
    public static LocalElasticsearch shared(String version, boolean secure) {
        return shared("LocalElasticsearch/" + version + (secure ? "/secure" : "/plain"), () -> start(version, secure));
    }

    /** {@code https://127.0.0.1:PORT} when secure, else {@code http://127.0.0.1:PORT}. */
    public String getUrl() {
        return url;
    }

    /** The file-realm user, or null when security is off. */
    public String getUsername() {
        return username;
    }

    /** The user's generated password, or null when security is off. */
    public String getPassword() {
        return password;
    }

    /** The PEM CA that signed the node's HTTPS certificate, or null when security is off. */
    public Path getCaFile() {
        return caFile;
    }

    /** The server version, e.g. {@code 9.2.0}. */
    public String getVersion() {
        return version;
    }

    public boolean isSecure() {
        return caFile != null;
    }

    /** An SSLContext that trusts the node's CA (for other clients), or null when security is off. */
    public SSLContext getSslContext() {
        return sslContext;
    }

    // ------------------------------------------------------------------ HTTP helper

    /** A request with this node's credentials; {@code jsonBody} may be null. Never throws on a status. */
    public Response request(String method, String path, String jsonBody) {
        return requestAs(username, password, method, path, jsonBody);
    }

    /** A request with other credentials (null user: none). Never throws on a status. */
    public Response requestAs(String user, String pass, String method, String path, String jsonBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + (path.startsWith("/") ? path : "/" + path)))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
        if (jsonBody != null) {
            b.header("Content-Type", "application/json");
        }
        if (user != null) {
            String token = Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
            b.header("Authorization", "Basic " + token);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + url + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** GET; the body, or an exception on a non-2xx status. */
    public String get(String path) {
        return ok("GET", path, request("GET", path, null));
    }

    /** POST a JSON body; the response body, or an exception on a non-2xx status. */
    public String postJson(String path, String body) {
        return ok("POST", path, request("POST", path, body));
    }

    /** PUT a JSON body; the response body, or an exception on a non-2xx status. */
    public String putJson(String path, String body) {
        return ok("PUT", path, request("PUT", path, body));
    }

    /** DELETE; the response body, or an exception on a non-2xx status. */
    public String delete(String path) {
        return ok("DELETE", path, request("DELETE", path, null));
    }

    /** {@code POST /index/_refresh}: makes what was indexed searchable. */
    public void refresh(String index) {
        postJson("/" + encode(index) + "/_refresh", null);
    }

    /** {@code POST /index/_search} with a JSON body such as {@code {"query":{"match_all":{}}}}. */
    public String search(String index, String query) {
        return postJson("/" + encode(index) + "/_search", query);
    }

    /** {@code GET /index/_count}: the number of searchable documents (refresh first). */
    /**
     * Waits until {@code index} holds {@code expected} documents (refreshing it), then asserts there are
     * not more; fails after {@code timeoutMillis}. A missing index counts as empty.
     */
    public void awaitCount(String index, long expected, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        long count = -1;
        while (System.currentTimeMillis() < deadline) {
            try {
                refresh(index);
                count = count(index);
            } catch (RuntimeException e) {
                count = -1; // index not created yet
            }
            if (count >= expected) {
                if (count > expected) throw new AssertionError(index + " holds " + count + " documents, expected " + expected);
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("waited " + timeoutMillis + " ms for " + expected + " documents in " + index + ", saw " + count);
    }

    public long count(String index) {
        String body = get("/" + encode(index) + "/_count");
        try {
            JsonNode count = JSON.readTree(body).get("count");
            if (count == null) {
                throw new IllegalStateException("no count in " + body);
            }
            return count.asLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String ok(String method, String path, Response r) {
        if (!r.isSuccess()) {
            throw new IllegalStateException(method + " " + path + " -> HTTP " + r.status() + ": " + r.body());
        }
        return r.body();
    }

    private static String encode(String index) {
        return URLEncoder.encode(index, StandardCharsets.UTF_8).replace("%2C", ",").replace("%2A", "*");
    }

    private static SSLContext sslContextTrusting(Path caPem) {
        try (InputStream in = Files.newInputStream(caPem)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust " + caPem + ": " + e, e);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Stops the node and keeps its run dir (data, certificates, user) for {@link #startNode}: SIGTERM, a
     * shutdown, or with {@code kill} SIGKILL, a crash. Returns once the process is gone.
     */
    public void stopNode(boolean kill) {
        stopService(kill);
    }

    /**
     * Starts the stopped node again on the same ports with the same data, certificates and password
     * ({@code services resume es}); returns when {@code GET /_cluster/health} answers yellow or green.
     */
    public void startNode() {
        resumeService(240, START_TIMEOUT_SECONDS);
    }

    @Override
    public String toString() {
        return "LocalElasticsearch[" + version + ", " + url + ", " + runDir + "]";
    }
}
