package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawatch.TestRecords;
import io.entrawatch.TestRecords.Record;
import io.entrawatch.testing.DeploymentMetrics;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalFlinkCluster;
import io.entrawatch.testing.LocalKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.T0;
import static io.entrawatch.e2e.ClusterScenario.advanceTo;
import static io.entrawatch.e2e.ClusterScenario.on;
import static io.entrawatch.e2e.ClusterScenario.users;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job jar ({@code target/entrawatch.jar}, built by {@code package} before failsafe runs) on a real
 * Flink standalone session cluster ({@code deploy/local/flink/flink}: a JobManager and two
 * TaskManagers, separate JVMs, RocksDB state), reading a real Kafka broker with Event Hubs'
 * authentication (SASL_SSL, {@code $ConnectionString}) and writing to a real Elasticsearch 9.2 (HTTPS,
 * basic auth). Secrets reach the cluster as environment variables, never as program arguments.
 *
 * <p>One test submits through Flink's CLI; the other through the REST API, stops the job with a
 * savepoint mid-stream and resumes another upload of the jar from it. Both compare the documents in
 * Elasticsearch with what {@code jobs/replay} computes for the same messages. Timings go to stderr
 * ({@code ClusterITCase timing: ...}).
 *
 * <p>The cluster runs with exactly the metrics configuration of {@code deploy/kubernetes/flink-deployment.yaml}
 * (reporter and filters; each JVM's reporter on a free port): one test scrapes the Prometheus
 * endpoints of the JobManager and both TaskManagers and checks that what operators need is exported and
 * that every metric the Grafana dashboard ({@code deploy/grafana/entrawatch-dashboard.json}) queries is.
 */
class ClusterITCase {
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(180);

    private static LocalKafka kafka;
    private static LocalElasticsearch es;
    private static LocalFlinkCluster cluster;
    private static ClusterScenario scenario;
    private static Path jar;

    @TempDir
    Path dir;

    @BeforeAll
    static void startCluster() {
        jar = Path.of("target/entrawatch.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), jar + " is missing: run `mvn package` (failsafe runs after it)");
        kafka = LocalKafka.shared();
        es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        long t0 = System.nanoTime();
        // the secrets, as a Kubernetes Secret would give them: environment variables of the JVMs
        // and exactly the FlinkDeployment's metrics configuration (reporter, filters), each JVM on its own port
        cluster = LocalFlinkCluster.start(2, 1, ClusterScenario.secrets(kafka, es), DeploymentMetrics.clusterStartOptions());
        scenario = new ClusterScenario(kafka, es, cluster);
        timing("cluster start (JobManager + 2 TaskManagers registered)", t0);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    private static void timing(String what, long startNanos) {
        ClusterScenario.timing(ClusterITCase.class, what, startNanos);
    }

    private static void waitForCount(String index, long expected, Duration timeout, String jobId) throws Exception {
        scenario.waitForCount(index, expected, timeout, jobId, true);
    }

    /** The Prometheus names the dashboard's queries need, and operators with them. */
    static final List<String> REQUIRED_METRICS = List.of(
            // the job's own: ingest, detections
            "flink_taskmanager_job_task_operator_entrawatch_messagesIn",
            "flink_taskmanager_job_task_operator_entrawatch_recordsIn",
            "flink_taskmanager_job_task_operator_entrawatch_signIns",
            "flink_taskmanager_job_task_operator_entrawatch_skippedCategories",
            "flink_taskmanager_job_task_operator_entrawatch_deadLetters",
            "flink_taskmanager_job_task_operator_entrawatch_lateRecords",
            "flink_taskmanager_job_task_operator_entrawatch_rule_alerts",
            "flink_taskmanager_job_task_operator_entrawatch_rule_lateAtOperator",
            // the Elasticsearch sink
            "flink_taskmanager_job_task_operator_documentsIndexed",
            "flink_taskmanager_job_task_operator_documentsRejected",
            "flink_taskmanager_job_task_operator_documentsRetried",
            "flink_taskmanager_job_task_operator_deadLettersIndexed",
            "flink_taskmanager_job_task_operator_deadLettersFailed",
            "flink_taskmanager_job_task_operator_bulkRequestsRetried",
            "flink_taskmanager_job_task_operator_failuresInARow",
            "flink_taskmanager_job_task_operator_numRecordsSendErrors",
            // exceptions, silent categories
            "flink_taskmanager_job_task_operator_entrawatch_exceptions_inForce",
            "flink_taskmanager_job_task_operator_entrawatch_exceptions_invalidDocuments",
            "flink_taskmanager_job_task_operator_entrawatch_exceptions_sourceUnavailable",
            "flink_taskmanager_job_task_operator_entrawatch_category_msSinceLastSeen",
            "flink_taskmanager_job_task_operator_entrawatch_category_silenceWarnings",
            // event time, the source's backlog
            "flink_taskmanager_job_task_operator_watermarkLag",
            "flink_taskmanager_job_task_operator_pendingRecords",
            "flink_taskmanager_job_task_operator_currentInputWatermark",
            "flink_taskmanager_job_task_operator_currentOutputWatermark",
            // checkpoints, restarts
            "flink_jobmanager_job_lastCheckpointDuration",
            "flink_jobmanager_job_lastCheckpointSize",
            "flink_jobmanager_job_numberOfCompletedCheckpoints",
            "flink_jobmanager_job_numberOfFailedCheckpoints",
            "flink_jobmanager_job_numRestarts",
            // JVM memory
            "flink_jobmanager_Status_JVM_Memory_Heap_Used",
            "flink_jobmanager_Status_JVM_Memory_Heap_Max",
            "flink_taskmanager_Status_JVM_Memory_Heap_Used",
            "flink_taskmanager_Status_JVM_Memory_Heap_Max");

    private static final Pattern PROMETHEUS_NAME = Pattern.compile("flink_[A-Za-z0-9_:]+");

    /** The metric names of a Prometheus text exposition (its samples, not its comments). */
    static SortedSet<String> metricNames(String exposition) {
        SortedSet<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int end = line.indexOf('{');
            if (end < 0) end = line.indexOf(' ');
            names.add(line.substring(0, end));
        }
        return names;
    }

    /** Sum of a Prometheus metric over its series whose labels contain {@code labelPart}. */
    private static long prometheusSum(String exposition, String metric, String labelPart) {
        long sum = 0;
        int series = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(metric + "{") && line.contains(labelPart)) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                series++;
            }
        }
        assertTrue(series > 0, "no series of " + metric + " exported");
        return sum;
    }

    @Test
    void jarSubmittedWithTheCliWritesExactlyTheAlertsReplayComputes() throws Exception {
        String suffix = "cli-" + System.nanoTime();
        String topic = "signins-" + suffix;
        String index = "alerts-" + suffix;
        kafka.createTopic(topic, 2);
        List<Record> other = users(0, 30, "o", T0 + 21 * MIN);
        other.forEach(r -> r.tenant(TestRecords.OTHER_TENANT).errorCode(50053));
        List<Map.Entry<Integer, String>> messages = List.of(
                on(0, TestRecords.envelope(users(0, 16, "spray", T0 + MIN))),       // one spray over both partitions:
                on(1, TestRecords.envelope(users(16, 33, "spray", T0 + MIN))),      // 33 users -> alert
                on(0, TestRecords.envelope(users(0, 29, "near", T0 + 11 * MIN))),   // 29 users: no alert
                on(1, TestRecords.envelope(other)),                                  // other tenant, 30 -> alert
                on(0, advanceTo(T0 + 120 * MIN)),
                on(1, advanceTo(T0 + 120 * MIN)));
        scenario.produce(topic, messages);

        long submitted = System.nanoTime();
        // main() runs in the CLI process: the secrets are its environment variables
        String jobId = cluster.runWithCli(jar, scenario.jobArgs(topic, index, suffix), ClusterScenario.secrets(kafka, es));
        timing("CLI submission (flink run -d returned)", submitted);
        try {
            cluster.waitUntilRunning(jobId, JOB_TIMEOUT);
            timing("CLI submission to every task RUNNING", submitted);
            scenario.waitForCount(index, 1, JOB_TIMEOUT, jobId, false);
            timing("CLI submission to first alert in Elasticsearch", submitted);
            waitForCount(index, 2, JOB_TIMEOUT, jobId);
            // the job's metrics, as Prometheus scrapes them from the TaskManagers
            String metrics = cluster.prometheusMetrics();
            assertEquals(2, prometheusSum(metrics, "flink_taskmanager_job_task_operator_entrawatch_rule_alerts", "rule=\"password"), metrics.length());
            assertEquals(33 + 29 + 30 + 2, prometheusSum(metrics, "flink_taskmanager_job_task_operator_entrawatch_signIns", ""));
            assertEquals(0, prometheusSum(metrics, "flink_taskmanager_job_task_operator_entrawatch_lateRecords", ""));
        } finally {
            cluster.cancel(jobId);
        }
        Map<String, JsonNode> expected = ClusterScenario.replay(messages, dir);
        assertEquals(2, expected.size());
        assertEquals(expected, ClusterScenario.sources(scenario.alertsIn(index)));
    }

    @Test
    void prometheusEndpointsExportWhatOperatorsAndTheDashboardNeed() throws Exception {
        String suffix = "prom-" + System.nanoTime();
        String topic = "signins-" + suffix;
        String index = "alerts-" + suffix;
        kafka.createTopic(topic, 2);
        scenario.produce(topic, List.of(
                on(0, TestRecords.envelope(users(0, 18, "spray", T0 + MIN))),
                on(1, TestRecords.envelope(users(18, 35, "spray", T0 + MIN))),
                on(0, "{\"records\": [{\"not\": \"a sign-in\"}]}"),
                on(0, advanceTo(T0 + 120 * MIN)),
                on(1, advanceTo(T0 + 120 * MIN))));
        long t0 = System.nanoTime();
        String jobId = cluster.runJar(cluster.uploadJar(jar), scenario.jobArgs(topic, index, suffix), null);
        SortedSet<String> scraped = new TreeSet<>();
        String exposition = "";
        try {
            cluster.waitUntilRunning(jobId, JOB_TIMEOUT);
            waitForCount(index, 1, JOB_TIMEOUT, jobId);
            cluster.waitForCheckpoints(jobId, 2, JOB_TIMEOUT);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            do {
                exposition = cluster.prometheusMetrics();
                scraped.clear();
                scraped.addAll(metricNames(exposition));
                if (scraped.containsAll(REQUIRED_METRICS)) break;
                Thread.sleep(1000);
            } while (System.nanoTime() < deadline);
            timing("REST submission to every required metric scraped", t0);
        } finally {
            cluster.cancel(jobId);
        }
        List<String> missing = REQUIRED_METRICS.stream().filter(n -> !scraped.contains(n)).toList();
        System.out.println("ClusterITCase Prometheus: " + scraped.size() + " metric names scraped from "
                + "the JobManager and 2 TaskManagers; required (sorted):\n  "
                + String.join("\n  ", new TreeSet<>(REQUIRED_METRICS)));
        System.out.println("ClusterITCase Prometheus: every name scraped:\n  " + String.join("\n  ", scraped));
        assertEquals(List.of(), missing, "metrics the FlinkDeployment's reporter configuration does not export");
        assertEquals(1, prometheusSum(exposition, "flink_taskmanager_job_task_operator_entrawatch_rule_alerts", "rule=\"password"));
        assertTrue(prometheusSum(exposition, "flink_taskmanager_job_task_operator_documentsIndexed", "") >= 1);
        assertTrue(prometheusSum(exposition, "flink_jobmanager_job_numberOfCompletedCheckpoints", "") >= 2);
        assertEquals(0, prometheusSum(exposition, "flink_jobmanager_job_numRestarts", ""));
        // the Kafka client's own metrics stay out (the filters select, they do not pass everything)
        assertTrue(scraped.stream().noneMatch(n -> n.contains("KafkaConsumer")), "Kafka consumer metrics exported");

        // the Grafana dashboard: a Prometheus datasource input, and only metrics this scrape has
        Path dashboard = DeploymentMetrics.root().resolve("deploy/grafana/entrawatch-dashboard.json");
        JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dashboard.toFile());
        assertEquals("DS_PROMETHEUS", json.at("/__inputs/0/name").asText());
        assertEquals("prometheus", json.at("/__inputs/0/pluginId").asText());
        SortedSet<String> used = new TreeSet<>();
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : json.path("panels")) {
            for (JsonNode target : panel.path("targets")) exprs.add(target.path("expr").asText());
        }
        for (JsonNode variable : json.path("templating").path("list")) exprs.add(variable.path("query").toString());
        for (String expr : exprs) {
            Matcher m = PROMETHEUS_NAME.matcher(expr);
            boolean any = false;
            while (m.find()) {
                used.add(m.group());
                any = true;
            }
            assertTrue(any, "a dashboard query without a Flink metric: " + expr);
        }
        used.removeIf(scraped::contains);
        assertEquals(new TreeSet<>(), used, "dashboard queries of metrics the cluster does not export");
    }

    @Test
    void stopWithSavepointAndResumeLosesAndDuplicatesNoAlertAndKeepsWindowState() throws Exception {
        String suffix = "savepoint-" + System.nanoTime();
        String topic = "signins-" + suffix;
        String index = "alerts-" + suffix;
        kafka.createTopic(topic, 2);

        // before the savepoint: a spray that completes (35 users in [01:00, 01:10)) and the first 20
        // users of a spray in [01:10, 01:20), on both partitions; event time moves to 01:16, so the
        // first window fires and the second stays open in keyed state
        List<Map.Entry<Integer, String>> before = List.of(
                on(0, TestRecords.envelope(users(0, 18, "a", T0 + MIN))),
                on(1, TestRecords.envelope(users(18, 35, "a", T0 + 2 * MIN))),
                on(0, TestRecords.envelope(users(0, 10, "b", T0 + 11 * MIN))),
                on(1, TestRecords.envelope(users(10, 20, "b", T0 + 12 * MIN))),
                on(0, advanceTo(T0 + 16 * MIN)),
                on(1, advanceTo(T0 + 16 * MIN)));
        // while the job is stopped: 20 more users of the open spray (40 in all; 20 alone would not
        // alert), a spray of another tenant, and event time past every window
        List<Record> other = users(0, 30, "o", T0 + 15 * MIN);
        other.forEach(r -> r.tenant(TestRecords.OTHER_TENANT).errorCode(50053));
        List<Map.Entry<Integer, String>> after = List.of(
                on(0, TestRecords.envelope(users(20, 30, "b", T0 + 13 * MIN))),
                on(1, TestRecords.envelope(users(30, 40, "b", T0 + 13 * MIN))),
                on(1, TestRecords.envelope(other)),
                on(0, advanceTo(T0 + 120 * MIN)),
                on(1, advanceTo(T0 + 120 * MIN)));
        scenario.produce(topic, before);

        long t0 = System.nanoTime();
        String jarId = cluster.uploadJar(jar);
        String jobId = cluster.runJar(jarId, scenario.jobArgs(topic, index, suffix), null);
        timing("REST submission (upload + run returned)", t0);
        String resumed = null;
        try {
            cluster.waitUntilRunning(jobId, JOB_TIMEOUT);
            timing("REST submission to every task RUNNING", t0);
            waitForCount(index, 1, JOB_TIMEOUT, jobId);
            timing("REST submission to first alert in Elasticsearch", t0);

            long s0 = System.nanoTime();
            String savepoint = cluster.stopWithSavepoint(jobId, JOB_TIMEOUT);
            timing("stop with savepoint", s0);
            cluster.waitForState(jobId, "FINISHED", JOB_TIMEOUT);
            assertEquals(1, es.count(index), "only the completed window alerted before the savepoint");

            scenario.produce(topic, after);

            // a rebuilt jar: the same classes in a different artefact, uploaded again
            Path rebuilt = dir.resolve("entrawatch-rebuilt.jar");
            Files.copy(jar, rebuilt, StandardCopyOption.REPLACE_EXISTING);
            try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + rebuilt.toUri()), Map.of())) {
                Files.writeString(zip.getPath("META-INF/entrawatch-rebuild.txt"), "rebuilt " + suffix + "\n");
            }
            long r0 = System.nanoTime();
            resumed = cluster.runJar(cluster.uploadJar(rebuilt), scenario.jobArgs(topic, index, suffix), savepoint);
            cluster.waitUntilRunning(resumed, JOB_TIMEOUT);
            timing("resume from savepoint to every task RUNNING", r0);
            JsonNode restored = cluster.checkpoints(resumed).path("latest").path("restored");
            assertTrue(restored.path("is_savepoint").asBoolean(), "restored from a savepoint: " + restored);
            assertEquals(Path.of(URI.create(savepoint).getPath()).normalize(),
                    Path.of(URI.create(restored.path("external_path").asText()).getPath()).normalize());
            waitForCount(index, 3, JOB_TIMEOUT, resumed);
        } finally {
            cluster.cancel(resumed != null ? resumed : jobId);
        }

        List<Map.Entry<Integer, String>> all = new ArrayList<>(before);
        all.addAll(after);
        Map<String, JsonNode> expected = ClusterScenario.replay(all, dir);
        Map<String, JsonNode> hits = scenario.alertsIn(index);
        assertEquals(expected, ClusterScenario.sources(hits), "the alerts of a run without the stop");
        hits.forEach((id, hit) -> assertEquals(1, hit.get("_version").asInt(), "alert " + id + " written once"));
        List<String> summary = hits.values().stream().map(h -> h.at("/_source/azure/tenant_id").asText() + " "
                + h.at("/_source/detection/unique_user_count").asInt() + " " + h.at("/_source/@timestamp").asText())
                .sorted().collect(Collectors.toList());
        assertEquals(List.of(
                TestRecords.TENANT + " 35 2025-11-14T01:10:00Z",
                TestRecords.TENANT + " 40 2025-11-14T01:20:00Z",   // 20 users before the savepoint + 20 after
                TestRecords.OTHER_TENANT + " 30 2025-11-14T01:20:00Z"), summary);
    }
}
