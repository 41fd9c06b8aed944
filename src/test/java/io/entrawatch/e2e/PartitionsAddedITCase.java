package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawatch.config.EventTimeOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.ingest.ParsedMessage;
import io.entrawatch.ingest.SignInParser;
import io.entrawatch.pipeline.DetectionPipeline;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.entrawatch.e2e.EndToEnd.counter;
import static io.entrawatch.e2e.EndToEnd.secondsSince;
import static io.entrawatch.e2e.EndToEnd.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Partitions added to the Event Hub while the job runs (Event Hubs Premium and Dedicated can add
 * partitions to a hub; Kafka's {@code createPartitions} here). The production job reads a generated day
 * from a real broker of its own kind (SASL_SSL, PLAIN, {@code $ConnectionString}) at parallelism 2 with
 * {@code --source.partition-discovery 2 s} and writes into a real Elasticsearch. The hub has 2 partitions
 * for the first 40 % of the day; then it grows to 5 and the rest of the day is spread over partitions 0-3,
 * old and new alike, as Event Hubs spreads a stream over every partition once the count has grown.
 * Partition 4 stays empty: a new partition that receives nothing for a while.
 *
 * <p>The job must find the new partitions, read each from its first record (the connector starts
 * partitions found after the first discovery at the earliest offset), count every message once
 * (the gate's counters and the Kafka consumers' {@code records-consumed-total}), commit the offsets of
 * the new partitions, judge no sign-in late, and close every window after the growth although
 * partition 4 never sends a record (idleness, 1 min): the alert index ends up holding exactly the
 * alerts jobs/replay computes for the same messages in one file.
 *
 * <p>Why that result is well defined: a partition found after the others have advanced is read behind
 * the combined watermark, and a record of it whose window has already fired would be dead-lettered as
 * late by the window operator. So the first messages after the growth (the <em>bridge</em>: one to each
 * of partitions 0-3, the new partitions' last) are sent alone, and the rest only once the new partitions'
 * messages have been read; the test checks from the data that the bridge's new-partition sign-ins lie
 * within the out-of-orderness of everything sent to the old partitions before them, so no window of
 * theirs can have fired whenever discovery happens. From then on every partition has a split that holds
 * its reader's watermark, and the live job's per-partition lateness matches replay's (the generated day
 * delivers nothing more than 4 minutes behind the newest sign-in before it).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class PartitionsAddedITCase {
    private static final InMemoryReporter REPORTER = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots(REPORTER);

    private static final long SEED = 42;
    private static final long RECORDS = 20_000;
    private static final int PARTITIONS_BEFORE = 2;
    private static final int PARTITIONS_AFTER = 5;
    /** Partitions 0-3 carry the traffic after the growth; partition 4 stays empty. */
    private static final int WRITTEN_AFTER = 4;

    @TempDir
    Path dir;

    @Test
    void partitionsAddedWhileTheJobRunsAreReadOnceAndHoldNoWindowBack() throws Exception {
        LocalElasticsearch es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        LocalKafka kafka = LocalKafka.shared();
        String suffix = "partitions-added-" + System.nanoTime();
        String topic = "signins-" + suffix;
        String alertIndex = "alerts-" + suffix;
        String deadLetterIndex = "dead-letters-" + suffix;
        kafka.createTopic(topic, PARTITIONS_BEFORE);

        List<String> day = EndToEnd.generatedDay(SEED, RECORDS);
        int growAt = day.size() * 4 / 10;
        List<String> before = new ArrayList<>(day.subList(0, growAt));
        List<String> bridge = new ArrayList<>(day.subList(growAt, growAt + WRITTEN_AFTER));
        List<String> rest = new ArrayList<>(day.subList(growAt + WRITTEN_AFTER, day.size()));
        String flush = EndToEnd.flush(Instant.parse("2025-11-16T00:00:00Z"));
        List<Integer> beforeTo = roundRobin(before.size(), PARTITIONS_BEFORE);
        List<Integer> bridgeTo = roundRobin(bridge.size(), WRITTEN_AFTER); // 0, 1, then the new 2, 3
        List<Integer> restTo = roundRobin(rest.size(), WRITTEN_AFTER);

        List<String> all = new ArrayList<>(before);
        all.addAll(bridge);
        all.addAll(rest);
        all.add(flush);

        JobOptions defaults = JobOptions.defaults();
        long outOfOrderness = defaults.get(EventTimeOptions.MAX_OUT_OF_ORDERNESS).toMillis();
        SignInParser parser = DetectionPipeline.parser(defaults);
        long grownAt = newestSignIn(parser, before);
        long oldPartitionsNewest = Math.max(grownAt, newestSignIn(parser, bridge.subList(0, 2)));
        long newPartitionsOldest = oldestSignIn(parser, bridge.subList(2, 4));
        assertTrue(newPartitionsOldest >= oldPartitionsNewest - outOfOrderness, "the bridge's sign-ins on the new partitions ("
                + Instant.ofEpochMilli(newPartitionsOldest) + " on) lie within the out-of-orderness of the old partitions' newest ("
                + Instant.ofEpochMilli(oldPartitionsNewest) + "), so none of their windows can have fired when they are read");

        Map<String, JsonNode> expected = EndToEnd.replayAlerts(dir, all, defaults);
        long alertsAfterGrowth = expected.values().stream()
                .filter(a -> Instant.parse(a.path("@timestamp").asText()).toEpochMilli() > grownAt).count();
        assertTrue(expected.size() > 100, "the generated day raises well over 100 alerts: " + expected.size());
        assertTrue(alertsAfterGrowth > 10, "windows that end after the growth raise alerts: " + alertsAfterGrowth);

        // every message once; the flush once on each written partition
        long messages = all.size() + WRITTEN_AFTER - 1;
        long[] recordsAndSignIns = recordsAndSignIns(parser, all);
        long[] flushCounts = recordsAndSignIns(parser, List.of(flush));
        long records = recordsAndSignIns[0] + (WRITTEN_AFTER - 1) * flushCounts[0];
        long signIns = recordsAndSignIns[1] + (WRITTEN_AFTER - 1) * flushCounts[1];
        long[] sentTo = new long[PARTITIONS_AFTER];
        for (List<Integer> to : List.of(beforeTo, bridgeTo, restTo)) for (int p : to) sentTo[p]++;
        for (int p = 0; p < WRITTEN_AFTER; p++) sentTo[p]++; // the flush

        List<String> args = EndToEnd.jobArgs(kafka, topic, es, alertIndex, deadLetterIndex);
        args.addAll(List.of("--checkpoint.interval", "5 s", "--parallelism", "2", "--source.partition-discovery", "2 s"));
        JobClient job = EndToEnd.startJob(args, EndToEnd.secrets(kafka, es), "e2e partitions added");
        JobID id = job.getJobID();
        Growth g = new Growth();
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
        try {
            EndToEnd.send(kafka, topic, before, beforeTo);
            waitUntil(Duration.ofMinutes(5), () -> counter(REPORTER, id, "\\.entrawatch\\.messagesIn$") == before.size(),
                    "the job reading the " + before.size() + " messages sent before the growth");
            g.inIndexAtGrowth = EndToEnd.countOrMinusOne(es, alertIndex);

            // when the source is assigned the new partitions and reads their first record, polled every 20 ms
            long grown = System.nanoTime();
            AtomicLong assigned = new AtomicLong();
            AtomicLong firstRead = new AtomicLong();
            watcher.scheduleWithFixedDelay(() -> {
                Map<Integer, Long> now = offsets(id, topic);
                if (now.size() == PARTITIONS_AFTER) assigned.compareAndSet(0, System.nanoTime());
                if (now.entrySet().stream().anyMatch(e -> e.getKey() >= PARTITIONS_BEFORE && e.getValue() >= 0)) {
                    firstRead.compareAndSet(0, System.nanoTime());
                }
            }, 0, 20, TimeUnit.MILLISECONDS);
            kafka.addPartitions(topic, PARTITIONS_AFTER);
            g.createPartitions = secondsSince(grown);
            long bridgeSending = System.nanoTime();
            EndToEnd.send(kafka, topic, bridge, bridgeTo);
            g.bridgeSent = secondsSince(grown);
            waitUntil(Duration.ofMinutes(2), () -> assigned.get() != 0 && firstRead.get() != 0,
                    "the source to be assigned all " + PARTITIONS_AFTER + " partitions and read a new one (" + offsets(id, topic) + " so far)");
            watcher.shutdown();
            g.assigned = seconds(assigned.get() - grown);
            g.firstNewRecord = seconds(firstRead.get() - grown);
            g.firstNewRecordAfterSending = seconds(firstRead.get() - bridgeSending);
            waitUntil(Duration.ofMinutes(2), () -> counter(REPORTER, id, "\\.entrawatch\\.messagesIn$") == before.size() + bridge.size(),
                    "the job reading the bridge, on the new partitions too");
            g.bridgeRead = secondsSince(grown);

            EndToEnd.send(kafka, topic, rest, restTo);
            EndToEnd.sendToEveryPartition(kafka, topic, flush, WRITTEN_AFTER);
            g.restSent = secondsSince(grown);
            es.awaitCount(alertIndex, expected.size(), Duration.ofMinutes(10).toMillis());
            g.allAlerts = secondsSince(grown);

            waitUntil(Duration.ofMinutes(2), () -> counter(REPORTER, id, "\\.entrawatch\\.messagesIn$") >= messages,
                    "the job reading all " + messages + " messages");
            g.messagesIn = counter(REPORTER, id, "\\.entrawatch\\.messagesIn$");
            g.consumed = EndToEnd.consumedFromKafka(REPORTER, id);
            g.recordsIn = counter(REPORTER, id, "\\.entrawatch\\.recordsIn$");
            g.signIns = counter(REPORTER, id, "\\.entrawatch\\.signIns$");
            g.late = counter(REPORTER, id, "\\.entrawatch\\.lateRecords$");
            g.lateAtOperator = counter(REPORTER, id, "\\.lateAtOperator$");
            g.restarts = EndToEnd.numRestarts(REPORTER, id);
            g.offsets = offsets(id, topic);
            // committed on the checkpoints: each written partition up to its end; the empty one has nothing to commit
            Map<Integer, Long> ends = new TreeMap<>();
            for (int p = 0; p < WRITTEN_AFTER; p++) ends.put(p, sentTo[p]);
            waitUntil(Duration.ofMinutes(2), () -> committedWritten(kafka, topic).equals(ends),
                    "the group's committed offsets " + ends + " (now " + kafka.committedOffsets("e2e-" + topic, topic) + ")");
            g.committed = kafka.committedOffsets("e2e-" + topic, topic);
        } finally {
            watcher.shutdownNow();
            job.cancel().get(2, TimeUnit.MINUTES);
        }

        assertEquals(messages, g.messagesIn, "every message read once (the flush once on each written partition)");
        assertEquals(messages, g.consumed, "no message fetched twice from the broker");
        assertEquals(records, g.recordsIn, "every record counted once");
        assertEquals(signIns, g.signIns, "every sign-in counted once");
        assertEquals(0, g.late, "no sign-in judged late by the ingest gate");
        assertEquals(0, g.lateAtOperator, "no sign-in reached a window that had already fired");
        assertEquals(0, g.restarts, "the job kept running");
        Map<Integer, Long> lastRead = new TreeMap<>();
        for (int p = 0; p < PARTITIONS_AFTER; p++) lastRead.put(p, sentTo[p] - 1); // -1: nothing read
        assertEquals(lastRead, g.offsets, "each partition read to its last record; the empty one assigned, nothing read");
        assertTrue(g.committed.getOrDefault(WRITTEN_AFTER, 0L) == 0, "nothing committed beyond the start of the empty partition: "
                + g.committed);

        Map<String, JsonNode> actual = EndToEnd.documents(es, alertIndex);
        assertEquals(expected.keySet(), actual.keySet());
        assertEquals(expected, actual);
        assertEquals(expected.size(), es.count(alertIndex));
        g.overwritten = EndToEnd.overwritten(es, alertIndex);
        System.out.println(g.describe(expected.size(), alertsAfterGrowth, sentTo));
    }

    /** The group's committed offsets of partitions 0-3 (partition 4 may have none). */
    private static Map<Integer, Long> committedWritten(LocalKafka kafka, String topic) {
        Map<Integer, Long> committed = kafka.committedOffsets("e2e-" + topic, topic);
        committed.keySet().removeIf(p -> p >= WRITTEN_AFTER);
        return committed;
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e7) / 100.0;
    }

    private static List<Integer> roundRobin(int n, int partitions) {
        List<Integer> to = new ArrayList<>(n);
        for (int i = 0; i < n; i++) to.add(i % partitions);
        return to;
    }

    /**
     * The source's partitions of the topic and the offset of the last record it read from each
     * ({@code KafkaSourceReader.topic.<topic>.partition.<p>.currentOffset}, registered when the partition's
     * split is assigned to a reader; -1 until a record is read).
     */
    private static Map<Integer, Long> offsets(JobID id, String topic) {
        Pattern p = Pattern.compile("\\.KafkaSourceReader\\.topic\\." + Pattern.quote(topic) + "\\.partition\\.(\\d+)\\.currentOffset$");
        Map<Integer, Long> offsets = new TreeMap<>();
        for (Map.Entry<String, Metric> e : REPORTER.findMetrics(id, p.pattern()).entrySet()) {
            Matcher m = p.matcher(e.getKey());
            if (!m.find()) throw new IllegalStateException("unexpected metric " + e.getKey());
            offsets.put(Integer.parseInt(m.group(1)), ((Number) ((Gauge<?>) e.getValue()).getValue()).longValue());
        }
        return offsets;
    }

    private static List<ParsedMessage> parse(SignInParser parser, List<String> messages) {
        List<ParsedMessage> parsed = new ArrayList<>(messages.size());
        for (String m : messages) parsed.add(parser.parse(m.getBytes(StandardCharsets.UTF_8), "t", 0, parsed.size(), 0));
        return parsed;
    }

    private static long newestSignIn(SignInParser parser, List<String> messages) {
        return parse(parser, messages).stream().flatMap(m -> m.signIns.stream()).mapToLong(s -> s.timestamp).max().orElseThrow();
    }

    private static long oldestSignIn(SignInParser parser, List<String> messages) {
        return parse(parser, messages).stream().flatMap(m -> m.signIns.stream()).mapToLong(s -> s.timestamp).min().orElseThrow();
    }

    /** The records and the valid sign-ins of the messages, as the ingest gate counts them. */
    private static long[] recordsAndSignIns(SignInParser parser, List<String> messages) {
        long[] n = new long[2];
        for (ParsedMessage m : parse(parser, messages)) {
            n[0] += m.records;
            n[1] += m.signIns.size();
        }
        return n;
    }

    /** The figures of one run, printed for docs/testing.md. */
    private static final class Growth {
        long inIndexAtGrowth;
        double createPartitions;
        double bridgeSent;
        double assigned;
        double firstNewRecord;
        double firstNewRecordAfterSending;
        double bridgeRead;
        double restSent;
        double allAlerts;
        long messagesIn;
        long consumed;
        long recordsIn;
        long signIns;
        long late;
        long lateAtOperator;
        long restarts;
        long overwritten;
        Map<Integer, Long> offsets;
        Map<Integer, Long> committed;

        String describe(int alerts, long alertsAfterGrowth, long[] sentTo) {
            return String.format(Locale.ROOT, "partitions added (%d -> %d, discovery every 2 s): %d alerts expected (%d of windows"
                            + " that end after the growth), %d in the index at the growth; after the createPartitions call: it returned"
                            + " %.2f s, all partitions assigned %.2f s, first record read from a new partition %.2f s (%.2f s after its"
                            + " producer started), the bridge acknowledged %.2f s, the bridge read %.1f s, the rest sent %.1f s,"
                            + " all %d alerts present %.1f s; messages sent per partition %s; read %d messages (records-consumed-total"
                            + " %d), %d records, %d sign-ins; late %d, late at an operator %d; numRestarts %d; last offsets read %s,"
                            + " committed %s; documents written twice %d",
                    PARTITIONS_BEFORE, PARTITIONS_AFTER, alerts, alertsAfterGrowth, inIndexAtGrowth, createPartitions, assigned,
                    firstNewRecord, firstNewRecordAfterSending, bridgeSent, bridgeRead, restSent, alerts, allAlerts,
                    Arrays.toString(sentTo), messagesIn, consumed, recordsIn, signIns, late, lateAtOperator, restarts, offsets,
                    committed, overwritten);
        }
    }
}
