package io.entrawatch.pipeline;

import io.entrawatch.TestRecords.Record;
import io.entrawatch.TestRecords;
import io.entrawatch.config.EventTimeOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.RareAppOptions;
import io.entrawatch.config.ReplayOptions;
import io.entrawatch.replay.ReplayJob;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Far timestamps through the replay pipeline (docs/event-time.md, EventTimeGuard): a sign-in a year
 * ahead does not make later sign-ins late, one from last year costs one late dead letter, and ordinary
 * data with a gap of days gets exactly the output of a plain watermark.
 */
class FarTimestampsITCase {
    /** The guard is on by default (docs/event-time.md, {@code --event-time.max-ahead 1 d}): these tests run the defaults. */
    private static final JobOptions GUARDED = JobOptions.defaults();

    private static final long DAY = 24 * 60 * MIN;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    /** Sprays over two hours from start, some alerting; arrival disorder up to 4 min, plus a few 30 min late. */
    private static List<Record> spray(long start, long seed) {
        Random rnd = new Random(seed);
        List<Record> records = new ArrayList<>();
        for (int w = 0; w < 12; w++) {
            long windowStart = start + w * 10 * MIN;
            int users = 27 + rnd.nextInt(8); // 27..34: some windows alert, some do not
            int code = rnd.nextBoolean() ? 50126 : 50053;
            for (int u = 0; u < users; u++) {
                records.add(TestRecords.sprayFailure("user" + u + "@x.com", windowStart + rnd.nextInt(10 * 60_000))
                        .errorCode(code));
            }
        }
        Map<Record, Long> arrival = new HashMap<>();
        for (Record r : records) arrival.put(r, r.ts + (rnd.nextInt(40) == 0 ? 30 * MIN : rnd.nextInt(4 * 60_000)));
        records.sort((a, b) -> Long.compare(arrival.get(a), arrival.get(b)));
        return records;
    }

    private static List<String> messages(List<Record> records) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < records.size(); i += 13) out.add(TestRecords.envelope(records.subList(i, Math.min(records.size(), i + 13))));
        return out;
    }

    private record Run(ReplayJob.Summary summary, List<String> alerts, List<String> deadLetters) {}

    private Run replay(String name, List<String> messages, JobOptions options) throws Exception {
        Path in = dir.resolve(name + ".in.ndjson");
        Files.write(in, messages, StandardCharsets.UTF_8);
        Path out = dir.resolve(name + ".out.ndjson");
        Path dlq = dir.resolve(name + ".dlq.ndjson");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        // Detection A and C: B would alert on every sprayed user; its hourly lateness is the same gate.
        ReplayJob.Summary s = ReplayJob.run(env, in, out, options.with(ReplayOptions.DEAD_LETTERS, dlq.toString())
                .with(RareAppOptions.ENABLED, "false"));
        List<String> dead = Files.readAllLines(dlq).stream()
                .map(l -> l.replaceAll("\"(@timestamp|topic)\":\"[^\"]*\"", "")).sorted()
                .collect(Collectors.toList());
        return new Run(s, Files.readAllLines(out), dead);
    }

    @Test
    void aSignInAYearAheadMakesNothingLateAndOneFromLastYearCostsOneLateDeadLetter() throws Exception {
        List<Record> clean = spray(T0, 11);
        Run cleanRun = replay("clean", messages(clean), GUARDED);
        assertTrue(cleanRun.alerts.size() >= 3, "the scenario alerts: " + cleanRun.alerts.size());

        List<String> hostile = new ArrayList<>(messages(clean));
        // two years ahead (also ahead of the machine's clock: replay must not judge by the clock) and
        // successful, so no detection counts it; and a failure from last year, behind the watermark
        hostile.add(hostile.size() / 3, TestRecords.envelope(List.of(
                TestRecords.sprayFailure("future@x.com", T0 + 730 * DAY).errorCode(0))));
        hostile.add(hostile.size() / 2, TestRecords.envelope(List.of(TestRecords.sprayFailure("old@x.com", T0 - 365 * DAY))));
        Run run = replay("hostile", hostile, GUARDED);

        assertEquals(cleanRun.alerts, run.alerts, "the alerts of the clean run, byte for byte");
        assertEquals(cleanRun.summary.late + 1, run.summary.late, "the old sign-in is one late dead letter");
        assertEquals(0, run.summary.malformed, "replay does not judge by the wall clock");
        assertEquals(1, run.deadLetters.size() - cleanRun.deadLetters.size());
        assertTrue(run.deadLetters.stream().anyMatch(l -> l.contains("\"kind\":\"late\"") && l.contains("old@x.com")));

        // Without the rule (a plain watermark) the same input loses the alerts after the future sign-in.
        Run plain = replay("plain", hostile, JobOptions.defaults().with(EventTimeOptions.MAX_AHEAD, "0 ms"));
        assertNotEquals(cleanRun.alerts, plain.alerts);
        assertTrue(plain.summary.late > 100, "a plain watermark makes everything after it late: " + plain.summary.late);
    }

    @Test
    void ordinaryDataWithAGapOfDaysGivesExactlyThePlainWatermarksOutput() throws Exception {
        List<Record> records = new ArrayList<>(spray(T0, 21));
        records.addAll(spray(T0 + 3 * DAY, 22)); // three quiet days, then more traffic, still out of order
        List<String> messages = messages(records);
        Run guarded = replay("guarded", messages, GUARDED);
        Run plain = replay("plain", messages, JobOptions.defaults().with(EventTimeOptions.MAX_AHEAD, "0 ms"));
        assertTrue(guarded.summary.late > 0, "the scenario has late sign-ins");
        assertTrue(guarded.alerts.size() >= 6, "both days alert: " + guarded.alerts.size());
        assertEquals(plain.alerts, guarded.alerts);
        assertEquals(plain.summary.late, guarded.summary.late);
        assertEquals(plain.deadLetters, guarded.deadLetters);
    }

    @Test
    void anOldSignInFirstOnItsPartitionIsCountedOnceAndChangesNothingElse() throws Exception {
        List<Record> clean = spray(T0, 31);
        Run cleanRun = replay("clean", messages(clean), GUARDED);
        List<String> hostile = new ArrayList<>(messages(clean));
        hostile.add(0, TestRecords.envelope(List.of(TestRecords.sprayFailure("old@x.com", T0 - 365 * DAY))));
        Run run = replay("oldfirst", hostile, GUARDED);
        assertEquals(cleanRun.alerts, run.alerts);
        assertEquals(cleanRun.summary.late, run.summary.late, "nothing to be late against: it is counted in its own window");
        assertEquals(cleanRun.summary.signIns + 1, run.summary.signIns);
    }
}
