package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawatch.testing.FileTrees;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalFlinkCluster;
import io.entrawatch.testing.LocalKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults: a TaskManager killed, and secrets in every log, on the real standalone cluster ({@code deploy/local/flink/flink}: a
 * JobManager and two TaskManagers of one slot, RocksDB, exponential-delay restarts; the job jar
 * submitted by Flink's CLI, parallelism 2, checkpoints every 2 s), real Kafka with Event Hubs'
 * authentication and real Elasticsearch 9.2 (HTTPS, basic auth).
 *
 * <p>A TaskManager running half of the job's tasks is {@code kill -9}ed mid-stream ({@link MidStreamFault}):
 * after a checkpoint that holds an open spray window, while the job is writing the second batch's
 * alerts and before the rest of the stream is produced. A replacement TaskManager is started; the job
 * restarts from its latest checkpoint, and the alerts in Elasticsearch are then exactly those of a
 * fault-free run ({@code jobs/replay} over the same messages): none lost, none duplicated (the ids are
 * deterministic, so an alert written again after the restore overwrites itself: its {@code _version}
 * rises, the count does not).
 *
 * <p>The second test searches every log file of that run (JobManager, every TaskManager including the
 * killed one, RocksDB's LOG files, the CLI's output, this JVM's own output) and the REST responses the
 * web UI reads for the Event Hubs connection string, its key and the Elasticsearch password. Kafka
 * logs at INFO there, as in flink-dist, and the job's own classes at DEBUG.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TaskManagerKillITCase {
    private static final ByteArrayOutputStream TEST_OUTPUT = new ByteArrayOutputStream();
    private static PrintStream originalOut;
    private static PrintStream originalErr;

    private static LocalKafka kafka;
    private static LocalElasticsearch es;
    private static LocalFlinkCluster cluster;
    private static ClusterScenario scenario;
    private static Path jar;

    /** The run the log test searches: set by the kill test. */
    private static String jobId;
    private static String killedTaskManager;

    @BeforeAll
    static void startCluster() {
        // this JVM's own output is searched for secrets too
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(tee(originalOut));
        System.setErr(tee(originalErr));

        jar = Path.of("target/entrawatch.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), jar + " is missing: run `mvn package` (failsafe runs after it)");
        kafka = LocalKafka.shared();
        es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        long t0 = System.nanoTime();
        cluster = LocalFlinkCluster.start(2, 1, ClusterScenario.secrets(kafka, es),
                List.of("--log-level", "org.apache.kafka=INFO", "--log-level", "io.entrawatch=DEBUG"));
        scenario = new ClusterScenario(kafka, es, cluster);
        timing("cluster start (JobManager + 2 TaskManagers registered)", t0);
    }

    @AfterAll
    static void stopCluster() {
        try {
            if (cluster != null) cluster.close();
        } finally {
            if (originalOut != null) System.setOut(originalOut);
            if (originalErr != null) System.setErr(originalErr);
        }
    }

    private static PrintStream tee(PrintStream original) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                TEST_OUTPUT.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                TEST_OUTPUT.write(b, off, len);
            }

            @Override
            public void flush() {
                original.flush();
            }
        }, true, StandardCharsets.UTF_8);
    }

    private static void timing(String what, long startNanos) {
        ClusterScenario.timing(TaskManagerKillITCase.class, what, startNanos);
    }

    @Test
    @Order(1)
    void aTaskManagerKilledMidStreamLosesNoAlertAndDuplicatesNone(@TempDir Path dir) throws Exception {
        MidStreamFault run = MidStreamFault.start(TaskManagerKillITCase.class, scenario, cluster, jar,
                ClusterScenario.secrets(kafka, es), "tm-kill", dir);
        try {
            jobId = run.jobId();
            // the job is writing the second batch's alerts: kill one of its TaskManagers now
            SortedSet<String> taskManagers = cluster.taskManagersOf(jobId);
            assertEquals(2, taskManagers.size(), "the job's tasks run on both TaskManagers: " + taskManagers);
            killedTaskManager = taskManagers.first();
            long lastCheckpointBeforeKill = cluster.checkpoints(jobId).at("/latest/completed/id").asLong();
            long alertsAtKill = run.alertsNowMidStream();
            long killedAt = System.currentTimeMillis();
            long k0 = System.nanoTime();
            cluster.killTaskManager(killedTaskManager);
            run.faultInjected();
            // a checkpoint whose acknowledgements all arrived before the kill may still complete now
            long lastCheckpointAtKill = cluster.checkpoints(jobId).at("/latest/completed/id").asLong();
            run.printAtFault("kill -9 " + killedTaskManager, alertsAtKill, lastCheckpointBeforeKill);
            System.err.printf("TaskManagerKillITCase: latest completed checkpoint %d once the process was gone%n",
                    lastCheckpointAtKill);

            String replacement = cluster.addTaskManager();
            timing("kill to replacement TaskManager " + replacement + " registered", k0);
            cluster.waitUntilRunning(jobId, MidStreamFault.TIMEOUT);
            timing("kill to every task RUNNING again", k0);
            run.waitForAllAlerts(k0);

            // the restart, as the REST API shows it
            JsonNode job = cluster.job(jobId);
            assertEquals("RUNNING", job.path("state").asText());
            assertTrue(job.at("/timestamps/RESTARTING").asLong() >= killedAt,
                    "the job went through RESTARTING after the kill: " + job.path("timestamps"));
            long restarts = cluster.jobMetric(jobId, "numRestarts");
            assertTrue(restarts >= 1, "numRestarts " + restarts);
            // the first failure the JobManager recorded after the kill names the lost TaskManager
            long detected = Long.MAX_VALUE;
            boolean namesKilled = false;
            for (JsonNode e : cluster.get("/jobs/" + jobId + "/exceptions").at("/exceptionHistory/entries")) {
                if (e.path("timestamp").asLong() < killedAt) continue;
                detected = Math.min(detected, e.path("timestamp").asLong());
                namesKilled |= e.toString().contains(killedTaskManager);
            }
            assertTrue(detected < Long.MAX_VALUE, "an exception recorded after the kill: " + cluster.exceptions(jobId));
            assertTrue(namesKilled, "an exception names " + killedTaskManager + ": " + cluster.exceptions(jobId));
            JsonNode checkpoints = cluster.checkpoints(jobId);
            JsonNode restored = checkpoints.at("/latest/restored");
            assertTrue(checkpoints.at("/counts/restored").asInt() >= 1, "restored from a checkpoint: " + checkpoints.path("counts"));
            assertFalse(restored.path("is_savepoint").asBoolean(true), "a checkpoint, not a savepoint: " + restored);
            assertTrue(restored.path("id").asLong() >= lastCheckpointBeforeKill,
                    "restored checkpoint " + restored.path("id") + ", the latest before the kill was " + lastCheckpointBeforeKill);
            SortedSet<String> after = cluster.taskManagersOf(jobId);
            assertFalse(after.contains(killedTaskManager), after.toString());
            assertTrue(after.contains(replacement), after.toString());
            System.err.printf("TaskManagerKillITCase: failure recorded %.1f s after the kill; %d restarts (numRestarts), "
                            + "restored checkpoint %d (%d restores)%n", (detected - killedAt) / 1e3, restarts,
                    restored.path("id").asLong(), checkpoints.at("/counts/restored").asInt());
        } finally {
            run.close();
        }
        run.assertAlertsOfTheFaultFreeRun();
    }

    @Test
    @Order(2)
    void noSecretInAnyLogFileOrRestResponseOfThatRun() throws Exception {
        assertNotNull(jobId, "searches the logs of the kill test's run: run the whole class");
        String connectionString = kafka.getConnectionString();
        String key = connectionString.replaceAll(".*SharedAccessKey=([^;]+).*", "$1");
        assertTrue(key.length() >= 16 && !key.equals(connectionString), "a key in the connection string");
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("the Event Hubs connection string", connectionString);
        secrets.put("the connection string's SharedAccessKey", key);
        secrets.put("the Elasticsearch password", es.getPassword());
        secrets.put("the Elasticsearch basic-auth header", Base64.getEncoder().encodeToString(
                (es.getUsername() + ":" + es.getPassword()).getBytes(StandardCharsets.UTF_8)));

        // every log file of the cluster (bytes as Latin-1: nothing is lost to decoding) and this JVM's output
        Map<String, String> texts = new LinkedHashMap<>();
        long bytes = 0;
        int vanished = 0;
        for (Path f : cluster.logFiles()) {
            // a RocksDB LOG file may be deleted between the listing and the read (the job was cancelled); the
            // logs this test needs are asserted to be here below
            var content = FileTrees.readIfPresent(f);
            if (content.isEmpty()) {
                vanished++;
                continue;
            }
            bytes += content.get().length;
            texts.put(cluster.getRunDir().relativize(f).toString(), new String(content.get(), StandardCharsets.ISO_8859_1));
        }
        texts.put("this test JVM's output", TEST_OUTPUT.toString(StandardCharsets.UTF_8));
        // what the web UI reads: configuration, job parameters, plan, exceptions, logs
        List<String> rest = new ArrayList<>(List.of("/jobs/" + jobId, "/jobs/" + jobId + "/config",
                "/jobs/" + jobId + "/plan", "/jobs/" + jobId + "/exceptions", "/jobs/" + jobId + "/checkpoints",
                "/jobs/" + jobId + "/checkpoints/config", "/jobs/" + jobId + "/jobmanager/config",
                "/jobs/" + jobId + "/jobmanager/environment", "/jobmanager/config", "/jobmanager/environment",
                "/jobmanager/log", "/jobs/overview", "/taskmanagers"));
        for (JsonNode tm : cluster.get("/taskmanagers").path("taskmanagers")) {
            rest.add("/taskmanagers/" + tm.path("id").asText());
            rest.add("/taskmanagers/" + tm.path("id").asText() + "/log");
        }
        for (String path : rest) {
            String body = cluster.getText(path);
            assertTrue(body.length() > 2, path + " is empty");
            texts.put("REST " + path, body);
        }

        // the search can fail: these texts hold the run, the kill and Kafka's client configuration
        String cliLog = texts.get(cluster.getRunDir().relativize(cluster.getCliLog()).toString());
        String jobManagerLog = texts.get("flink/log/jobmanager.log");
        String killedLog = texts.get("flink/log/taskmanager-" + killedTaskManager.split("-")[1] + ".log");
        assertNotNull(cliLog, "the CLI log: " + texts.keySet());
        assertNotNull(jobManagerLog, "the JobManager log: " + texts.keySet());
        assertNotNull(killedLog, "the killed TaskManager's log: " + texts.keySet());
        assertTrue(cliLog.contains(jobId) && cliLog.contains("entrawatch starting"), "main()'s own log line is in the CLI log");
        assertTrue(jobManagerLog.contains("switched from state RESTARTING to RUNNING") && jobManagerLog.contains(killedTaskManager),
                "the JobManager log records the lost TaskManager and the restart");
        assertTrue(killedLog.contains(jobId), "the killed TaskManager ran the job");
        assertTrue(texts.entrySet().stream().anyMatch(e -> e.getKey().startsWith("flink/log/taskmanager-")
                        && e.getValue().contains("sasl.jaas.config = [hidden]")),
                "Kafka's client configuration, with the connection string masked, is in a TaskManager log");
        assertTrue(texts.get("this test JVM's output").contains("TaskManagerKillITCase"), "this JVM's output was captured");

        List<String> found = new ArrayList<>();
        for (Map.Entry<String, String> text : texts.entrySet()) {
            for (Map.Entry<String, String> secret : secrets.entrySet()) {
                String needle = new String(secret.getValue().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
                boolean latin1 = !text.getKey().startsWith("REST ") && !text.getKey().startsWith("this test");
                if (text.getValue().contains(latin1 ? needle : secret.getValue())) {
                    found.add(text.getKey() + " shows " + secret.getKey()); // never the secret itself
                }
            }
        }
        System.err.printf("TaskManagerKillITCase: searched %d log files (%,d bytes; %d deleted by RocksDB before they "
                + "were read), this JVM's output and %d REST responses for %d secrets: %d found%n",
                texts.size() - 1 - rest.size(), bytes, vanished, rest.size(), secrets.size(), found.size());
        assertEquals(List.of(), found);
    }
}
