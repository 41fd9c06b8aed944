package io.entrawatch.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A real Apache Flink standalone session cluster (one JobManager and N TaskManagers, each its own
 * JVM, started by {@code deploy/local/flink/flink start}) with a small client for its REST API:
 * upload and run a jar, poll a job, stop it with a savepoint, resume from one, Flink's CLI, and
 * crashing a TaskManager ({@code kill -9}) and starting a replacement. Started with {@code --ha}
 * (ZooKeeper, a leading and a standby JobManager): crashing the leading JobManager, following the
 * leadership to the next one, and starting another standby.
 *
 * <p>Each instance has its own free REST port and temporary run dir; the cluster is also stopped by
 * the script's watchdog when this JVM dies. The cluster's JVMs inherit the environment given to
 * {@link #start}: that is how secrets reach a job whose {@code main()} runs in the JobManager.
 */
public final class LocalFlinkCluster extends LocalService {

    private static final long START_TIMEOUT_SECONDS = 240;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CLI_JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern TASK_MANAGER_ID = Pattern.compile("tm-(\\d+)-\\d+");
    private static final Pattern REST_URL_LINE = Pattern.compile("^(http://127\\.0\\.0\\.1:\\d+)$", Pattern.MULTILINE);

    /** The REST API this helper talks to: the leading JobManager's once {@link #waitForLeader} found it. */
    private volatile String restUrl;
    private final Map<String, String> environment;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private LocalFlinkCluster(Path runDir, String restUrl, Map<String, String> environment) {
        super(Kind.FLINK, runDir);
        this.restUrl = restUrl;
        this.environment = environment;
    }

    /**
     * Starts a cluster on a free REST port in a new temporary run dir and waits until every
     * TaskManager has registered. {@code environment} is added to the JVMs' environment.
     */
    public static LocalFlinkCluster start(int taskManagers, int slotsPerTaskManager, Map<String, String> environment) {
        return start(taskManagers, slotsPerTaskManager, environment, List.of());
    }

    /**
     * {@link #start(int, int, Map)} with more options of {@code flink start}, e.g.
     * {@code --log-level org.apache.kafka=INFO} or {@code -D key=value}.
     */
    public static LocalFlinkCluster start(int taskManagers, int slotsPerTaskManager, Map<String, String> environment,
            List<String> startOptions) {
        return start(Kind.FLINK, "entrawatch-flink-", runDir -> {
            List<String> options = new ArrayList<>(List.of("--port", Integer.toString(ServicesScript.freePorts(1)[0]),
                    "--taskmanagers", Integer.toString(taskManagers), "--slots", Integer.toString(slotsPerTaskManager),
                    "--tm-memory", "1024m"));
            options.addAll(startOptions);
            // the script waits up to 220 s for the TaskManagers; the JVMs' start before that may take a while
            Kind.FLINK.start(runDir, "start", options, START_TIMEOUT_SECONDS - 20, environment, START_TIMEOUT_SECONDS + 120);
        }, (runDir, env) -> new LocalFlinkCluster(runDir, ServicesScript.require(env, "FLINK_REST_URL"), Map.copyOf(environment)));
    }

    /**
     * What Flink's Prometheus reporter exports right now, from the JobManager and every TaskManager
     * ({@code GET http://127.0.0.1:PORT/metrics}, the ports in services.env's FLINK_PROMETHEUS_PORTS).
     */
    public String prometheusMetrics() {
        StringBuilder all = new StringBuilder();
        for (String port : ServicesScript.require(ServicesScript.readEnv(runDir), "FLINK_PROMETHEUS_PORTS").split(":")) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(REQUEST_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
                all.append(r.body()).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException("Prometheus endpoint on port " + port, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return all.toString();
    }

    /** {@code http://127.0.0.1:PORT}: the web UI and the REST API (of the leader, with {@code --ha}). */
    public String getRestUrl() {
        return restUrl;
    }

    /** {@code flink/savepoints} of the run dir, beside the cluster's other files ({@code flink/conf}, {@code log}, {@code checkpoints}). */
    public Path getSavepointDir() {
        return runDir.resolve("flink/savepoints");
    }

    /** The CLI's log: the output of every {@code flink} command this helper ran, {@code flink cli run} included. */
    public Path getCliLog() {
        return runDir.resolve(Kind.FLINK.cliLog());
    }

    /**
     * Every log file of the cluster: {@code flink/log/} (each JobManager and TaskManager JVM's
     * {@code .log} and {@code .out}, killed ones included, and RocksDB's own LOG files), the CLI log
     * and the watchdog's log.
     */
    public List<Path> logFiles() {
        // RocksDB deletes its LOG files while the cluster runs or cancels a job: FileTrees leaves those out
        List<Path> files = FileTrees.regularFiles(runDir.resolve("flink/log"));
        for (Path p : List.of(getCliLog(), runDir.resolve("flink/watchdog.log"))) {
            if (Files.isRegularFile(p)) files.add(p);
        }
        return files;
    }

    // ------------------------------------------------------------------ TaskManagers

    /** The resource ids ({@code tm-N-...}) of the TaskManagers that run a task of the job now. */
    public SortedSet<String> taskManagersOf(String jobId) {
        SortedSet<String> ids = new TreeSet<>();
        for (JsonNode vertex : job(jobId).path("vertices")) {
            for (JsonNode subtask : get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText()).path("subtasks")) {
                if (subtask.path("status").asText().equals("RUNNING")) ids.add(subtask.path("taskmanager-id").asText());
            }
        }
        return ids;
    }

    /**
     * SIGKILLs a TaskManager (no shutdown, as in a crash) by its resource id and waits until its
     * process is gone ({@code flink kill-taskmanager N}).
     */
    public void killTaskManager(String resourceId) {
        Matcher m = TASK_MANAGER_ID.matcher(resourceId);
        if (!m.matches()) throw new IllegalArgumentException("not a TaskManager of this cluster: " + resourceId);
        run(List.of("kill-taskmanager", m.group(1), "--run-dir", runDir.toString()), Map.of(), 60);
    }

    /**
     * Starts one more TaskManager with this cluster's environment ({@code flink add-taskmanager})
     * and waits until it has registered; returns its resource id.
     */
    public String addTaskManager() {
        String out = run(List.of("add-taskmanager", "--run-dir", runDir.toString(),
                "--timeout", Long.toString(START_TIMEOUT_SECONDS - 20)), environment, START_TIMEOUT_SECONDS);
        Matcher m = Pattern.compile("^(tm-\\d+-\\d+)$", Pattern.MULTILINE).matcher(out);
        String id = null;
        while (m.find()) id = m.group(1);
        if (id == null) throw new IllegalStateException("add-taskmanager printed no resource id:\n" + ServicesScript.tail(out));
        return id;
    }

    // ------------------------------------------------------------------ JobManagers (--ha)

    /**
     * SIGKILLs the leading JobManager (no shutdown, as in a crash: its ZooKeeper session and with it
     * the leadership live on until the session times out) and waits until its process is gone
     * ({@code flink kill-jobmanager}); returns its REST URL. This helper's REST calls fail until
     * {@link #waitForLeader} has found the next leader.
     */
    public String killLeadingJobManager() {
        return restUrlIn(run(List.of("kill-jobmanager", "--run-dir", runDir.toString()), Map.of(), 60), "kill-jobmanager");
    }

    /**
     * Waits until a running JobManager holds the leadership and its REST API answers with the jobs its
     * Dispatcher recovered ({@code flink leader}); from then on this helper talks to it. Returns its URL.
     */
    public String waitForLeader(Duration timeout) {
        restUrl = restUrlIn(run(List.of("leader", "--run-dir", runDir.toString(), "--timeout",
                Long.toString(timeout.toSeconds())), Map.of(), timeout.toSeconds() + 60), "leader");
        return restUrl;
    }

    /**
     * Starts one more JobManager with this cluster's environment ({@code flink add-jobmanager}): a
     * standby while another leads. Returns its REST URL once that answers (through the leader).
     */
    public String addJobManager() {
        return restUrlIn(run(List.of("add-jobmanager", "--run-dir", runDir.toString(),
                "--timeout", Long.toString(START_TIMEOUT_SECONDS - 20)), environment, START_TIMEOUT_SECONDS), "add-jobmanager");
    }

    private static String restUrlIn(String out, String command) {
        Matcher m = REST_URL_LINE.matcher(out);
        String url = null;
        while (m.find()) url = m.group(1);
        if (url == null) throw new IllegalStateException(command + " printed no REST URL:\n" + ServicesScript.tail(out));
        return url;
    }

    // ------------------------------------------------------------------ CLI

    /**
     * {@code flink run -d JAR ARGS} through Flink's CLI ({@code main()} runs in the CLI process, which
     * gets {@code cliEnvironment}); returns the job id the CLI printed.
     */
    public String runWithCli(Path jar, List<String> programArgs, Map<String, String> cliEnvironment) {
        List<String> args = new ArrayList<>(List.of("cli", "--run-dir", runDir.toString(), "run", "-d", jar.toString()));
        args.addAll(programArgs);
        String out = run(args, cliEnvironment, 300);
        Matcher m = CLI_JOB_ID.matcher(out);
        if (!m.find()) throw new IllegalStateException("the Flink CLI printed no job id:\n" + ServicesScript.tail(out));
        return m.group(1);
    }

    // ------------------------------------------------------------------ REST

    /** {@code POST /jars/upload} (multipart, field {@code jarfile}); returns the jar id. */
    public String uploadJar(Path jar) {
        String boundary = "----entrawatch" + UUID.randomUUID();
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                    + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            HttpRequest request = HttpRequest.newBuilder(URI.create(restUrl + "/jars/upload")).timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
            String filename = send(request).get("filename").asText();
            return filename.substring(filename.lastIndexOf('/') + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code POST /jars/{id}/run}: runs the jar's main class in the JobManager with these program
     * arguments, from {@code savepointPath} when not null; returns the job id.
     */
    public String runJar(String jarId, List<String> programArgs, String savepointPath) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("programArgsList").addAll(programArgs.stream().map(JSON.getNodeFactory()::textNode).toList());
        if (savepointPath != null) {
            body.put("savepointPath", savepointPath);
            body.put("allowNonRestoredState", false); // every operator's state must find its operator (stable uids)
        }
        return post("/jars/" + jarId + "/run", body).get("jobid").asText();
    }

    /** {@code GET /jobs/{id}}. */
    public JsonNode job(String jobId) {
        return get("/jobs/" + jobId);
    }

    /** {@code GET /jobs/{id}/checkpoints}: counts, latest completed and the restored one. */
    public JsonNode checkpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    /** A job metric ({@code GET /jobs/{id}/metrics?get=NAME}), e.g. {@code numRestarts}; -1 while it is not reported. */
    public long jobMetric(String jobId, String name) {
        for (JsonNode m : get("/jobs/" + jobId + "/metrics?get=" + name)) {
            if (m.path("id").asText().equals(name)) return m.path("value").asLong();
        }
        return -1;
    }

    /** Waits until the job and every one of its tasks run; fails early when the job fails. */
    public void waitUntilRunning(String jobId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "?";
        while (System.nanoTime() < deadline) {
            JsonNode job = job(jobId);
            state = job.path("state").asText();
            if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
                throw new IllegalStateException("job " + jobId + " is " + state + ": " + exceptions(jobId));
            }
            boolean allRunning = state.equals("RUNNING") && job.path("vertices").size() > 0;
            for (JsonNode v : job.path("vertices")) {
                allRunning &= v.path("status").asText().equals("RUNNING");
            }
            if (allRunning) return;
            sleep(250);
        }
        throw new IllegalStateException("job " + jobId + " not running after " + timeout + " (state " + state + ")");
    }

    /** Waits until the job is in {@code state} ({@code GET /jobs/{id}} is cached for a few seconds). */
    public void waitForState(String jobId, String state, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String now = "?";
        while (System.nanoTime() < deadline) {
            now = job(jobId).path("state").asText();
            if (now.equals(state)) return;
            sleep(250);
        }
        throw new IllegalStateException("job " + jobId + " is " + now + ", not " + state + ", after " + timeout);
    }

    /** Waits until the job has completed at least {@code count} checkpoints. */
    public void waitForCheckpoints(String jobId, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (checkpoints(jobId).path("counts").path("completed").asInt() >= count) return;
            sleep(250);
        }
        throw new IllegalStateException("job " + jobId + ": fewer than " + count + " checkpoints after " + timeout);
    }

    /**
     * {@code POST /jobs/{id}/stop}: stops the job with a savepoint (no drain: windows stay open in the
     * savepoint, as for an upgrade) and waits for it; returns the savepoint's path.
     */
    public String stopWithSavepoint(String jobId, Duration timeout) {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", getSavepointDir().toUri().toString());
        body.put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", body).get("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode op = status.path("operation");
                if (op.has("failure-cause")) {
                    throw new IllegalStateException("stop-with-savepoint of " + jobId + " failed: " + op.get("failure-cause"));
                }
                return op.get("location").asText();
            }
            sleep(250);
        }
        throw new IllegalStateException("stop-with-savepoint of " + jobId + " not done after " + timeout);
    }

    /** {@code PATCH /jobs/{id}?mode=cancel}; quiet when the job already ended. */
    public void cancel(String jobId) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(restUrl + "/jobs/" + jobId + "?mode=cancel"))
                    .timeout(REQUEST_TIMEOUT).method("PATCH", HttpRequest.BodyPublishers.noBody()).build();
            http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            System.err.println("LocalFlinkCluster: cancel " + jobId + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The root causes Flink recorded for a job, for failure messages. */
    public String exceptions(String jobId) {
        try {
            return get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").toString();
        } catch (RuntimeException e) {
            return "(no exceptions: " + e.getMessage() + ")";
        }
    }

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(restUrl + path)).timeout(REQUEST_TIMEOUT).GET().build());
    }

    /** The body of a GET as it is, e.g. {@code /jobmanager/log} (what the web UI shows); fails unless HTTP 2xx. */
    public String getText(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(restUrl + path)).timeout(REQUEST_TIMEOUT).GET().build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) throw new IllegalStateException("GET " + path + " -> HTTP " + r.statusCode() + ": " + ServicesScript.tail(r.body()));
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private JsonNode post(String path, JsonNode body) {
        return send(HttpRequest.newBuilder(URI.create(restUrl + path)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    }

    private JsonNode send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(request.method() + " " + request.uri().getPath() + " -> HTTP "
                        + r.statusCode() + ": " + ServicesScript.tail(r.body()));
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "LocalFlinkCluster[" + restUrl + ", " + runDir + "]";
    }
}
