package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawatch.EntraWatchJob;
import io.entrawatch.TestRecords;
import io.entrawatch.TestRecords.Record;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.RunOptions;
import io.entrawatch.detect.rareapp.RareAppDetection;
import io.entrawatch.detect.spray.PasswordSprayDetection;
import io.entrawatch.detect.sso.SeamlessSsoSprayDetection;
import io.entrawatch.detect.validcreds.ValidCredentialsDetection;
import io.entrawatch.model.Categories;
import io.entrawatch.sink.elasticsearch.IndexTemplates;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;
import io.entrawatch.testing.Savepoints;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.entrawatch.e2e.EndToEnd.counter;
import static io.entrawatch.e2e.EndToEnd.secondsSince;
import static io.entrawatch.e2e.EndToEnd.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rescaling from a savepoint, end to end: the production wiring ({@link EntraWatchJob#defineJob}) on a MiniCluster
 * of four slots, a real Kafka broker with Event Hubs' authentication (one Event Hub of 4 partitions) and a real
 * Elasticsearch 9 (HTTPS, basic auth).
 *
 * <p>The stream is a generated day with a scenario planted around 12:25, the instant the savepoint is taken at:
 * a password spray (A) whose 10-minute window has 18 of its 32 users before the savepoint, the same address's
 * valid passwords (D, one hit before and one after, so stage 1's window and stage 2's open window are both
 * restored), an address that sprayed at 11:00 and whose valid password comes after the savepoint (D's spray
 * sources within their 24-hour reach), a Seamless SSO spray (C) with 4 of its 7 accounts before, and detection B's
 * pairs: an hour with 2 of its 3 failures before, a pair whose morning history (4 failures) keeps it quiet and one
 * whose morning alert suppresses the next.
 *
 * <p>Job 1 runs at parallelism 2 over the messages up to the savepoint instant and is stopped with a savepoint
 * (not drained). It runs with {@code --es.bulk.flush-interval 1 h}: the alerts it raised stay in its sink's buffer,
 * so the savepoint holds them in the writer state of the Elasticsearch sink. That savepoint is then restored
 * twice, each time into an empty alert index, with the rest of the day waiting in the Event Hub: at parallelism 4
 * (the 4 partitions' splits spread over 4 readers, the sink's 2 buffers over 4 writers, the keyed state's 128 key
 * groups over 4 instances) and at parallelism 1 (everything on one). Each time the alert index must end up
 * holding, document for document, the alerts of {@code jobs/replay} over the whole stream (none lost, none twice:
 * the count is checked; a rewrite of an {@code _id} is reported), every message must have been read exactly once
 * across the savepoint, and each partition by exactly one reader. In between, a restore with another
 * {@code --max-parallelism} must be refused.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class RescaleITCase {
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.slots(4, REPORTER);

    private static final long SEED = 42;
    private static final long RECORDS = 8_000;
    private static final int PARTITIONS = 4;
    private static final int BEFORE = 2;
    /** Alerts job 1 must have raised (and hold in its sink's buffer) when its savepoint is taken. */
    private static final int MIN_ALERTS_BEFORE = 20;
    private static final List<Integer> AFTER = List.of(4, 1);
    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    /** The savepoint is taken once the job has read every message up to this event time. */
    private static final long CUT = at("12:25:00");
    private static final String TENANT = TestRecords.TENANT;
    private static final String SPRAY_IP = "198.51.100.40";
    private static final String EARLIER_SPRAY_IP = "198.51.100.50";
    private static final String SSO_IP = "192.0.2.20";
    private static final String SSO_IP_2 = "192.0.2.21";
    private static final String CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
    private static final String POWERSHELL = "1950a258-227b-4e31-a9cf-717495945fc2";
    private static final String GRAPH_CLI = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

    /** The stateful operators of the production job whose state the savepoint must hold (keyed, or operator state). */
    private static final List<String> KEYED_UIDS = List.of("password-spray", "rare-app", "sso-spray-stage1", "sso-spray-stage2",
            "valid-credentials-stage1", "valid-credentials-stage2");
    private static final List<String> OPERATOR_STATE_UIDS = List.of("event-hubs-source", "ingest-gate", "alerts-to-elasticsearch");

    @TempDir
    Path dir;

    @Test
    void aSavepointOfParallelism2RestoresAtParallelism4AndAt1WithTheAlertsOfAnUninterruptedRun() throws Exception {
        long testStarted = System.nanoTime();
        LocalKafka kafka = LocalKafka.shared();
        LocalElasticsearch es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        String suffix = "rescale-" + System.nanoTime();
        String topic = "signins-" + suffix;
        String alertIndex = "alerts-" + suffix;
        kafka.createTopic(topic, PARTITIONS);
        Figures f = new Figures();
        f.servicesUp = secondsSince(testStarted);

        Traffic traffic = Traffic.build();
        String flush = EndToEnd.flush(Instant.parse("2025-11-16T00:00:00Z"));
        List<String> all = new ArrayList<>(traffic.messages);
        all.add(flush);
        Map<String, JsonNode> expected = EndToEnd.replayAlerts(dir, all, JobOptions.defaults());
        checkTheScenarioNeedsTheSavepointState(expected);
        f.expected = expected.size();

        List<String> args = EndToEnd.jobArgs(kafka, topic, es, alertIndex, "dead-letters-" + suffix);
        args.addAll(List.of("--checkpoint.interval", "2 s"));
        Map<String, String> secrets = EndToEnd.secrets(kafka, es);

        // Job 1, parallelism 2: the messages up to the savepoint instant, then stop with a savepoint.
        List<String> first = new ArrayList<>(args);
        first.addAll(List.of("--parallelism", String.valueOf(BEFORE), "--es.bulk.flush-interval", "1 h"));
        EndToEnd.send(kafka, topic, traffic.messages.subList(0, traffic.cut), PARTITIONS);
        JobClient job1 = EndToEnd.startJob(first, secrets, "e2e rescale: parallelism " + BEFORE);
        JobID id1 = job1.getJobID();
        String savepoint;
        try {
            waitUntil(TIMEOUT, () -> counter(REPORTER, id1, "\\.entrawatch\\.messagesIn$") == traffic.cut,
                    "job 1 to read the " + traffic.cut + " messages before the savepoint instant (read "
                            + counter(REPORTER, id1, "\\.entrawatch\\.messagesIn$") + ")");
            // reading the messages is not enough: the windows they close fire once the watermark reaches the
            // detections, a moment later; the savepoint must hold alerts in the sink's buffer
            waitUntil(TIMEOUT, () -> alertsRaised(id1) > MIN_ALERTS_BEFORE,
                    "job 1 to raise more than " + MIN_ALERTS_BEFORE + " alerts before the savepoint (raised " + alertsRaised(id1) + ")");
            f.readersBefore = readers(id1, topic, BEFORE);
            long stopping = System.nanoTime();
            savepoint = Savepoints.stop(job1, false, dir.resolve("savepoints"), TIMEOUT);
            job1.getJobExecutionResult().get(2, TimeUnit.MINUTES);
            f.savepoint = secondsSince(stopping);
        } catch (Throwable t) {
            job1.cancel();
            throw t;
        }
        // read once the job has ended (the reporter keeps its metrics): nothing fires after a savepoint without drain
        f.raisedBefore = alertsRaised(id1);
        assertEquals(BEFORE, new TreeSet<>(f.readersBefore.values()).size(), "both readers of job 1 read partitions: " + f.readersBefore);
        assertTrue(f.raisedBefore > MIN_ALERTS_BEFORE, "job 1 raised alerts before the savepoint: " + f.raisedBefore);
        assertTrue(EndToEnd.countOrMinusOne(es, alertIndex) <= 0, "job 1's alerts are still in its sink's buffer (flush interval 1 h)");
        describeSavepoint(savepoint, f);

        // The rest of the day waits in the Event Hub while the job is away.
        EndToEnd.send(kafka, topic, traffic.messages.subList(traffic.cut, traffic.messages.size()), PARTITIONS);
        EndToEnd.sendToEveryPartition(kafka, topic, flush, PARTITIONS);

        for (int parallelism : AFTER) {
            // the alert index is a write alias on its first backing index: deleting that deletes both, and the restored
            // job's sink bootstraps them again
            LocalElasticsearch.Response deleted = es.request("DELETE", "/" + IndexTemplates.firstBackingIndex(alertIndex), null);
            assertTrue(deleted.status() == 200 || deleted.status() == 404, "DELETE the alert index: " + deleted);
            assertTrue(EndToEnd.countOrMinusOne(es, alertIndex) <= 0, "an empty alert index for the restore at parallelism " + parallelism);
            List<String> restoredArgs = new ArrayList<>(args);
            restoredArgs.addAll(List.of("--parallelism", String.valueOf(parallelism)));
            Restore r = new Restore(parallelism);
            long submitted = System.nanoTime();
            JobClient job = EndToEnd.startJobFrom(savepoint, restoredArgs, secrets, "e2e rescale: restored at parallelism " + parallelism);
            JobID id = job.getJobID();
            try {
                waitUntil(TIMEOUT, () -> REPORTER.findMetrics(id, "\\.entrawatch\\.messagesIn$").size() == parallelism,
                        "the restored job's " + parallelism + " ingest gates to open (their state restored)");
                r.restored = secondsSince(submitted);
                es.awaitCount(alertIndex, expected.size(), TIMEOUT.toMillis());
                r.allAlerts = secondsSince(submitted);
                r.readers = readers(id, topic, parallelism);
                r.read = counter(REPORTER, id, "\\.entrawatch\\.messagesIn$");
                r.raised = alertsRaised(id);
            } finally {
                job.cancel().get(2, TimeUnit.MINUTES);
            }
            Map<String, JsonNode> actual = EndToEnd.documents(es, alertIndex);
            assertEquals(expected.keySet(), actual.keySet(), "alert ids after the restore at parallelism " + parallelism);
            assertEquals(expected, actual, "alerts after the restore at parallelism " + parallelism);
            r.rewrites = EndToEnd.overwritten(es, alertIndex);
            assertEquals(traffic.messages.size() - traffic.cut + PARTITIONS, r.read,
                    "the restored job read every message after the savepoint once (and the flush on each partition)");
            assertEquals(expected.size(), f.raisedBefore + r.raised, "alerts raised before the savepoint + by the restored job");
            assertEquals(PARTITIONS, r.readers.size(), "every partition has a reader: " + r.readers);
            assertEquals(Math.min(parallelism, PARTITIONS), new TreeSet<>(r.readers.values()).size(),
                    "the partitions' splits are spread over the readers: " + r.readers);
            f.restores.add(r);

            if (parallelism == AFTER.get(0)) f.refusal = refusedWithAnotherMaximumParallelism(savepoint, args, secrets);
        }
        f.test = secondsSince(testStarted);
        System.out.println(f.describe(traffic));
    }

    // ---------------------------------------------------------------------------------------------
    // The stream.

    private static long at(String hhmmss) {
        return Instant.parse("2025-11-14T" + hhmmss + "Z").toEpochMilli();
    }

    /** The generated day with the planted scenario merged in at its event times; {@code cut}: messages before the savepoint. */
    private record Traffic(List<String> messages, int cut, int generated, int planted) {
        static Traffic build() {
            List<String> day = EndToEnd.generatedDay(SEED, RECORDS);
            List<Record> plant = plant();
            plant.sort(Comparator.comparingLong(r -> r.ts));
            List<String> out = new ArrayList<>();
            int next = 0;
            int cut = -1;
            long clock = Long.MIN_VALUE;
            for (String message : day) {
                clock = Math.max(clock, latest(message));
                // a planted sign-in goes right before the first generated message that is later than it
                while (next < plant.size() && plant.get(next).ts < clock && plant.get(next).ts <= CUT) {
                    out.add(TestRecords.envelope(List.of(plant.get(next++))));
                }
                if (cut < 0 && clock > CUT) cut = out.size();
                while (next < plant.size() && plant.get(next).ts < clock) out.add(TestRecords.envelope(List.of(plant.get(next++))));
                out.add(message);
            }
            assertEquals(plant.size(), next, "every planted sign-in lies inside the generated day");
            assertTrue(cut > day.size() / 3 && cut < day.size(), "the savepoint instant is mid-stream: message " + cut);
            return new Traffic(out, cut, day.size(), plant.size());
        }

        /** The latest createdDateTime of a generated message ({"records": [...]}, [...] or one record). */
        private static long latest(String message) {
            try {
                JsonNode root = EndToEnd.JSON.readTree(message);
                JsonNode records = root.has("records") ? root.get("records") : root.isArray() ? root : EndToEnd.JSON.createArrayNode().add(root);
                long max = Long.MIN_VALUE;
                for (JsonNode r : records) {
                    String t = r.at("/properties/createdDateTime").asText(null);
                    if (t != null) max = Math.max(max, OffsetDateTime.parse(t).toInstant().toEpochMilli());
                }
                return max;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static Record failure(String upn, String ip, long ts) {
        return TestRecords.sprayFailure(upn, ts).ip(ip);
    }

    private static Record interactiveFailure(String upn, String appId, String appName, String ip, long ts) {
        return TestRecords.sprayFailure(upn, ts).category(Categories.SIGN_IN_LOGS).interactive(true)
                .auth("multiFactorAuthentication").app(appId, appName).ip(ip);
    }

    private static Record validPassword(String upn, String ip, Integer code, long ts) {
        return TestRecords.sprayFailure(upn, ts).category(Categories.SIGN_IN_LOGS).interactive(true).errorCode(code).ip(ip);
    }

    /** The sign-ins planted around the savepoint instant (12:25), in tenant {@link TestRecords#TENANT}. */
    private static List<Record> plant() {
        List<Record> r = new ArrayList<>();
        // B's history: 4 failures in the morning (no alert, more than 3), one more after the savepoint: still none
        for (int i = 0; i < 4; i++) {
            r.add(interactiveFailure("rare.hist@contoso.com", POWERSHELL, "Microsoft Azure PowerShell", "198.51.100.31", at("09:10:00") + i * 60_000L));
        }
        r.add(interactiveFailure("rare.hist@contoso.com", POWERSHELL, "Microsoft Azure PowerShell", "198.51.100.31", at("12:40:00")));
        // B's suppression: alerts at 10:00, and the failure after the savepoint is silenced by it
        r.add(interactiveFailure("rare.supp@contoso.com", GRAPH_CLI, "Microsoft Graph Command Line Tools", "198.51.100.32", at("09:20:00")));
        r.add(interactiveFailure("rare.supp@contoso.com", GRAPH_CLI, "Microsoft Graph Command Line Tools", "198.51.100.32", at("12:45:00")));
        // B's open hour: 2 failures before the savepoint, 1 after: one alert at 13:00 with 3
        for (String t : List.of("12:05:00", "12:15:00", "12:35:00")) {
            r.add(interactiveFailure("rare.open@contoso.com", CLI, "Microsoft Azure CLI", "198.51.100.30", at(t)));
        }
        // D: an address that sprayed 6 users at 11:00, a valid password from it after the savepoint (MFA stopped it)
        for (int i = 1; i <= 6; i++) r.add(failure("d.user" + i + "@contoso.com", EARLIER_SPRAY_IP, at("11:00:00") + i * 60_000L));
        r.add(validPassword("d.user1@contoso.com", EARLIER_SPRAY_IP, 50074, at("12:41:00")));
        // A and D: [12:20, 12:30), 18 users before the savepoint and 14 after; valid passwords before and after
        for (int i = 1; i <= 32; i++) {
            long ts = i <= 18 ? at("12:20:10") + i * 10_000L : at("12:25:30") + (i - 18) * 10_000L;
            r.add(failure(String.format(Locale.ROOT, "s.user%02d@contoso.com", i), SPRAY_IP, ts));
        }
        r.add(validPassword("s.user02@contoso.com", SPRAY_IP, null, at("12:24:00")));
        r.add(validPassword("s.user05@contoso.com", SPRAY_IP, null, at("12:28:30")));
        // C: [12:00, 13:00), 4 accounts with 81016 before the savepoint and 3 after; the two addresses' other
        // sign-ins of the hour before it (stage 2's tables)
        for (int i = 1; i <= 4; i++) r.add(failure("sso.b" + i + "@contoso.com", SSO_IP, at("12:00:00") + i * 5 * 60_000L).errorCode(81016));
        r.add(validPassword("sso.b1@contoso.com", SSO_IP, null, at("12:12:00")));
        r.add(interactiveFailure("sso.b9@contoso.com", CLI, "Microsoft Azure CLI", SSO_IP_2, at("12:18:00")));
        r.add(failure("sso.b5@contoso.com", SSO_IP, at("12:30:00")).errorCode(81016));
        r.add(failure("sso.b6@contoso.com", SSO_IP, at("12:35:00")).errorCode(81016));
        r.add(failure("sso.b7@contoso.com", SSO_IP_2, at("12:40:00")).errorCode(81016));
        return r;
    }

    /**
     * The uninterrupted run's alerts that only the savepoint's state can give: windows open at 12:25 whose evidence
     * came partly before it, and B's history. Checked on jobs/replay's alerts, which the restored jobs must equal.
     */
    private static void checkTheScenarioNeedsTheSavepointState(Map<String, JsonNode> expected) {
        List<JsonNode> a = find(expected, PasswordSprayDetection.RULE.id, d -> d.at("/detection/window/start").asText().equals("2025-11-14T12:20:00Z")
                && d.at("/azure/tenant_id").asText().equals(TENANT));
        assertEquals(1, a.size(), "A for the window open at the savepoint");
        assertEquals(32, a.get(0).at("/detection/unique_user_count").asLong(), "A counts the 18 users before the savepoint");

        List<JsonNode> d = find(expected, ValidCredentialsDetection.RULE.id, x -> x.at("/source/ip").asText().equals(SPRAY_IP));
        assertEquals(List.of("s.user02@contoso.com", "s.user05@contoso.com"), d.stream().map(x -> x.at("/user/name").asText()).sorted().toList(),
                "D for the hits before and after the savepoint");
        for (JsonNode x : d) assertEquals(32, x.at("/detection/spray/failed_user_count").asLong(), "D's spray window with both halves");
        List<JsonNode> earlier = find(expected, ValidCredentialsDetection.RULE.id, x -> x.at("/source/ip").asText().equals(EARLIER_SPRAY_IP));
        assertEquals(1, earlier.size(), "D for the 11:00 spray source's valid password after the savepoint");
        assertEquals("2025-11-14T11:00:00Z", earlier.get(0).at("/detection/spray/window/start").asText());

        List<JsonNode> c = find(expected, SeamlessSsoSprayDetection.RULE.id, x -> x.at("/source/ip").asText().equals(SSO_IP));
        assertFalse(c.isEmpty(), "C for the hour open at the savepoint");
        for (JsonNode x : c) assertEquals(7, x.at("/detection/distinct_accounts").asLong(), "C counts the 4 accounts before the savepoint");

        assertEquals(List.of("2025-11-14T13:00:00Z 3"), rareApp(expected, "rare.open@contoso.com"), "B's hour open at the savepoint");
        assertEquals(List.of(), rareApp(expected, "rare.hist@contoso.com"), "B's 14-day history keeps rare.hist quiet");
        assertEquals(List.of("2025-11-14T10:00:00Z 1"), rareApp(expected, "rare.supp@contoso.com"), "B's suppression after 10:00");
    }

    private static List<JsonNode> find(Map<String, JsonNode> alerts, String rule, Predicate<JsonNode> which) {
        return alerts.values().stream().filter(x -> x.at("/rule/id").asText().equals(rule) && which.test(x)).toList();
    }

    /** B's alerts of a user: "@timestamp failed_count". */
    private static List<String> rareApp(Map<String, JsonNode> alerts, String upn) {
        return find(alerts, RareAppDetection.RULE.id, x -> x.at("/azure/signinlogs/properties/user_principal_name").asText().equals(upn))
                .stream().map(x -> x.at("/@timestamp").asText() + " " + x.at("/detection/failed_count").asLong()).sorted().toList();
    }

    // ---------------------------------------------------------------------------------------------
    // The savepoint and the jobs.

    /** Every stateful operator has state in the savepoint; its sizes go into the figures. */
    private static void describeSavepoint(String savepoint, Figures f) throws IOException {
        CheckpointMetadata metadata = Savepoints.metadata(savepoint);
        Map<String, OperatorState> byUid = new HashMap<>();
        for (String uid : KEYED_UIDS) byUid.put(uid, null);
        for (String uid : OPERATOR_STATE_UIDS) byUid.put(uid, null);
        for (OperatorState s : metadata.getOperatorStates()) {
            for (String uid : byUid.keySet()) if (Savepoints.operatorId(uid).equals(s.getOperatorID())) byUid.put(uid, s);
        }
        for (Map.Entry<String, OperatorState> e : byUid.entrySet()) {
            OperatorState s = e.getValue();
            assertTrue(s != null, "the savepoint has the operator " + e.getKey());
            assertEquals(JobOptions.defaults().get(RunOptions.MAX_PARALLELISM), s.getMaxParallelism(), "maximum parallelism of " + e.getKey());
            assertEquals(BEFORE, s.getParallelism(), "parallelism of " + e.getKey());
            boolean keyed = KEYED_UIDS.contains(e.getKey());
            Predicate<OperatorSubtaskState> has = keyed ? x -> !x.getManagedKeyedState().isEmpty() : x -> !x.getManagedOperatorState().isEmpty();
            long subtasks = s.getStates().stream().filter(has).count();
            assertTrue(subtasks > 0, "the savepoint's state of " + e.getKey() + " is empty");
            // the source: both readers' splits; the gate: both its maxima; the sink: job 1's alerts in both writers
            if (!keyed) assertEquals(BEFORE, subtasks, "operator state of " + e.getKey() + " on every subtask");
            f.stateBytes.put(e.getKey(), s.getStateSize());
        }
    }

    /** Restoring with another maximum parallelism fails: the key groups of the savepoint are fixed. */
    private static String refusedWithAnotherMaximumParallelism(String savepoint, List<String> args, Map<String, String> secrets)
            throws Exception {
        List<String> other = new ArrayList<>(args);
        other.addAll(List.of("--parallelism", String.valueOf(BEFORE), "--max-parallelism", "256"));
        JobClient job = EndToEnd.startJobFrom(savepoint, other, secrets, "e2e rescale: another maximum parallelism");
        ExecutionException e = assertThrows(ExecutionException.class, () -> job.getJobExecutionResult().get(2, TimeUnit.MINUTES));
        Throwable cause = ExceptionUtils.findThrowableWithMessage(e, "with max parallelism 128 to new program with max parallelism 256").orElseThrow(
                () -> new AssertionError("the restore with --max-parallelism 256 failed for another reason", e));
        Matcher m = Pattern.compile("Cannot map operator \\w+ with max parallelism \\d+ to new program with max parallelism \\d+")
                .matcher(cause.getMessage());
        return m.find() ? m.group() : cause.getMessage();
    }

    /** Alerts the job's detections raised (every rule's {@code alerts} counter, summed over subtasks). */
    private static long alertsRaised(JobID job) {
        return counter(REPORTER, job, "\\.entrawatch\\.rule\\..+\\.alerts$");
    }

    /**
     * Which source subtask reads each partition of {@code topic} (the Kafka reader registers a {@code currentOffset}
     * gauge per partition it is assigned); waits until all partitions have one.
     */
    private static Map<Integer, Integer> readers(JobID job, String topic, int parallelism) throws InterruptedException {
        Pattern p = Pattern.compile("\\.(\\d+)\\.KafkaSourceReader\\.topic\\." + Pattern.quote(topic) + "\\.partition\\.(\\d+)\\.currentOffset$");
        Map<Integer, Integer> readers = new TreeMap<>();
        waitUntil(TIMEOUT, () -> {
            readers.clear();
            for (String name : REPORTER.findMetrics(job, p.pattern()).keySet()) {
                Matcher m = p.matcher(name);
                if (!m.find()) continue;
                Integer before = readers.put(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(1)));
                if (before != null && before != Integer.parseInt(m.group(1))) throw new AssertionError("partition " + m.group(2)
                        + " is read by subtasks " + before + " and " + m.group(1));
            }
            return readers.size() == PARTITIONS;
        }, "a reader for each of the " + PARTITIONS + " partitions at parallelism " + parallelism + " (metrics "
                + REPORTER.findMetrics(job, "KafkaSourceReader.*currentOffset$").keySet() + ")");
        return readers;
    }

    // ---------------------------------------------------------------------------------------------

    /** One restore's figures. */
    private static final class Restore {
        final int parallelism;
        double restored;
        double allAlerts;
        long read;
        long raised;
        long rewrites;
        Map<Integer, Integer> readers;

        Restore(int parallelism) {
            this.parallelism = parallelism;
        }
    }

    /** The figures printed at the end. */
    private static final class Figures {
        double servicesUp;
        int expected;
        long raisedBefore;
        Map<Integer, Integer> readersBefore;
        double savepoint;
        final Map<String, Long> stateBytes = new TreeMap<>();
        final List<Restore> restores = new ArrayList<>();
        String refusal;
        double test;

        String describe(Traffic s) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "rescale: %d messages (%d generated, %d planted), savepoint "
                            + "after message %d at parallelism %d, stop with savepoint %.1f s; %d alerts expected, %d raised before the "
                            + "savepoint (held in the sink's state), readers by partition %s", s.messages.size(), s.generated, s.planted, s.cut,
                    BEFORE, savepoint, expected, raisedBefore, readersBefore));
            for (Restore r : restores) {
                b.append(String.format(Locale.ROOT, "; restored at parallelism %d: state restored %.1f s, all %d alerts in Elasticsearch "
                                + "%.1f s after the submission, %d raised after the restore, %d messages read, rewrites %d, readers by "
                                + "partition %s", r.parallelism, r.restored, expected, r.allAlerts, r.raised, r.read, r.rewrites, r.readers));
            }
            b.append(String.format(Locale.ROOT, "; state bytes %s; --max-parallelism 256 refused (%s); test %.1f s (services up at %.1f s)",
                    stateBytes, refusal, test, servicesUp));
            return b.toString();
        }
    }
}
