package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawatch.TestRecords.Record;
import io.entrawatch.TestRecords;
import io.entrawatch.testing.LocalFlinkCluster;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.T0;
import static io.entrawatch.e2e.ClusterScenario.advanceTo;
import static io.entrawatch.e2e.ClusterScenario.on;
import static io.entrawatch.e2e.ClusterScenario.users;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fault injected into the job mid-stream on the real cluster (a TaskManager or the leading
 * JobManager killed), and the proof that the alerts come out as in a fault-free run.
 *
 * <p>The stream: {@value #WINDOWS} windows of detection A (a spray of 30-36 users over both
 * partitions, a near miss of 29 users, every fourth window another tenant's spray). Its first part,
 * up to inside window {@value #SPLIT_BY_CHECKPOINT}'s spray, is in Kafka before the job is submitted
 * (by Flink's CLI, parallelism 2, checkpoints every 2 s); once its alerts are in Elasticsearch and two
 * more checkpoints hold the half spray, the rest streams at a pace while the job runs. The fault comes
 * as soon as the job writes the second batch's alerts ({@link #start} returns then); the stream from
 * inside window {@value #SPLIT_BY_FAULT}'s spray on waits for {@link #faultInjected}. The alerts are
 * then exactly those {@code jobs/replay} computes over the same messages: none lost, none duplicated
 * (the ids are deterministic, so an alert written again after the restore overwrites itself: its
 * {@code _version} rises, the count does not).
 */
final class MidStreamFault implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(240);
    private static final long WINDOW = 10 * MIN; // detection A's window
    static final int WINDOWS = 24;
    /** The first batch ends inside this window's spray: its first half must come back from the checkpoint. */
    static final int SPLIT_BY_CHECKPOINT = 6;
    /** The fault falls inside this window's spray: its second half is produced only after the fault. */
    static final int SPLIT_BY_FAULT = 12;
    /** Pause between the messages produced while the job runs, so records are in flight when the fault comes. */
    private static final long PACE_MILLIS = 100;

    private final Class<?> test;
    private final ClusterScenario scenario;
    private final LocalFlinkCluster cluster;
    private final String index;
    private final Map<String, JsonNode> expected;
    private final long firstBatchAlerts;
    private final int rest;
    private final int beforeFault;
    private final ExecutorService producing = Executors.newSingleThreadExecutor();
    private final CountDownLatch faultDone = new CountDownLatch(1);
    private final AtomicInteger sent = new AtomicInteger();
    private String jobId;
    private Future<?> producer;
    /** Messages sent when {@link #alertsNowMidStream} was called, just before the fault. */
    private int sentAtFault;

    private MidStreamFault(Class<?> test, ClusterScenario scenario, LocalFlinkCluster cluster, String index,
            Map<String, JsonNode> expected, long firstBatchAlerts, int rest, int beforeFault) {
        this.test = test;
        this.scenario = scenario;
        this.cluster = cluster;
        this.index = index;
        this.expected = expected;
        this.firstBatchAlerts = firstBatchAlerts;
        this.rest = rest;
        this.beforeFault = beforeFault;
    }

    /**
     * Computes the fault-free run's alerts (files under {@code dir}), produces the first part, submits
     * the job jar with {@code cliEnvironment} (its secrets), waits for the first batch's alerts and two
     * checkpoints, starts streaming the rest, and returns once the job writes the second batch's alerts:
     * the moment for the fault. Close it (it cancels the job) whatever happens.
     */
    static MidStreamFault start(Class<?> test, ClusterScenario scenario, LocalFlinkCluster cluster, Path jar,
            Map<String, String> cliEnvironment, String name, Path dir) throws Exception {
        String suffix = name + "-" + System.nanoTime();
        String topic = "signins-" + suffix;
        String index = "alerts-" + suffix;
        scenario.kafka().createTopic(topic, 2);

        List<Map.Entry<Integer, String>> all = new ArrayList<>();
        int[] windowStarts = new int[WINDOWS];
        for (int w = 0; w < WINDOWS; w++) {
            windowStarts[w] = all.size();
            all.addAll(window(w));
        }
        all.add(on(0, advanceTo(start(WINDOWS) + 6 * MIN))); // fires the last window
        all.add(on(1, advanceTo(start(WINDOWS) + 6 * MIN)));
        // each split falls after the window's first message, the spray's half on partition 0
        int splitByCheckpoint = windowStarts[SPLIT_BY_CHECKPOINT] + 1;
        int splitByFault = windowStarts[SPLIT_BY_FAULT] + 1;

        // the fault-free run: jobs/replay over the same messages, computed before the cluster is busy
        long r0 = System.nanoTime();
        Map<String, JsonNode> expected = ClusterScenario.replay(all, dir);
        ClusterScenario.timing(test, "replay of the " + all.size() + " messages (the fault-free run)", r0);
        assertEquals(WINDOWS + WINDOWS / 4, expected.size(), "one spray per window, another tenant's every fourth");
        assertEquals(30 + SPLIT_BY_CHECKPOINT % 7,
                alertOfWindow(expected, TestRecords.TENANT, SPLIT_BY_CHECKPOINT).at("/detection/unique_user_count").asInt());
        assertEquals(30 + SPLIT_BY_FAULT % 7,
                alertOfWindow(expected, TestRecords.TENANT, SPLIT_BY_FAULT).at("/detection/unique_user_count").asInt());
        // the first batch moves event time to 6 min into window SPLIT - 1: the windows before it fire
        long firstBatchAlerts = alertsEndingBy(expected, start(SPLIT_BY_CHECKPOINT - 1));
        assertTrue(firstBatchAlerts > 0 && firstBatchAlerts < expected.size());

        MidStreamFault run = new MidStreamFault(test, scenario, cluster, index, expected, firstBatchAlerts,
                all.size() - splitByCheckpoint, splitByFault - splitByCheckpoint);
        try {
            scenario.produce(topic, all.subList(0, splitByCheckpoint));
            long t0 = System.nanoTime();
            run.jobId = cluster.runWithCli(jar, scenario.jobArgs(topic, index, suffix), cliEnvironment);
            cluster.waitUntilRunning(run.jobId, TIMEOUT);
            scenario.waitForCount(index, firstBatchAlerts, TIMEOUT, run.jobId, true);
            ClusterScenario.timing(test, "submission to the first batch's " + firstBatchAlerts + " alerts", t0);
            // a checkpoint triggered after the first batch was processed: it holds the half spray
            int completed = cluster.checkpoints(run.jobId).at("/counts/completed").asInt();
            cluster.waitForCheckpoints(run.jobId, completed + 2, TIMEOUT);

            // the rest streams while the job runs; from the fault's window on, only after the fault
            run.producer = run.producing.submit(() -> {
                try (KafkaProducer<byte[], byte[]> p = scenario.producer()) {
                    for (int i = splitByCheckpoint; i < all.size(); i++) {
                        if (i == splitByFault && !run.faultDone.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                            throw new IllegalStateException("no fault within " + TIMEOUT);
                        }
                        ClusterScenario.send(p, topic, all.get(i));
                        run.sent.incrementAndGet();
                        if (i < splitByFault) Thread.sleep(PACE_MILLIS);
                    }
                }
                return null;
            });
            // the job is writing the second batch's alerts: the fault comes now
            scenario.waitForCount(index, firstBatchAlerts + 1, TIMEOUT, run.jobId, false);
            return run;
        } catch (Exception | Error e) {
            run.close();
            throw e;
        }
    }

    /** The job's id (the CLI printed it). */
    String jobId() {
        return jobId;
    }

    /** Alerts of the fault-free run. */
    int expectedAlerts() {
        return expected.size();
    }

    /**
     * Alerts in Elasticsearch now, just before the fault (the messages sent are noted too): asserts that
     * the fault comes mid-stream (after the first batch, before the end).
     */
    long alertsNowMidStream() {
        sentAtFault = sent.get();
        long alerts = scenario.count(index);
        assertTrue(alerts > firstBatchAlerts && alerts < expected.size(), "mid-stream: " + alerts);
        return alerts;
    }

    /** One line on what was there when the fault came: alerts, messages sent, the latest checkpoint. */
    void printAtFault(String fault, long alertsAtFault, long latestCheckpoint) {
        System.err.printf("%s: %s with %d of %d alerts in Elasticsearch, %d of the %d messages before the fault's "
                        + "window sent, latest completed checkpoint %d%n", test.getSimpleName(), fault, alertsAtFault,
                expected.size(), sentAtFault, beforeFault, latestCheckpoint);
    }

    /** The fault has happened: the rest of the stream goes to Kafka now. */
    void faultInjected() {
        faultDone.countDown();
    }

    /**
     * Waits until the whole stream is sent and every alert of the fault-free run is in Elasticsearch,
     * no more; prints the time since {@code faultNanos}.
     */
    void waitForAllAlerts(long faultNanos) throws Exception {
        producer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(rest, sent.get());
        scenario.waitForCount(index, expected.size(), TIMEOUT, jobId, true);
        ClusterScenario.timing(test, "kill to all " + expected.size() + " alerts in Elasticsearch", faultNanos);
    }

    /** Stops the stream and cancels the job. */
    @Override
    public void close() {
        producing.shutdownNow();
        if (jobId != null) cluster.cancel(jobId);
    }

    /**
     * The alerts in Elasticsearch are the fault-free run's (sources by {@code _id}); prints how many
     * were written again after the restore; no sign-in was dead-lettered. Returns that number.
     */
    long assertAlertsOfTheFaultFreeRun() throws Exception {
        Map<String, JsonNode> hits = scenario.alertsIn(index);
        assertEquals(expected, ClusterScenario.sources(hits), "the alerts of the fault-free run");
        long rewritten = hits.values().stream().filter(h -> h.path("_version").asInt() > 1).count();
        int maxVersion = hits.values().stream().mapToInt(h -> h.path("_version").asInt()).max().orElse(0);
        System.err.printf("%s: %d alerts expected, %d found, %d rewritten after the restore (_version > 1, at most %d)%n",
                test.getSimpleName(), expected.size(), hits.size(), rewritten, maxVersion);
        assertEquals(0, scenario.count("dead-" + index), "no sign-in dead-lettered (none late after the restore)");
        return rewritten;
    }

    private static long start(int window) {
        return T0 + window * WINDOW;
    }

    /**
     * Window {@code w}'s messages: a spray of 30-36 users over both partitions (alert), a near miss of
     * 29 users with another error code (no alert), every fourth window another tenant's spray of exactly
     * 30 users (alert), then event time on both partitions to 6 min into the window, which fires the
     * window before (the watermark trails the newest sign-in by 5 min).
     */
    private static List<Map.Entry<Integer, String>> window(int w) {
        long start = start(w);
        int sprayed = 30 + w % 7;
        List<Map.Entry<Integer, String>> m = new ArrayList<>();
        m.add(on(0, TestRecords.envelope(users(0, sprayed / 2, "w" + w + "-", start + MIN))));
        m.add(on(1, TestRecords.envelope(users(sprayed / 2, sprayed, "w" + w + "-", start + MIN))));
        List<Record> near = users(0, 29, "n" + w + "-", start + 2 * MIN);
        near.forEach(r -> r.errorCode(50053));
        m.add(on(w % 2, TestRecords.envelope(near)));
        if (w % 4 == 0) {
            List<Record> other = users(0, 30, "o" + w + "-", start + 3 * MIN);
            other.forEach(r -> r.tenant(TestRecords.OTHER_TENANT));
            m.add(on((w + 1) % 2, TestRecords.envelope(other)));
        }
        m.add(on(0, advanceTo(start + 6 * MIN)));
        m.add(on(1, advanceTo(start + 6 * MIN)));
        return m;
    }

    private static long alertsEndingBy(Map<String, JsonNode> alerts, long endMillis) {
        return alerts.values().stream()
                .filter(a -> Instant.parse(a.path("@timestamp").asText()).toEpochMilli() <= endMillis).count();
    }

    private static JsonNode alertOfWindow(Map<String, JsonNode> alerts, String tenant, int w) {
        String end = Instant.ofEpochMilli(start(w + 1)).toString();
        return alerts.values().stream()
                .filter(a -> a.at("/azure/tenant_id").asText().equals(tenant) && a.path("@timestamp").asText().equals(end))
                .findFirst().orElseThrow(() -> new AssertionError("no alert of window " + w + " for " + tenant));
    }
}
