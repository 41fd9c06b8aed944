package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawatch.EntraWatchJob;
import io.entrawatch.ExceptionsTool;
import io.entrawatch.TestRecords;
import io.entrawatch.config.Secrets;
import io.entrawatch.detect.AlertDocuments;
import io.entrawatch.detect.spray.PasswordSprayDetection;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.e2e.EndToEnd.counter;
import static io.entrawatch.e2e.EndToEnd.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exceptions that change while the live job runs, end to end: the production wiring
 * ({@link EntraWatchJob#defineJob}) on a MiniCluster at parallelism 2, sign-ins from a real Kafka broker with
 * Event Hubs' authentication, alerts and the exceptions index in a real Elasticsearch 9 (HTTPS, basic auth),
 * the exceptions read every second ({@code --exceptions.refresh 1 s}) and managed with {@link ExceptionsTool},
 * the code of {@code jobs/exceptions}. Detection A (password spray, 31 distinct users in one 10-minute window of
 * a tenant) is the witness:
 *
 * <ol>
 *   <li>Before any exception, a spray from the scanner's address alerts.</li>
 *   <li>{@code add} an exception for the scanner's address in one tenant: once the gauges
 *       {@code entrawatch.exceptions.inForce} and {@code appliedAt} of every parallel instance of the broadcast
 *       operator show it applied, an equal spray from that address in that tenant raises no alert (its 31
 *       sign-ins are counted by {@code hiddenSignIns}), while the same address in another tenant and another
 *       address in the same tenant alert.</li>
 *   <li>{@code expire} it: once applied, a spray from the scanner's address with timestamps after the expiry
 *       alerts again.</li>
 *   <li>{@code add} an exception for an office's block, stop the job with a savepoint, close the exceptions
 *       index (searches of it fail, the source reports it unavailable), start the job from the savepoint: the
 *       restored set is in force and the office's spray raises no alert; a spray from elsewhere does.</li>
 * </ol>
 *
 * <p>Nothing is inferred from silence after a wait: a window "raised no alert" once detection A's output
 * watermark has passed its end on every subtask (its timers fired) and the rule's alert counter holds exactly
 * the expected alerts; the alert index is compared as a whole at the end.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ExceptionsLiveITCase {
    private static final InMemoryReporter REPORTER = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots(REPORTER);

    private static final int PARALLELISM = 2;
    private static final int PARTITIONS = 2;
    private static final int USERS = 31;
    private static final long WINDOW = 10 * MIN;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private static final String RULE_A = PasswordSprayDetection.RULE.id;
    private static final String RULE_A_NAME = PasswordSprayDetection.RULE.shortName;
    private static final String DETECTION_A_OPERATOR = "Detection A: password spray";

    /** The security team's scanner: excepted in {@link TestRecords#TENANT} only. */
    private static final String SCANNER = "198.51.100.10";
    /** An office's egress block, excepted in every tenant, and one of its addresses. */
    private static final String OFFICE_BLOCK = "198.51.100.128/25";
    private static final String OFFICE = "198.51.100.200";
    /** An address no exception names. */
    private static final String ELSEWHERE = "203.0.113.7";

    @TempDir
    Path dir;

    private LocalKafka kafka;
    private LocalElasticsearch es;
    private String topic;
    private String exceptionsIndex;

    @Test
    void exceptionsChangedWhileTheJobRunsHideLaterSignInsUntilExpiredAndSurviveARestartWithTheirIndexClosed()
            throws Exception {
        long testStarted = System.nanoTime();
        kafka = LocalKafka.shared();
        es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        String suffix = "exceptions-live-" + System.nanoTime();
        topic = "signins-" + suffix;
        String alertIndex = "alerts-" + suffix;
        exceptionsIndex = "entrawatch-" + suffix;
        kafka.createTopic(topic, PARTITIONS);
        Timings t = new Timings();
        t.servicesUp = EndToEnd.secondsSince(testStarted);

        List<String> args = EndToEnd.jobArgs(kafka, topic, es, alertIndex, "dead-letters-" + suffix);
        args.addAll(List.of("--exceptions.index", exceptionsIndex, "--exceptions.refresh", "1 s",
                "--checkpoint.interval", "2 s", "--parallelism", String.valueOf(PARALLELISM),
                // detection A is the witness; B's hours would never close on the flush records
                "--rare-app.enabled", "false"));
        Map<String, String> secrets = EndToEnd.secrets(kafka, es);

        // Windows 1-3 lie two hours back (before any expiry); 4-6 after the expiry of step 3.
        long base = floor(System.currentTimeMillis()) - 120 * MIN;
        long w1 = base;
        long w2 = base + 20 * MIN;
        long w3 = base + 30 * MIN;
        List<String> expected = new ArrayList<>();

        JobClient job = EndToEnd.startJob(args, secrets, "e2e exceptions live");
        JobClient running = job;
        try {
            JobID first = job.getJobID();

            // 1. No exception yet: the scanner's spray alerts.
            send(spray("before", TestRecords.TENANT, SCANNER, w1));
            flush(w1);
            expected.add(summary(TestRecords.TENANT, w1, SCANNER));
            awaitWindowsClosed(first, w1 + WINDOW, START_TIMEOUT);
            awaitAlerts(alertIndex, expected, first, TIMEOUT);
            waitUntil(TIMEOUT, () -> gauges(first, "appliedAt").size() == PARALLELISM,
                    "the exceptions operator's gauges on all " + PARALLELISM + " subtasks");

            t.firstAlert = EndToEnd.secondsSince(testStarted);

            // 2. jobs/exceptions add: the scanner, in TENANT only, from detection A.
            String scanner = "{\"id\":\"scanner\",\"rules\":[\"" + RULE_A + "\"],\"tenant\":\"" + TestRecords.TENANT
                    + "\",\"source\":{\"ip\":\"" + SCANNER + "\"},\"comment\":\"the security team's own scanner\","
                    + "\"created_by\":\"e2e\"}";
            long addCalled = System.currentTimeMillis();
            tool("add", scanner);
            t.addReturned = System.currentTimeMillis();
            t.addTook = t.addReturned - addCalled;
            t.addApplied = awaitApplied(first, 1, addCalled, "the exception 'scanner' after jobs/exceptions add");
            System.out.printf(Locale.ROOT, "exception in force on all %d subtasks %.2f s after jobs/exceptions add "
                            + "returned (add took %.2f s; applied at %s ms after it returned)%n", PARALLELISM,
                    (max(t.addApplied) - t.addReturned) / 1000.0, t.addTook / 1000.0, relative(t.addApplied, t.addReturned));

            // Arriving after it took effect: hidden in TENANT; the same address in another tenant and another
            // address in TENANT still alert.
            send(spray("hidden", TestRecords.TENANT, SCANNER, w2));
            send(spray("tenant", TestRecords.OTHER_TENANT, SCANNER, w2));
            send(spray("address", TestRecords.TENANT, ELSEWHERE, w3));
            flush(w3);
            expected.add(summary(TestRecords.OTHER_TENANT, w2, SCANNER));
            expected.add(summary(TestRecords.TENANT, w3, ELSEWHERE));
            awaitWindowsClosed(first, w3 + WINDOW, TIMEOUT);
            awaitAlerts(alertIndex, expected, first, TIMEOUT);
            assertEquals(USERS, hidden(first, "scanner"), "the scanner's 31 sign-ins in TENANT were hidden from A");

            // 3. jobs/exceptions expire: sign-ins after the expiry alert again.
            long expireCalled = System.currentTimeMillis();
            tool("expire", "scanner");
            t.expireReturned = System.currentTimeMillis();
            long expiredAt = Instant.parse(EndToEnd.JSON.readTree(es.get("/" + exceptionsIndex + "/_source/scanner"))
                    .path("expires").asText()).toEpochMilli();
            t.expireApplied = awaitApplied(first, 1, expireCalled, "the expiry of 'scanner'");
            System.out.printf(Locale.ROOT, "expiry in force on all %d subtasks %.2f s after jobs/exceptions expire returned%n",
                    PARALLELISM, (max(t.expireApplied) - t.expireReturned) / 1000.0);
            // the first window with room for the spray after the expiry: it starts less than a minute after the expiry
            long afterExpiry = expiredAt + 1000;
            if (floor(afterExpiry) != floor(afterExpiry + USERS * 1000L)) afterExpiry = floor(afterExpiry) + WINDOW;
            long w4 = floor(afterExpiry);
            send(spray("expired", TestRecords.TENANT, SCANNER, afterExpiry));
            flush(w4);
            expected.add(summary(TestRecords.TENANT, w4, SCANNER));
            awaitWindowsClosed(first, w4 + WINDOW, TIMEOUT);
            awaitAlerts(alertIndex, expected, first, TIMEOUT);
            assertEquals(USERS, hidden(first, "scanner"), "nothing more hidden after the expiry");

            // 4. A second exception, then a restart from a savepoint with the exceptions index closed.
            String office = "{\"id\":\"office\",\"rules\":[\"" + RULE_A + "\"],\"source.ip\":\"" + OFFICE_BLOCK
                    + "\",\"comment\":\"the office's egress: shared address, many mistyped passwords\"}";
            long officeCalled = System.currentTimeMillis();
            tool("add", office);
            awaitApplied(first, 2, officeCalled, "the exception 'office'");
            long stopping = System.nanoTime();
            String savepoint = io.entrawatch.testing.Savepoints.stop(job, false, dir.resolve("savepoints"), java.time.Duration.ofMinutes(2));
            job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
            running = null;
            t.savepoint = EndToEnd.secondsSince(stopping);

            es.postJson("/" + exceptionsIndex + "/_close", null);
            LocalElasticsearch.Response search = es.request("POST", "/" + exceptionsIndex + "/_search", "{}");
            assertEquals(400, search.status(), "Elasticsearch refuses to search the closed index: " + search.body());
            assertTrue(search.body().contains("index_closed_exception"), search.body());

            long restarting = System.nanoTime();
            JobClient restored = EndToEnd.startJobFrom(savepoint, args, secrets, "e2e exceptions live, restored");
            running = restored;
            JobID second = restored.getJobID();
            waitUntil(START_TIMEOUT, () -> counter(REPORTER, second, "\\.entrawatch\\.exceptions\\.sourceUnavailable$") >= 1,
                    "the restored job's exceptions source to report the closed index unavailable");
            waitUntil(TIMEOUT, () -> inForceEverywhere(second, 2, Long.MIN_VALUE),
                    "the restored set (2 exceptions) in force on all " + PARALLELISM + " subtasks while the index is closed"
                            + " (inForce " + gauges(second, "inForce") + ")");
            t.restoredInForce = EndToEnd.secondsSince(restarting);

            // the last flush is about 46 minutes ahead of the clock: within --event-time.max-ahead-of-clock (1 h)
            long w5 = w4 + 20 * MIN;
            long w6 = w5 + WINDOW;
            send(spray("office", TestRecords.TENANT, OFFICE, w5));
            send(spray("restored", TestRecords.TENANT, ELSEWHERE, w6));
            flush(w6);
            expected.add(summary(TestRecords.TENANT, w6, ELSEWHERE));
            awaitWindowsClosed(second, w6 + WINDOW, TIMEOUT);
            awaitAlertsAfterRestart(alertIndex, expected, second);
            assertEquals(USERS, hidden(second, "office"), "the office's 31 sign-ins were hidden by the restored set");
            assertEquals(0, hidden(second, "scanner"), "the expired exception hides nothing");
            assertTrue(counter(REPORTER, second, "\\.entrawatch\\.exceptions\\.sourceUnavailable$") >= 2,
                    "the index stayed unreadable while the restored set hid the office's spray");
            assertEquals(400, es.request("POST", "/" + exceptionsIndex + "/_search", "{}").status(), "still closed");
            assertEquals(JobStatus.RUNNING, restored.getJobStatus().get(30, TimeUnit.SECONDS));
        } finally {
            if (running != null) running.cancel().get(1, TimeUnit.MINUTES);
            es.request("DELETE", "/" + exceptionsIndex, null);
        }

        // The alert index as a whole: exactly the alerts that were not hidden.
        assertEquals(new TreeSet<>(expected), alertSummaries(alertIndex));
        System.out.printf(Locale.ROOT, "exceptions live: add -> in force on all subtasks %.2f s, expire -> in force %.2f s; "
                        + "stop with savepoint %.1f s; restored set in force %.1f s after the restart; test %.1f s (Kafka and "
                        + "Elasticsearch up at %.1f s, first alert at %.1f s)%n",
                (max(t.addApplied) - t.addReturned) / 1000.0, (max(t.expireApplied) - t.expireReturned) / 1000.0,
                t.savepoint, t.restoredInForce, EndToEnd.secondsSince(testStarted), t.servicesUp, t.firstAlert);
    }

    // ---------------------------------------------------------------------------------------------
    // Sign-ins.

    /** 31 users of {@code tenant} failing from {@code ip}, one a second from {@code first}, all in one window. */
    private static String spray(String label, String tenant, String ip, long first) {
        List<TestRecords.Record> records = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            records.add(TestRecords.sprayFailure(label + i + "@contoso.com", first + i * 1000L).tenant(tenant).ip(ip));
        }
        assertEquals(floor(first), floor(first + (USERS - 1) * 1000L), "one window");
        return TestRecords.envelope(records);
    }

    /** The window's spray, in one message on partition 0. */
    private void send(String message) {
        EndToEnd.send(kafka, topic, List.of(message), 1);
    }

    /** Event time past the window starting at {@code windowStart} (+ 5 min out-of-orderness) on every partition. */
    private void flush(long windowStart) {
        EndToEnd.sendToEveryPartition(kafka, topic, TestRecords.watermarkFlush(windowStart + WINDOW + 6 * MIN), PARTITIONS);
    }

    private static long floor(long millis) {
        return Math.floorDiv(millis, WINDOW) * WINDOW;
    }

    // ---------------------------------------------------------------------------------------------
    // jobs/exceptions and the job.

    /** {@code jobs/exceptions COMMAND ARGS} against the test's index, with the job's Elasticsearch options. */
    private void tool(String... command) {
        List<String> a = new ArrayList<>(List.of(command));
        a.addAll(List.of("--es.hosts", es.getUrl(), "--es.username", es.getUsername(), "--es.ca-file", es.getCaFile().toString(),
                "--exceptions.index", exceptionsIndex));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ExceptionsTool.run(a.toArray(new String[0]), Map.of(Secrets.ES_PASSWORD_ENV, es.getPassword()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String said = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        System.out.print("jobs/exceptions " + command[0] + ": " + said);
        assertEquals(0, status, "jobs/exceptions " + String.join(" ", command) + ": " + said);
    }

    // ---------------------------------------------------------------------------------------------
    // What the job reports.

    /** {@code entrawatch.exceptions.NAME} of each subtask of the exceptions operator, by metric identifier. */
    private static Map<String, Long> gauges(JobID job, String name) {
        Map<String, Long> values = new TreeMap<>();
        for (Map.Entry<String, Metric> e : REPORTER.findMetrics(job, "\\.entrawatch\\.exceptions\\." + name + "$").entrySet()) {
            if (e.getValue() instanceof Gauge<?> g) values.put(e.getKey(), ((Number) g.getValue()).longValue());
        }
        return values;
    }

    /** True when every subtask applied a set at or after {@code since} and holds {@code count} exceptions. */
    private static boolean inForceEverywhere(JobID job, int count, long since) {
        // appliedAt first: the operator sets inForce before appliedAt
        Map<String, Long> applied = gauges(job, "appliedAt");
        if (applied.size() != PARALLELISM || applied.values().stream().anyMatch(a -> a < since || a == 0)) return false;
        Map<String, Long> inForce = gauges(job, "inForce");
        return inForce.size() == PARALLELISM && inForce.values().stream().allMatch(n -> n == count);
    }

    /** Waits until a set applied at or after {@code since} holds {@code count} on every subtask; its appliedAt values. */
    private static List<Long> awaitApplied(JobID job, int count, long since, String what) throws InterruptedException {
        waitUntil(TIMEOUT, () -> inForceEverywhere(job, count, since), what + " in force on all " + PARALLELISM
                + " subtasks (inForce " + gauges(job, "inForce") + ", appliedAt " + gauges(job, "appliedAt") + ")");
        return new ArrayList<>(gauges(job, "appliedAt").values());
    }

    /** The sign-ins exception {@code id} hid from detection A, summed over the subtasks. */
    private static long hidden(JobID job, String id) {
        return counter(REPORTER, job, "\\.entrawatch\\.exceptions\\.exception\\." + Pattern.quote(id) + "\\.rule\\."
                + Pattern.quote(RULE_A_NAME) + "\\.hiddenSignIns$");
    }

    /** Detection A's alerts emitted by this job, summed over the subtasks. */
    private static long alertsEmitted(JobID job) {
        return counter(REPORTER, job, "\\.entrawatch\\.rule\\." + Pattern.quote(RULE_A_NAME) + "\\.alerts$");
    }

    /**
     * Waits until detection A's output watermark has passed {@code end} on every subtask: each window ending by
     * then has been evaluated (its timer fires before the watermark is passed on), alert or not.
     */
    private static void awaitWindowsClosed(JobID job, long end, Duration timeout) throws InterruptedException {
        waitUntil(timeout, () -> {
            Map<String, Metric> m = REPORTER.findMetrics(job, Pattern.quote(DETECTION_A_OPERATOR) + "\\.\\d+\\.currentOutputWatermark$");
            return m.size() == PARALLELISM && m.values().stream()
                    .allMatch(g -> g instanceof Gauge<?> w && ((Number) w.getValue()).longValue() >= end);
        }, "detection A's output watermark past " + Instant.ofEpochMilli(end) + " on all " + PARALLELISM + " subtasks");
    }

    /**
     * The job emitted exactly the expected alerts of detection A (all of its windows so far are closed) and
     * Elasticsearch holds them.
     */
    private void awaitAlerts(String alertIndex, List<String> expected, JobID job, Duration timeout) throws InterruptedException {
        assertEquals(expected.size(), alertsEmitted(job), "detection A's alerts: exactly " + expected);
        awaitIndexed(alertIndex, expected, timeout);
    }

    /** After the restart: the restored job emitted the alerts expected since it started, and the index holds all. */
    private void awaitAlertsAfterRestart(String alertIndex, List<String> expected, JobID job) throws InterruptedException {
        assertEquals(1, alertsEmitted(job), "the restored job's alerts of detection A: only " + expected.get(expected.size() - 1));
        awaitIndexed(alertIndex, expected, TIMEOUT);
    }

    private void awaitIndexed(String alertIndex, List<String> expected, Duration timeout) throws InterruptedException {
        waitUntil(timeout, () -> EndToEnd.countOrMinusOne(es, alertIndex) >= expected.size(),
                expected.size() + " alerts in " + alertIndex);
        assertEquals(new TreeSet<>(expected), alertSummaries(alertIndex));
    }

    /** Detection A's alerts in the index, as {@link #summary} lines, each checked against its deterministic id. */
    private TreeSet<String> alertSummaries(String alertIndex) {
        TreeSet<String> out = new TreeSet<>();
        for (Map.Entry<String, JsonNode> e : EndToEnd.documents(es, alertIndex).entrySet()) {
            JsonNode a = e.getValue();
            assertEquals(RULE_A, a.at("/rule/id").asText(), "only detection A alerts: " + a);
            String tenant = a.at("/azure/tenant_id").asText();
            long start = Instant.parse(a.at("/detection/window/start").asText()).toEpochMilli();
            assertEquals(AlertDocuments.documentId(RULE_A, tenant, 50126, start), e.getKey());
            out.add(tenant + " " + AlertDocuments.iso(start) + " " + a.at("/detection/unique_user_count").asInt() + " users from "
                    + a.at("/source/ip"));
        }
        return out;
    }

    /** An alert of detection A for {@code USERS} users of {@code tenant} from {@code ip} in the window at {@code start}. */
    private static String summary(String tenant, long start, String ip) {
        return tenant + " " + AlertDocuments.iso(start) + " " + USERS + " users from [\"" + ip + "\"]";
    }

    // ---------------------------------------------------------------------------------------------

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElseThrow();
    }

    private static String relative(List<Long> values, long from) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%+d", v - from)).toList().toString();
    }

    /** The figures printed at the end. */
    private static final class Timings {
        long addReturned;
        long addTook;
        List<Long> addApplied;
        long expireReturned;
        List<Long> expireApplied;
        double servicesUp;
        double firstAlert;
        double savepoint;
        double restoredInForce;
    }
}
