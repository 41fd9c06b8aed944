package io.entrawatch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.entrawatch.TestRecords.Record;
import io.entrawatch.TestRecords;
import io.entrawatch.config.JobOptions;
import io.entrawatch.ingest.ParsedMessage;
import io.entrawatch.ingest.SignInParser;
import io.entrawatch.model.Alert;
import io.entrawatch.model.Categories;
import io.entrawatch.replay.ByteLineFormat;
import io.entrawatch.replay.ReplayJob;
import io.entrawatch.testing.Savepoints;
import io.entrawatch.config.RunOptions;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The savepoint frozen in {@code src/test/resources/savepoints/entrawatch-0.1/}: a savepoint of the
 * production topology ({@link DetectionPipeline#defineWorkflow}, default options) taken in the middle of
 * a scenario, so that every stateful operator holds state, which {@code SavepointCompatibilityITCase}
 * restores into the current code. Users restore savepoints of a running release into the next jar; a
 * change of an operator uid, a state name or a state type's serializer that breaks this restore breaks
 * their upgrade.
 *
 * <p>The job: a continuous {@link FileSource} over an inbox directory (uid {@code inbox-source}, one
 * reader, {@link ByteLineFormat} like {@code jobs/replay}), each line one Event Hubs message of the
 * partition {@code inbox/0}, parsed and watermarked as in replay, then the production pipeline; alerts go
 * to a queue. Part 1 of the scenario (01:00-03:54:30) is read whole, the job is stopped with a canonical
 * savepoint on the heap backend, without draining (a drain fires every timer and empties the windows, as
 * {@code flink stop} without {@code --drain} does not). The restored job reads part 2 from an inbox that
 * holds only part 2 and is then stopped with a drain, which fires every timer like the end of a file
 * does. The alerts before the savepoint plus the alerts of the restored job must be those of
 * {@code jobs/replay} over part 1 and part 2 in one file.
 *
 * <p>Regenerate (only deliberately; see the folder's README.md):
 * {@code mvn -B verify -Dit.test='SavepointCompatibilityITCase#regenerate' -Dtest=skip
 * -Dsurefire.failIfNoSpecifiedTests=false -Dentrawatch.savepoint.regenerate=true}
 */
public final class FrozenSavepoint {
    private FrozenSavepoint() {}

    static final String NAME = "entrawatch-0.1";
    /** Where {@link #generate} writes (relative to the project directory) and the test reads (classpath). */
    static final Path SOURCE_FOLDER = Path.of("src", "test", "resources", "savepoints", NAME);
    static final String RESOURCE = "/savepoints/" + NAME;
    static final String SAVEPOINT_DIR = "savepoint";
    static final String PART_1 = "part-1.ndjson";
    static final String PART_2 = "part-2.ndjson";
    static final String ALERTS_BEFORE = "alerts-before-savepoint.ndjson";
    static final String ALERTS_UNINTERRUPTED = "alerts-uninterrupted.ndjson";

    /** The stateful operators of {@link DetectionPipeline#defineWorkflow} whose state the savepoint holds. */
    static final List<String> PIPELINE_UIDS = List.of("ingest-gate", "password-spray", "rare-app", "sso-spray-stage1",
            "sso-spray-stage2");
    static final String SOURCE_UID = "inbox-source";
    /** The partition every line belongs to, in part 1 and part 2 alike: the ingest gate's state is per partition. */
    static final String TOPIC = "inbox";

    /** Lines parsed by the running job; the MiniCluster runs in this JVM. */
    static final AtomicLong LINES = new AtomicLong();
    /** Alerts of the running job, as jobs/replay writes them ({@link ReplayJob#line}). */
    static final ConcurrentLinkedQueue<String> ALERTS = new ConcurrentLinkedQueue<>();

    // ---------------------------------------------------------------------------------------------
    // The scenario. T = 2025-11-14; part 1 ends at 03:54:30, its watermark at 03:49:30.

    private static final String T1 = TestRecords.TENANT;
    private static final String T2 = TestRecords.OTHER_TENANT;
    private static final long CUT = at("03:54:30");
    private static final String CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
    private static final String POWERSHELL = "1950a258-227b-4e31-a9cf-717495945fc2";
    private static final String GRAPH_CLI = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

    private static long at(String hhmmss) {
        return Instant.parse("2025-11-14T" + hhmmss + "Z").toEpochMilli();
    }

    private static int ids;

    private static Record rec(String tenant, String upn, long ts) {
        Record r = TestRecords.sprayFailure(upn, ts).tenant(tenant);
        r.id = String.format("frozen-%04d", ++ids); // fixed ids: TestRecords numbers them per JVM
        return r;
    }

    /** Detection A and B keep it: non-interactive, single-factor, a password failure code. */
    private static Record spray(String tenant, String upn, String ip, int code, long ts) {
        return rec(tenant, upn, ts).ip(ip).errorCode(code);
    }

    /** Detection B keeps it, A does not (interactive, MFA). */
    private static Record interactiveFailure(String upn, String appId, String appName, String ip, long ts) {
        return rec(T1, upn, ts).category(Categories.SIGN_IN_LOGS).interactive(true).auth("multiFactorAuthentication")
                .app(appId, appName).ip(ip);
    }

    private static Record success(String tenant, String upn, String category, String ip, long ts) {
        return rec(tenant, upn, ts).category(category).interactive(Categories.SIGN_IN_LOGS.equals(category))
                .errorCode(null).ip(ip);
    }

    /** Detection C stage 1 keeps it: a Seamless SSO failure (81016), non-interactive. */
    private static Record sso(String upn, String ip, long ts) {
        return rec(T1, upn, ts).errorCode(81016).ip(ip);
    }

    /** Every record of the scenario, in event time order except the late one (first of part 2). */
    static List<List<String>> scenario() {
        ids = 0;
        List<Record> records = new ArrayList<>();
        // the clock: successes every 5 minutes (stage 2 aggregates them per IP and hour), both tenants
        for (long t = at("01:00:00"); t <= at("06:30:00"); t += 5 * 60_000L) {
            records.add(success(T1, "clock@contoso.com", Categories.NON_INTERACTIVE, "203.0.113.50", t));
            if (t % (15 * 60_000L) == 0) records.add(success(T2, "clock@fabrikam.com", Categories.SIGN_IN_LOGS, "203.0.113.60", t + 30_000));
        }
        // A, closed before the savepoint: 30 users in [01:10, 01:20); each user's pair alerts B at 02:00
        for (int i = 1; i <= 30; i++) {
            records.add(spray(T1, String.format("a1.user%02d@contoso.com", i), "198.51.100." + (1 + i % 3), 50126,
                    at("01:11:00") + i * 9_000L));
        }
        // A, open at the savepoint: [03:50, 04:00) of the other tenant, 18 users before the cut, 14 more and 2
        // repeats after: 32 only with the restored window (and a B alert per user at 04:00, open hours)
        for (int i = 1; i <= 18; i++) {
            records.add(spray(T2, String.format("a2.user%02d@fabrikam.com", i), "198.51.100.2" + (i % 2), 50053,
                    at("03:50:00") + i * 13_000L));
        }
        for (int i = 19; i <= 32; i++) {
            records.add(spray(T2, String.format("a2.user%02d@fabrikam.com", i), "198.51.100.2" + (i % 2), 50053,
                    at("03:55:00") + (i - 18) * 15_000L));
        }
        records.add(spray(T2, "a2.user01@fabrikam.com", "198.51.100.23", 50053, at("03:58:40")));
        records.add(spray(T2, "a2.user02@fabrikam.com", "198.51.100.23", 50053, at("03:58:50")));
        // B, suppressed by the history: 5 of the first spray's users fail again; alerted at 02:00, quiet for 14 d
        for (int i = 1; i <= 5; i++) {
            records.add(spray(T1, String.format("a1.user%02d@contoso.com", i), "198.51.100.9", 50126, at("04:10:00") + i * 1_000L));
        }
        // B, an open hour straddling the savepoint: 2 failures before, 1 after, evaluated at 04:00 with 3
        records.add(interactiveFailure("rare.open@contoso.com", CLI, "Microsoft Azure CLI", "198.51.100.30", at("03:20:00")));
        records.add(interactiveFailure("rare.open@contoso.com", CLI, "Microsoft Azure CLI", "198.51.100.30", at("03:40:00")));
        records.add(interactiveFailure("rare.open@contoso.com", CLI, "Microsoft Azure CLI", "198.51.100.30", at("03:57:00")));
        // B, history above the threshold: 5 failures (4 counted) at 01:30, one more at 04:30: no alert either time
        for (int i = 0; i < 5; i++) {
            records.add(interactiveFailure("rare.hist@contoso.com", POWERSHELL, "Microsoft Azure PowerShell", "198.51.100.31",
                    at("01:30:00") + i * 60_000L));
        }
        records.add(interactiveFailure("rare.hist@contoso.com", POWERSHELL, "Microsoft Azure PowerShell", "198.51.100.31", at("04:30:00")));
        // B, suppression: alerts at 03:00, again at 04:40 (suppressed)
        records.add(interactiveFailure("rare.supp@contoso.com", GRAPH_CLI, "Microsoft Graph Command Line Tools", "198.51.100.32", at("02:10:00")));
        records.add(interactiveFailure("rare.supp@contoso.com", GRAPH_CLI, "Microsoft Graph Command Line Tools", "198.51.100.32", at("04:40:00")));
        // B, after the savepoint only: alerts at 06:00
        records.add(interactiveFailure("rare.new@contoso.com", CLI, "Microsoft Azure CLI", "198.51.100.33", at("05:10:00")));
        // C, closed before the savepoint: 6 accounts from 192.0.2.10 in 01:00-02:00, which also signed in interactively
        for (int i = 1; i <= 6; i++) records.add(sso("sso.a" + i + "@contoso.com", "192.0.2.10", at("01:30:00") + i * 60_000L));
        records.add(success(T1, "sso.a1@contoso.com", Categories.SIGN_IN_LOGS, "192.0.2.10", at("01:35:30")));
        // C, open at the savepoint (03:00-04:00): 4 accounts before the cut, 3 after (7 > 5: flagged only with the
        // restored stage 1), and the two addresses' sign-ins of the hour before the cut (stage 2's restored tables)
        for (int i = 1; i <= 4; i++) records.add(sso("sso.b" + i + "@contoso.com", "192.0.2.20", at("03:25:00") + i * 5 * 60_000L));
        records.add(success(T1, "sso.b1@contoso.com", Categories.SIGN_IN_LOGS, "192.0.2.20", at("03:44:00")));
        records.add(interactiveFailure("sso.b9@contoso.com", CLI, "Microsoft Azure CLI", "192.0.2.21", at("03:48:00")));
        records.add(sso("sso.b5@contoso.com", "192.0.2.20", at("03:56:00")));
        records.add(sso("sso.b6@contoso.com", "192.0.2.20", at("03:57:00")));
        records.add(sso("sso.b7@contoso.com", "192.0.2.21", at("03:58:00")));
        records.sort(Comparator.comparingLong(r -> r.ts)); // stable: equal times keep their order

        List<Record> before = new ArrayList<>();
        List<Record> after = new ArrayList<>();
        for (Record r : records) (r.ts <= CUT ? before : after).add(r);
        // the ingest gate's restored maximum (03:54:30) makes this one late (its hour was evaluated at 03:00):
        // dead-lettered, not counted. A job without that state would count it and alert B at 03:00.
        Record late = interactiveFailure("late.pair@contoso.com", GRAPH_CLI, "Microsoft Graph Command Line Tools",
                "198.51.100.34", at("02:30:00"));
        List<String> part1 = messages(before);
        List<String> part2 = new ArrayList<>();
        part2.add(TestRecords.envelope(List.of(late)));
        part2.addAll(messages(after));
        return List.of(part1, part2);
    }

    /** Messages of up to 4 records each. */
    private static List<String> messages(List<Record> records) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < records.size(); i += 4) {
            lines.add(TestRecords.envelope(records.subList(i, Math.min(records.size(), i + 4))));
        }
        return lines;
    }

    // ---------------------------------------------------------------------------------------------
    // The job.

    /** The job graph of the savepoint: the test source, the production pipeline, a queue. */
    static StreamGraph graph(Configuration configuration, Path inbox, String restoreFrom) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(2);
        JobOptions options = JobOptions.defaults();
        // the live job's maximum parallelism (EntraWatchJob), set explicitly: the 0.1 savepoint must restore with it
        env.setMaxParallelism(RunOptions.maxParallelism(options, env.getConfig().getMaxParallelism(), env.getParallelism()));
        DataStream<ParsedMessage> messages = env
                .fromSource(FileSource.forRecordStreamFormat(new ByteLineFormat(), new org.apache.flink.core.fs.Path(inbox.toUri()))
                        .monitorContinuously(Duration.ofMillis(100)).build(), WatermarkStrategy.noWatermarks(), "Inbox")
                .uid(SOURCE_UID).setParallelism(1)
                .map(new Parse(DetectionPipeline.parser(options))).uid("inbox-parse").name("Parse").setParallelism(1)
                .assignTimestampsAndWatermarks(DetectionPipeline.watermarks(options)).uid("inbox-watermarks").name("Watermarks")
                .setParallelism(1);
        DetectionPipeline.defineWorkflow(messages, options).alerts.sinkTo(new QueueSink()).uid("alerts-queue")
                .name("Alerts to a queue");
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(restoreFrom == null ? "frozen savepoint: part 1" : "frozen savepoint: restored");
        if (restoreFrom != null) graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restoreFrom, false));
        return graph;
    }

    /** The job's configuration on the given state backend ("hashmap" or "rocksdb"). */
    static Configuration configuration(String stateBackend, Path workDir) {
        Configuration c = new Configuration();
        c.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        if (stateBackend.equals("rocksdb")) {
            c.set(org.apache.flink.state.rocksdb.RocksDBOptions.LOCAL_DIRECTORIES, workDir.resolve("rocksdb").toString());
        }
        return c;
    }

    /**
     * Runs the job over {@code inbox} until it has parsed {@code lines} lines, then stops it with a canonical
     * savepoint under {@code savepoints}: with {@code drain}, after firing every timer (the end of the input);
     * without, once its alerts have stayed the same for two seconds (the last watermark fired what it fires).
     * Returns the savepoint's path; the alerts are in {@link #ALERTS}.
     */
    static String run(Configuration configuration, Path inbox, String restoreFrom, long lines, boolean drain, Path savepoints)
            throws Exception {
        LINES.set(0);
        ALERTS.clear();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        JobClient job = env.executeAsync(graph(configuration, inbox, restoreFrom));
        long deadline = System.currentTimeMillis() + 60_000;
        while (LINES.get() < lines) {
            if (System.currentTimeMillis() > deadline) {
                job.cancel();
                throw new AssertionError("the job parsed " + LINES.get() + " of " + lines + " lines in 60 s; status "
                        + job.getJobStatus().get());
            }
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                job.getJobExecutionResult().get(); // throws the job's failure (e.g. a savepoint it could not restore)
                throw new AssertionError("the job ended after " + LINES.get() + " of " + lines + " lines");
            }
            Thread.sleep(20);
        }
        if (!drain) {
            int seen = -1;
            long stableSince = System.currentTimeMillis();
            while (System.currentTimeMillis() - stableSince < 2_000) {
                if (ALERTS.size() != seen) {
                    seen = ALERTS.size();
                    stableSince = System.currentTimeMillis();
                }
                Thread.sleep(50);
            }
        }
        String savepoint = Savepoints.stop(job, drain, savepoints,
                java.time.Duration.ofMillis(Math.max(1, deadline - System.currentTimeMillis())));
        job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        return savepoint;
    }

    /** {@link #ALERTS}, taken. */
    static List<String> takeAlerts() {
        List<String> out = new ArrayList<>();
        String a;
        while ((a = ALERTS.poll()) != null) out.add(a);
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Reading the frozen files.

    private static final ObjectMapper SORTED = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** An alert line with its fields in name order: equal documents give equal strings. */
    static String canonical(String line) {
        try {
            return SORTED.writeValueAsString(SORTED.treeToValue(SORTED.readTree(line), Object.class));
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + line, e);
        }
    }

    /** The lines, canonical and sorted: a multiset of documents. */
    static List<String> canonicalSorted(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) if (!l.isBlank()) out.add(canonical(l));
        out.sort(null);
        return out;
    }

    static JsonNode json(String line) {
        try {
            return SORTED.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + line, e);
        }
    }


    // ---------------------------------------------------------------------------------------------
    // The generator.

    /**
     * Writes the scenario, the alerts of jobs/replay over it (uninterrupted), runs part 1 and stops with a
     * savepoint, writes its alerts, copies the savepoint into {@code folder}, and checks that restoring the
     * copy and reading part 2 gives the rest of the uninterrupted run's alerts.
     */
    static void generate(Path folder, Path work) throws Exception {
        List<List<String>> parts = scenario();
        Files.createDirectories(folder);
        for (String f : List.of(PART_1, PART_2, ALERTS_BEFORE, ALERTS_UNINTERRUPTED)) Files.deleteIfExists(folder.resolve(f));
        deleteTree(folder.resolve(SAVEPOINT_DIR));
        Files.write(folder.resolve(PART_1), parts.get(0), StandardCharsets.UTF_8);
        Files.write(folder.resolve(PART_2), parts.get(1), StandardCharsets.UTF_8);

        // uninterrupted: jobs/replay over both parts in one file, at parallelism 2
        Path whole = work.resolve("whole.ndjson");
        List<String> all = new ArrayList<>(parts.get(0));
        all.addAll(parts.get(1));
        Files.write(whole, all, StandardCharsets.UTF_8);
        StreamExecutionEnvironment replayEnv = StreamExecutionEnvironment.getExecutionEnvironment();
        replayEnv.setParallelism(2);
        ReplayJob.run(replayEnv, whole, folder.resolve(ALERTS_UNINTERRUPTED), JobOptions.defaults());

        // part 1, then stop with a savepoint (not drained)
        Path inbox1 = Files.createDirectories(work.resolve("inbox-1"));
        Files.copy(folder.resolve(PART_1), inbox1.resolve(PART_1));
        String savepoint = run(configuration("hashmap", work), inbox1, null, parts.get(0).size(), false, work.resolve("savepoints"));
        List<String> before = sortedLines(takeAlerts());
        Files.write(folder.resolve(ALERTS_BEFORE), before, StandardCharsets.UTF_8);
        copyTree(Path.of(java.net.URI.create(savepoint)), folder.resolve(SAVEPOINT_DIR));

        // check: the copy restored, part 2 read, gives the rest of the uninterrupted run
        Path inbox2 = Files.createDirectories(work.resolve("inbox-2"));
        Files.copy(folder.resolve(PART_2), inbox2.resolve(PART_2));
        run(configuration("hashmap", work), inbox2, folder.resolve(SAVEPOINT_DIR).toUri().toString(), parts.get(1).size(), true,
                work.resolve("savepoints-2"));
        List<String> restored = takeAlerts();
        List<String> joined = new ArrayList<>(before);
        joined.addAll(restored);
        List<String> expected = Files.readAllLines(folder.resolve(ALERTS_UNINTERRUPTED), StandardCharsets.UTF_8);
        if (!canonicalSorted(joined).equals(canonicalSorted(expected))) {
            throw new IllegalStateException("alerts before the savepoint (" + before.size() + ") + after the restore ("
                    + restored.size() + ") differ from the uninterrupted run (" + expected.size() + ")");
        }
        System.out.printf("frozen savepoint %s: %d + %d lines, alerts %d before the savepoint + %d after the restore = %d%n",
                folder, parts.get(0).size(), parts.get(1).size(), before.size(), restored.size(), expected.size());
    }

    /** Alert lines in jobs/replay's order (time, rule, id). */
    private static List<String> sortedLines(List<String> lines) {
        List<String> out = new ArrayList<>(lines);
        out.sort(Comparator.comparing((String l) -> json(l).get("@timestamp").asText())
                .thenComparing(l -> json(l).at("/rule/id").asText()).thenComparing(l -> json(l).get("_id").asText()));
        return out;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) Files.delete(p);
        }
    }

    /** {@code FrozenSavepoint [FOLDER]}: regenerates the folder (default {@link #SOURCE_FOLDER}). */
    public static void main(String[] args) throws Exception {
        Path folder = args.length > 0 ? Path.of(args[0]) : SOURCE_FOLDER;
        Path work = Files.createTempDirectory("frozen-savepoint");
        try {
            generate(folder, work);
        } finally {
            deleteTree(work);
        }
        System.exit(0);
    }

    // ---------------------------------------------------------------------------------------------

    /** One line, one Event Hubs message of the partition inbox/0. */
    static final class Parse implements MapFunction<byte[], ParsedMessage> {
        private static final long serialVersionUID = 1L;
        private final SignInParser parser;
        private long offset;

        Parse(SignInParser parser) {
            this.parser = parser;
        }

        @Override
        public ParsedMessage map(byte[] line) {
            ParsedMessage m = parser.parse(line, TOPIC, 0, offset++, System.currentTimeMillis());
            LINES.incrementAndGet();
            return m;
        }
    }

    static final class QueueSink implements Sink<Alert> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<Alert> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Alert a, Context ctx) {
                    ALERTS.add(ReplayJob.line(a));
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
