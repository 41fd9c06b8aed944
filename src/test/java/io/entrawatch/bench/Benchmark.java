package io.entrawatch.bench;

import io.entrawatch.config.EventTimeOptions;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.entrawatch.EntraWatchJob;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.Secrets;
import io.entrawatch.generate.EventHubsFeeder;
import io.entrawatch.exceptions.ExceptionsInput;
import io.entrawatch.exceptions.HiddenCounters;
import io.entrawatch.ingest.EventHubsSource;
import io.entrawatch.ingest.ParsedMessage;
import io.entrawatch.ingest.SignInParser;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.pipeline.DetectionPipeline;
import io.entrawatch.generate.AzureArchive;
import io.entrawatch.replay.ArchiveSource;
import io.entrawatch.replay.ReplayInput;
import io.entrawatch.replay.ReplayJob;
import io.entrawatch.testing.Commands;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark (a measurement, not a test), run by {@code jobs/bench}: on one generated file,
 * the parse ceiling (SignInParser alone, 1 thread and all cores), the replay pipeline with all
 * detections at parallelism 1 and 2 (alerts to a discarding sink), the replay at p=1 with 1,000 exceptions
 * against the 1-thread ceiling, the same records as Azure's archive of hourly blobs (one per hour, and one per
 * hour and category) replayed as a folder at p=1 and p=2, and at p=1 with the JVM on one CPU, the cost of 10,000
 * exceptions (matching alone, and the replay with none and with them; {@link ExceptionsBenchmark}), Kafka
 * (SASL_SSL) to Elasticsearch with the production job, alert latency, the keyed state per key of each detection
 * (StateBenchmark), and the start-up of the real {@code jobs/replay} command on a small file. Prints a table and
 * writes a JSON file.
 *
 * <p>Usage: {@code Benchmark FILE --out bench.json
 * [--skip archive,archive-categories,replay-exceptions,exceptions,kafka,latency,state,startup] [--state-pairs N]
 * [--latency-file F] [--startup-file F] [--root REPOSITORY]}.
 * The Kafka part reads the services from the environment that {@code deploy/local/services} prints
 * (KAFKA_BOOTSTRAP, KAFKA_CA_FILE, EVENTHUBS_CONNECTION_STRING_FILE, ES_URL).
 */
public final class Benchmark {
    private static final PrintStream OUT = System.out;
    private static final PrintStream ERR = System.err;

    // counters shared with the operators: a local MiniCluster runs them in this JVM
    static final AtomicLong RECORDS = new AtomicLong();
    static final AtomicLong FIRST_RECORD_AT = new AtomicLong();
    /** CPU time of this JVM (every thread) when the first record was counted, in ns. */
    static final AtomicLong FIRST_RECORD_CPU = new AtomicLong();
    /** Readers (source subtasks) a replay can have; the per-reader counters below have one slot each. */
    static final int MAX_READERS = 64;
    /**
     * Per source subtask of the replay: the records it parsed, and the CPU time of its task thread (read, parse,
     * ingest gate, exceptions and the detections' filters, chained) from its first message to its latest, in ns.
     */
    static final AtomicLongArray READER_RECORDS = new AtomicLongArray(MAX_READERS), READER_CPU = new AtomicLongArray(MAX_READERS);
    static final AtomicLong ALERTS = new AtomicLong();

    private final Map<String, Object> json = new LinkedHashMap<>();
    private final List<String[]> rows = new ArrayList<>();

    private int latencyRate, latencySeconds;
    /** The live stream of the latency part: a file whose day is short enough for windows to close within the feed. */
    private Path latencyFile;

    /** The small input of the start-up part; null: the part is skipped. */
    private Path startupFile;
    /** The repository, whose jobs/replay the start-up part runs. */
    private Path root;

    /** The parts that {@code --skip} can leave out (the parse ceiling and the replays at p=1 and 2 always run). */
    static final List<String> PARTS = List.of("archive", "archive-categories", "replay-exceptions", "exceptions", "kafka", "latency",
            "state", "startup");

    private Benchmark() {}

    public static void main(String[] args) throws Exception {
        Path file = null;
        Path out = Path.of("bench.json");
        Set<String> skip = new TreeSet<>();
        int statePairs = 1_000_000;
        int latencyRate = 2500, latencySeconds = 70;
        Path latencyFile = null, startupFile = null, root = Path.of("");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--latency-file" -> latencyFile = Path.of(args[++i]);
                case "--startup-file" -> startupFile = Path.of(args[++i]);
                case "--root" -> root = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--skip" -> skip.addAll(Arrays.asList(args[++i].split(",")));
                case "--state-pairs" -> statePairs = Integer.parseInt(args[++i]);
                case "--latency-rate" -> latencyRate = Integer.parseInt(args[++i]);
                case "--latency-seconds" -> latencySeconds = Integer.parseInt(args[++i]);
                default -> file = Path.of(args[i]);
            }
        }
        if (file == null || !Files.isReadable(file)) {
            ERR.println("usage: Benchmark FILE.ndjson [--out bench.json] [--skip " + String.join(",", PARTS) + "] [--state-pairs N] "
                    + "[--latency-file F] [--startup-file F] [--root REPOSITORY]");
            System.exit(2);
        }
        Benchmark b = new Benchmark();
        b.latencyRate = latencyRate;
        b.latencySeconds = latencySeconds;
        b.latencyFile = latencyFile == null ? file : latencyFile;
        b.startupFile = startupFile;
        b.root = root.toAbsolutePath();
        Set<String> unknown = new TreeSet<>(skip);
        unknown.removeAll(PARTS);
        unknown.remove("none");
        if (!unknown.isEmpty()) {
            ERR.println("bench: unknown part(s) to skip: " + unknown + " (parts: " + String.join(",", PARTS) + ")");
            System.exit(2);
        }
        b.run(file, out, skip, statePairs);
        System.exit(0);
    }

    private void run(Path file, Path out, Set<String> skip, int statePairs) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", cores);
        machine.put("maxHeapMB", Runtime.getRuntime().maxMemory() / (1 << 20));
        machine.put("java", System.getProperty("java.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("cpu", cpuModel());
        // how busy the machine was when the run began (1, 5 and 15 min averages): other work on the cores skews every figure
        machine.put("loadAverageAtStart", loadAverage());
        json.put("machine", machine);
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("file", file.toString());
        input.put("bytes", Files.size(file));
        json.put("input", input);
        json.put("startedAt", java.time.Instant.now().toString());

        // 1. parse ceiling
        Map<String, Object> parse = new LinkedHashMap<>();
        Parse p1 = parseCeiling(file, 1);
        input.put("messages", p1.messages);
        input.put("records", p1.records);
        parse.put("threads1", p1.toMap());
        row("parse ceiling, 1 thread", p1.records, p1.seconds, p1.bytes, "Jackson SignInParser only, from page cache");
        Parse p2 = parseCeiling(file, cores);
        parse.put("threads" + cores, p2.toMap());
        row("parse ceiling, " + cores + " threads", p2.records, p2.seconds, p2.bytes, "file split in " + cores + " byte ranges");
        json.put("parseCeiling", parse);
        long records = p1.records;

        // 2. replay
        Map<String, Object> replay = new LinkedHashMap<>();
        Map<Integer, ReplayRun> replays = new HashMap<>();
        for (int p : new int[] {1, 2}) {
            replays.put(p, replay(file, p, records));
            replay.put("p" + p, replays.get(p).json());
        }
        json.put("replay", replay);
        int afterReplayRows = rows.size();

        // 3. the live path, Kafka -> Elasticsearch and alert latency, right after the file replays as when the benchmark
        // had no other parts, not after some fifteen more replays in this JVM and two 9 GB archives written and read
        // (docs/performance.md: the Kafka figure is the one that moves most between runs). Their rows are printed
        // after the other replays', as before.
        if (!skip.contains("kafka")) {
            try {
                json.put("kafkaToElasticsearch", kafkaToElasticsearch(file, records, p1.messages));
            } catch (Exception e) {
                ERR.println("bench: kafka part failed: " + e);
                json.put("kafkaToElasticsearch", Map.of("error", e.toString()));
            }
        }
        if (!skip.contains("latency")) {
            try {
                json.put("alertLatency", latency(latencyFile, latencyRate, latencySeconds));
            } catch (Exception e) {
                ERR.println("bench: latency part failed: " + e);
                json.put("alertLatency", Map.of("error", e.toString()));
            }
        }
        List<String[]> liveRows = new ArrayList<>(rows.subList(afterReplayRows, rows.size()));
        rows.subList(afterReplayRows, rows.size()).clear();

        // 2a. the same records as Azure's archive of hourly blobs, replayed as a folder at p=1 and p=2: one blob per
        // hour, and one per hour and category (as Azure writes them)
        for (ArchiveLayout layout : ArchiveLayout.values()) {
            if (!skip.contains(layout.part)) json.put(layout.jsonKey, archiveReplay(file, records, layout));
        }

        // 2b. exceptions: matching cost and replay with 0 and 10,000 exceptions
        if (!skip.contains("exceptions")) json.put("exceptions", exceptions(file, records, out.toAbsolutePath().getParent()));

        // 2c. replay p=1 with 1,000 exceptions against the 1-thread parse ceiling (its row goes with the replay rows)
        if (!skip.contains("replay-exceptions")) {
            int before = rows.size();
            json.put("replayWithExceptions", replayWithExceptions(file, records, p1, replays.get(1),
                    out.toAbsolutePath().getParent()));
            List<String[]> added = new ArrayList<>(rows.subList(before, rows.size()));
            rows.subList(before, rows.size()).clear();
            rows.addAll(afterReplayRows, added);
        }

        rows.addAll(liveRows);
        // 5. state
        if (!skip.contains("state")) json.put("state", state(statePairs, out.toAbsolutePath().getParent()));
        // 6. jobs/replay as a user runs it, on a small file: start-up and the whole command's wall time
        if (!skip.contains("startup")) {
            if (startupFile == null) throw new IllegalArgumentException("the startup part needs --startup-file");
            json.put("replayStartup", replayStartup(startupFile, out.toAbsolutePath().getParent()));
        }

        json.put("finishedAt", java.time.Instant.now().toString());
        printTable();
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        m.writeValue(out.toFile(), json);
        OUT.println("bench: JSON written to " + out);
    }

    // ------------------------------------------------------------------ parse ceiling

    static final class Parse {
        long messages, records, bytes;
        double seconds;
        int threads;
        double cpuSeconds;

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("threads", threads);
            m.put("records", records);
            m.put("messages", messages);
            m.put("bytes", bytes);
            m.put("seconds", round(seconds));
            m.put("recordsPerSecond", Math.round(records / seconds));
            m.put("mbPerSecond", round(bytes / seconds / 1e6));
            m.put("cpuSeconds", round(cpuSeconds));
            return m;
        }
    }

    /** SignInParser.parse over every line of the file, on {@code threads} threads (byte ranges of the file). */
    static Parse parseCeiling(Path file, int threads) throws Exception {
        SignInParser parser = DetectionPipeline.parser(JobOptions.defaults());
        long size = Files.size(file);
        // warm up the JIT on the first lines (not counted)
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            LineReader r = new LineReader(in, Long.MAX_VALUE);
            byte[] line;
            int n = 0;
            while ((line = r.next()) != null && n++ < 2000) parser.parse(line, "bench", 0, n, 0L);
        }
        Parse result = new Parse();
        result.threads = threads;
        long[][] counts = new long[threads][3];
        Thread[] ts = new Thread[threads];
        var bean = java.lang.management.ManagementFactory.getThreadMXBean();
        double[] cpu = new double[threads];
        long started = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            final int k = t;
            ts[t] = new Thread(() -> {
                long cpu0 = bean.getCurrentThreadCpuTime();
                long from = size * k / threads, to = size * (k + 1) / threads;
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    // start one byte early: a line that starts exactly at `from` belongs to this range
                    long start = from > 0 ? from - 1 : 0;
                    ch.position(start);
                    InputStream in = Channels.newInputStream(ch);
                    LineReader r = new LineReader(in, to - start);
                    if (from > 0) r.skipPartialLine();
                    byte[] line;
                    long offset = 0;
                    while (r.lineStart() < to - start && (line = r.next()) != null) {
                        ParsedMessage m = parser.parse(line, "bench", k, offset++, 0L);
                        counts[k][0]++;
                        counts[k][1] += m.records;
                        counts[k][2] += line.length + 1;
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                cpu[k] = (bean.getCurrentThreadCpuTime() - cpu0) / 1e9;
            }, "parse-" + t);
            ts[t].start();
        }
        for (Thread t : ts) t.join();
        result.seconds = (System.nanoTime() - started) / 1e9;
        for (int t = 0; t < threads; t++) {
            result.messages += counts[t][0];
            result.records += counts[t][1];
            result.bytes += counts[t][2];
            result.cpuSeconds += cpu[t];
        }
        ERR.printf(Locale.ROOT, "bench: parse ceiling, %d thread(s): %,d records in %.1f s%n", threads, result.records, result.seconds);
        return result;
    }

    /** Newline-separated lines as byte arrays, read in 1-MB chunks; tracks the offset of the next line. */
    static final class LineReader {
        private final InputStream in;
        private final byte[] chunk = new byte[1 << 20];
        private int at, len;
        private long base, nextStart;
        private boolean eof;

        LineReader(InputStream in, long limitHint) {
            this.in = in;
        }

        long lineStart() {
            return nextStart;
        }

        private boolean fill() throws IOException {
            if (eof) return false;
            base += len;
            at = 0;
            len = 0;
            int n = in.read(chunk, 0, chunk.length);
            if (n <= 0) {
                eof = true;
                return false;
            }
            len = n;
            return true;
        }

        void skipPartialLine() throws IOException {
            byte[] ignored = next();
            if (ignored == null) nextStart = Long.MAX_VALUE;
        }

        byte[] next() throws IOException {
            ByteArrayOutputStream spill = null;
            while (true) {
                if (at >= len && !fill()) {
                    if (spill == null || spill.size() == 0) return null;
                    nextStart = base + at;
                    return spill.toByteArray();
                }
                int from = at;
                int i = from;
                while (i < len && chunk[i] != '\n') i++;
                if (i < len) {
                    at = i + 1;
                    nextStart = base + at;
                    if (spill == null) return Arrays.copyOfRange(chunk, from, i);
                    spill.write(chunk, from, i - from);
                    return spill.toByteArray();
                }
                if (spill == null) spill = new ByteArrayOutputStream(1 << 16);
                spill.write(chunk, from, len - from);
                at = len;
            }
        }
    }

    // ------------------------------------------------------------------ replay

    /**
     * Counts the records of each parsed message for the benchmark, chained behind jobs/replay's parse in each
     * source subtask (the counter runs at the source's parallelism, so it adds no shuffle).
     */
    static final class RecordCounter extends RichMapFunction<ParsedMessage, ParsedMessage> {
        private static final long serialVersionUID = 1L;
        private transient boolean started;
        private transient int reader;
        private transient long firstCpu;

        @Override
        public void open(OpenContext ctx) {
            reader = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            if (reader >= MAX_READERS) throw new IllegalStateException("more than " + MAX_READERS + " readers");
        }

        @Override
        public ParsedMessage map(ParsedMessage m) {
            long threadCpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            if (!started) {
                started = true;
                FIRST_RECORD_AT.compareAndSet(0, System.nanoTime());
                FIRST_RECORD_CPU.compareAndSet(0, processCpuNanos());
                firstCpu = threadCpu;
            }
            READER_CPU.set(reader, threadCpu - firstCpu);
            READER_RECORDS.addAndGet(reader, m.records);
            RECORDS.addAndGet(m.records);
            return m;
        }
    }

    private ReplayRun replay(Path file, int parallelism, long expectedRecords) throws Exception {
        ReplayRun run = replayRun(file, parallelism, expectedRecords, JobOptions.defaults());
        row("replay, all detections, p=" + parallelism, run.records, run.steady, Files.size(file),
                String.format(Locale.ROOT, "%,.0f/s incl. %.1f s start-up; %,d alerts discarded", run.records / run.total,
                        run.startup, run.alerts));
        return run;
    }

    /** One replay: records, seconds from the first record to the end and including start-up, alerts, sign-ins hidden. */
    record ReplayRun(long records, double total, double steady, double startup, double cpu, double sourceCpu, long alerts,
            long hidden, int exceptionsThatHid, List<Map<String, Object>> readers, Map<String, Double> threadCpu,
            Map<String, Object> json) {
        double rate() {
            return records / steady;
        }

        /** CPU time of the whole JVM per record, from the first record to the end of the job. */
        double cpuMicrosPerRecord() {
            return cpu * 1e6 / Math.max(1, records);
        }

        /** CPU time of the source task thread per record: where the exceptions run, chained to the ingest gate. */
        double sourceCpuMicrosPerRecord() {
            return sourceCpu * 1e6 / Math.max(1, records);
        }
    }

    /**
     * The CPU time of this JVM's threads while a replay runs, sampled every 100 ms (a thread that ends loses what it
     * used after its last sample); the JIT compilers and the garbage collector are not among them.
     */
    static final class ThreadCpuSampler implements AutoCloseable {
        private final java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        private final Map<Long, String> names = new HashMap<>();
        private final Map<Long, Long> baseline = new HashMap<>(), latest = new HashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        ThreadCpuSampler() {
            sample(true);
            thread = new Thread(() -> {
                while (running) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                    sample(false);
                }
            }, "bench-thread-cpu");
            thread.setDaemon(true);
            thread.start();
        }

        private synchronized void sample(boolean first) {
            for (long id : bean.getAllThreadIds()) {
                long cpu = bean.getThreadCpuTime(id);
                if (cpu < 0) continue;
                if (!names.containsKey(id)) {
                    var info = bean.getThreadInfo(id);
                    if (info == null) continue;
                    names.put(id, info.getThreadName());
                    baseline.put(id, first ? cpu : 0L); // a thread born during the run counts from 0
                }
                latest.put(id, cpu);
            }
        }

        /** CPU seconds per thread (Flink's task threads shortened to their first operator and subtask), 0.05 s or more. */
        synchronized Map<String, Double> byThread() {
            sample(false);
            Map<String, Double> cpu = new java.util.TreeMap<>();
            latest.forEach((id, c) -> {
                double secs = (c - baseline.get(id)) / 1e9;
                if (secs >= 0.05) cpu.merge(shortName(names.get(id)), secs, Double::sum);
            });
            cpu.replaceAll((k, v) -> round(v));
            return cpu;
        }

        /** "Source: Replay files -> Parse ... -> X (1/2)#0" as "Source: Replay files -> ... (1/2)". */
        static String shortName(String name) {
            Matcher m = Pattern.compile("^(.*?) -> .*?( \\(\\d+/\\d+\\))(#\\d+)?$").matcher(name);
            return m.matches() ? m.group(1) + " -> ..." + m.group(2) : name.replaceAll("#\\d+$", "");
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
        }
    }

    private static long counter(JobExecutionResult r, String name) {
        Object v = r.getAccumulatorResult(name);
        return v == null ? 0 : ((Number) v).longValue();
    }

    /** CPU time of this JVM so far (every thread: the job's tasks, JIT compilers, GC), in ns. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * The replay pipeline of {@code jobs/replay} (its source, parse and watermarks, and the exceptions of
     * {@code --exceptions.file} in {@code options}, validated as jobs/replay does) with a chained record counter,
     * alerts counted and discarded.
     */
    private ReplayRun replayRun(Path file, int parallelism, long expectedRecords, JobOptions options) throws Exception {
        RECORDS.set(0);
        FIRST_RECORD_AT.set(0);
        FIRST_RECORD_CPU.set(0);
        for (int i = 0; i < MAX_READERS; i++) {
            READER_RECORDS.set(i, 0);
            READER_CPU.set(i, 0);
        }
        ALERTS.set(0);
        long t0 = System.nanoTime();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, new Configuration());
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.getConfig().enableObjectReuse();
        ExceptionsInput exceptions = ExceptionsInput.fromFile(options, DetectionPipeline.RULES);
        // jobs/replay's own source, parse and watermarks (ReplayJob.messages: a file, or a folder whose files are
        // shared among the readers), then a record counter chained in each reader
        DataStream<ParsedMessage> read = ReplayJob.messages(env, file, options);
        int readers = read.getParallelism();
        DataStream<ParsedMessage> messages = read.map(new RecordCounter()).setParallelism(readers).name("Count records");
        DetectionPipeline.Outputs outputs = DetectionPipeline.defineWorkflow(messages, exceptions, options);
        outputs.alerts.filter(a -> {
            ALERTS.incrementAndGet();
            return false;
        }).name("Count alerts").sinkTo(new DiscardingSink<>()).name("Discard alerts");
        outputs.deadLetters.sinkTo(new DiscardingSink<DeadLetter>()).name("Discard dead letters");
        JobExecutionResult result;
        Map<String, Double> threadCpu;
        try (ThreadCpuSampler sampler = new ThreadCpuSampler()) {
            JobClient client = env.executeAsync("entrawatch bench replay p" + parallelism);
            result = client.getJobExecutionResult().get();
            threadCpu = sampler.byThread();
        }
        long t2 = System.nanoTime();
        double cpu = (processCpuNanos() - FIRST_RECORD_CPU.get()) / 1e9;
        double sourceCpu = 0;
        List<Map<String, Object>> perReader = new ArrayList<>();
        for (int i = 0; i < readers; i++) {
            sourceCpu += READER_CPU.get(i) / 1e9;
            perReader.add(Map.of("records", READER_RECORDS.get(i), "sourceTaskCpuSeconds", round(READER_CPU.get(i) / 1e9)));
        }
        long t1 = FIRST_RECORD_AT.get();
        long n = RECORDS.get();
        double total = (t2 - t0) / 1e9, steady = (t2 - t1) / 1e9;
        // per exception, the sign-ins it hid (the same count for each of its rules)
        Map<String, Long> hiddenBy = new java.util.TreeMap<>();
        result.getAllAccumulatorResults().forEach((name, value) -> {
            if (name.startsWith(HiddenCounters.ACCUMULATOR_PREFIX) && value instanceof Long c) {
                String id = name.substring(HiddenCounters.ACCUMULATOR_PREFIX.length()).split("\\|", 2)[0];
                hiddenBy.merge(id, c, Math::max);
            }
        });
        long hidden = hiddenBy.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("parallelism", parallelism);
        r.put("records", n);
        r.put("alerts", ALERTS.get());
        r.put("secondsIncludingStartup", round(total));
        r.put("startupSeconds", round((t1 - t0) / 1e9));
        r.put("recordsPerSecondIncludingStartup", Math.round(n / total));
        r.put("recordsPerSecondExcludingStartup", Math.round(n / steady));
        r.put("netRuntimeMs", result.getNetRuntime());
        r.put("cpuSecondsExcludingStartup", round(cpu));
        r.put("cpuMicrosPerRecord", round(cpu * 1e6 / Math.max(1, n)));
        r.put("sourceTaskCpuSeconds", round(sourceCpu));
        r.put("sourceTaskCpuMicrosPerRecord", round(sourceCpu * 1e6 / Math.max(1, n)));
        r.put("readers", perReader);
        r.put("threadCpuSeconds", threadCpu);
        r.put("lateRecords", counter(result, "lateRecords") + counter(result, "lateAtOperator"));
        if (!hiddenBy.isEmpty()) r.put("signInsHiddenByException", hiddenBy);
        if (n != expectedRecords) r.put("warning", "records " + n + " != parsed " + expectedRecords);
        ERR.printf(Locale.ROOT, "bench: replay p=%d: %,d records in %.1f s (start-up %.1f s), %,d alerts%n", parallelism, n,
                total, (t1 - t0) / 1e9, ALERTS.get());
        return new ReplayRun(n, total, steady, (t1 - t0) / 1e9, cpu, sourceCpu, ALERTS.get(), hidden, hiddenBy.size(), perReader,
                threadCpu, r);
    }

    // ------------------------------------------------------------------ exceptions

    /** The replay's parallelism for the exceptions part: jobs/replay's default on a 2-core machine. */
    private static final int EXCEPTIONS_PARALLELISM = 2;
    /** Replays per exceptions set after one warm-up replay of each, alternating the two sets; the fastest of each set's runs counts. */
    private static final int EXCEPTIONS_ROUNDS = 3;

    /**
     * The cost of exceptions: {@link ExceptionsBenchmark#EXCEPTIONS} valid exceptions built for the input (a handful
     * of them match it) and written to a file; the matching alone ({@code ExceptionSet.hiddenMask}, ns per sign-in
     * with 0, 1,000 and 10,000 in force); then the replay with none and with the file ({@code --exceptions.file}),
     * alternating, after a warm-up replay of each.
     */
    private Map<String, Object> exceptions(Path file, long expectedRecords, Path workDir) throws Exception {
        Map<String, Object> res = new LinkedHashMap<>();
        ExceptionsBenchmark.Sample sample = ExceptionsBenchmark.signIns(file, ExceptionsBenchmark.MAX_SIGN_INS);
        ExceptionSet set = exceptionSet(sample);
        List<String> documents = set.documents();
        List<io.entrawatch.exceptions.ExceptionItem> items = set.items();
        res.put("set", set.described());
        res.put("seed", ExceptionsBenchmark.SEED);
        Files.createDirectories(workDir);
        Path excFile = Files.createTempFile(workDir, "exceptions-", ".ndjson");
        try {
            Files.write(excFile, documents, StandardCharsets.UTF_8);
            List<ExceptionsBenchmark.Micro> micro = ExceptionsBenchmark.micro(sample.all(), items, ExceptionsBenchmark.SIZES, ERR);
            res.put("hiddenMask", micro.stream().map(ExceptionsBenchmark.Micro::toMap).toList());
            res.put("hiddenMaskMethod", "ExceptionSet.hiddenMask over the first " + sample.all().size() + " sign-ins of the file "
                    + "(only the fields matching reads), the first N exceptions of the set in force, a counting listener; every "
                    + "set warmed up for 5 s, then passes alternating the sets; the fastest pass, in CPU time of the measuring "
                    + "thread (medianNsPerSignIn: the median pass; wallNsPerSignIn: the fastest pass in wall time)");
            res.put("signInsPassingTheIngestGate", sample.gated().size());
            ERR.printf(Locale.ROOT, "bench: exceptions: %,d of the %,d sign-ins pass the ingest gate to the exceptions step%n",
                    sample.gated().size(), sample.all().size());
            int sampled = sample.all().size();
            sample = null; // the replays need the heap

            JobOptions none = JobOptions.defaults();
            JobOptions withFile = JobOptions.parse(new String[] {"--exceptions.file", excFile.toString()}, null);
            List<ReplayRun> without = new ArrayList<>(), with = new ArrayList<>();
            // one replay of each first, not counted: the JIT compiles the exceptions' code as well as the rest
            ERR.println("bench: exceptions: warm-up replays (not counted)");
            replayRun(file, EXCEPTIONS_PARALLELISM, expectedRecords, none);
            replayRun(file, EXCEPTIONS_PARALLELISM, expectedRecords, withFile);
            for (int round = 0; round < EXCEPTIONS_ROUNDS; round++) {
                without.add(replayRun(file, EXCEPTIONS_PARALLELISM, expectedRecords, none));
                with.add(replayRun(file, EXCEPTIONS_PARALLELISM, expectedRecords, withFile));
            }
            ReplayRun best0 = without.stream().max(java.util.Comparator.comparingDouble(ReplayRun::rate)).orElseThrow();
            ReplayRun bestN = with.stream().max(java.util.Comparator.comparingDouble(ReplayRun::rate)).orElseThrow();
            double ratio = bestN.rate() / best0.rate();
            // CPU per record: less swayed than records/s by other work on a shared machine; the lowest of the runs
            double cpu0 = without.stream().mapToDouble(ReplayRun::cpuMicrosPerRecord).min().orElseThrow();
            double cpuN = with.stream().mapToDouble(ReplayRun::cpuMicrosPerRecord).min().orElseThrow();
            double src0 = without.stream().mapToDouble(ReplayRun::sourceCpuMicrosPerRecord).min().orElseThrow();
            double srcN = with.stream().mapToDouble(ReplayRun::sourceCpuMicrosPerRecord).min().orElseThrow();
            res.put("replayParallelism", EXCEPTIONS_PARALLELISM);
            res.put("replayWithout", without.stream().map(ReplayRun::json).toList());
            res.put("replayWith" + ExceptionsBenchmark.EXCEPTIONS, with.stream().map(ReplayRun::json).toList());
            res.put("recordsPerSecondWithout", Math.round(best0.rate()));
            res.put("recordsPerSecondWith" + ExceptionsBenchmark.EXCEPTIONS, Math.round(bestN.rate()));
            res.put("ratio", Math.round(ratio * 1000) / 1000.0);
            res.put("cpuMicrosPerRecordWithout", round(cpu0));
            res.put("cpuMicrosPerRecordWith" + ExceptionsBenchmark.EXCEPTIONS, round(cpuN));
            res.put("sourceTaskCpuMicrosPerRecordWithout", round(src0));
            res.put("sourceTaskCpuMicrosPerRecordWith" + ExceptionsBenchmark.EXCEPTIONS, round(srcN));
            res.put("replayMethod", "jobs/replay's pipeline at p=" + EXCEPTIONS_PARALLELISM + ", without exceptions and with "
                    + "--exceptions.file (the set above): a warm-up replay of each (not counted), then " + EXCEPTIONS_ROUNDS
                    + " runs each, alternating; the fastest run of each counts; records/s from the first record parsed to the "
                    + "end of the job; CPU per record: CPU time of the whole JVM (job tasks, JIT compilers, GC) over the same "
                    + "span, and of the source task thread alone (read, parse, ingest gate, exceptions, the detections' filters), "
                    + "the lowest of the runs");
            String runs0 = rates(without), runsN = rates(with);
            row("replay p=" + EXCEPTIONS_PARALLELISM + ", 0 exceptions", best0.records, best0.steady, Files.size(file),
                    String.format(Locale.ROOT, "fastest of %s; CPU %.1f us/record, source task %.1f; %,d alerts", runs0, cpu0, src0,
                            best0.alerts));
            row(String.format(Locale.ROOT, "replay p=%d, %,d exceptions", EXCEPTIONS_PARALLELISM, items.size()), bestN.records,
                    bestN.steady, Files.size(file), String.format(Locale.ROOT, "fastest of %s; ratio %.3f; CPU %.1f us/record, source task %.1f; "
                            + "%,d alerts; %d exceptions hid %,d sign-ins", runsN, ratio, cpuN, srcN, bestN.alerts,
                            bestN.exceptionsThatHid, bestN.hidden));
            StringBuilder ns = new StringBuilder();
            for (ExceptionsBenchmark.Micro m : micro) {
                ns.append(ns.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,d: %.0f ns", m.exceptions(), m.nsPerSignIn()));
            }
            rows.add(new String[] {"exceptions: hiddenMask per sign-in", String.format(Locale.ROOT, "%,d", sampled), "-", "-",
                    "-", ns + " (exceptions in force: CPU ns per sign-in)"});
            exceptionsSummary = new ArrayList<>();
            exceptionsSummary.add(new String[] {"exceptions in force", "replay p=" + EXCEPTIONS_PARALLELISM + " records/s", "ratio",
                    "JVM CPU us/record", "ratio", "source task CPU us/record", "ratio", "hiddenMask CPU ns/sign-in",
                    "sign-ins hidden (replay)"});
            for (ExceptionsBenchmark.Micro m : micro) {
                ReplayRun r = m.exceptions() == 0 ? best0 : m.exceptions() == items.size() ? bestN : null;
                double cpu = m.exceptions() == 0 ? cpu0 : cpuN, src = m.exceptions() == 0 ? src0 : srcN;
                exceptionsSummary.add(new String[] {String.format(Locale.ROOT, "%,d", m.exceptions()),
                        r == null ? "-" : String.format(Locale.ROOT, "%,.0f", r.rate()),
                        r == null ? "-" : String.format(Locale.ROOT, "%.3f", r.rate() / best0.rate()),
                        r == null ? "-" : String.format(Locale.ROOT, "%.1f", cpu),
                        r == null ? "-" : String.format(Locale.ROOT, "%.3f", cpu / cpu0),
                        r == null ? "-" : String.format(Locale.ROOT, "%.2f", src),
                        r == null ? "-" : String.format(Locale.ROOT, "%.3f", src / src0),
                        String.format(Locale.ROOT, "%.1f", m.nsPerSignIn()),
                        r == null ? "-" : String.format(Locale.ROOT, "%,d", r.hidden)});
            }
            ERR.printf(Locale.ROOT, "bench: exceptions: replay p=%d %,.0f records/s with 0, %,.0f with %,d (ratio %.3f); CPU %.1f and "
                    + "%.1f us/record, source task %.2f and %.2f%n", EXCEPTIONS_PARALLELISM, best0.rate(), bestN.rate(), items.size(),
                    ratio, cpu0, cpuN, src0, srcN);
        } finally {
            Files.deleteIfExists(excFile);
        }
        return res;
    }

    /** The exceptions built for the input, validated, and how they are made up. */
    private record ExceptionSet(List<String> documents, List<io.entrawatch.exceptions.ExceptionItem> items, String described) {}

    /** Built once per run: the exceptions part and the replay with 1,000 exceptions use the same set. */
    private ExceptionSet exceptionSet;

    private ExceptionSet exceptionSet(ExceptionsBenchmark.Sample sample) {
        if (exceptionSet == null) {
            List<String> documents = ExceptionsBenchmark.documents(sample, ExceptionsBenchmark.EXCEPTIONS, ExceptionsBenchmark.SEED);
            List<io.entrawatch.exceptions.ExceptionItem> items = ExceptionsBenchmark.validate(documents); // throws unless all valid
            String described = ExceptionsBenchmark.describe(items);
            ERR.println("bench: exceptions: " + described);
            exceptionSet = new ExceptionSet(documents, items, described);
        }
        return exceptionSet;
    }

    private static String rates(List<ReplayRun> runs) {
        StringBuilder b = new StringBuilder();
        for (ReplayRun r : runs) b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,.0f/s", r.rate()));
        return b.toString();
    }

    /** The exceptions part side by side (printed after the main table), or null when it was skipped. */
    private List<String[]> exceptionsSummary;

    // ------------------------------------------------------------------ archive replay

    /** How the benchmark's archives put the records in blobs. */
    enum ArchiveLayout {
        /** One container: each hour's records of every category in one blob ({@code insights-logs-signinlogs/...}). */
        HOURLY("archive", "archiveReplay", "archive", "one blob per hour", r -> AzureArchive.SIGN_IN_CONTAINER),
        /** As Azure's diagnostic setting writes them: a container per category, a blob per hour in each. */
        BY_CATEGORY("archive-categories", "archiveReplayByCategory", "archive-by-category", "one blob per hour and category",
                AzureArchive.BY_CATEGORY);

        /** The name --skip knows it by, its key in the JSON, the suffix of its cached folder, what it is. */
        final String part, jsonKey, folderSuffix, described;
        final java.util.function.Function<com.fasterxml.jackson.databind.JsonNode, String> container;

        ArchiveLayout(String part, String jsonKey, String folderSuffix, String described,
                java.util.function.Function<com.fasterxml.jackson.databind.JsonNode, String> container) {
            this.part = part;
            this.jsonKey = jsonKey;
            this.folderSuffix = folderSuffix;
            this.described = described;
            this.container = container;
        }
    }

    /**
     * The input as Azure's archive of a diagnostic setting ({@link AzureArchive}: hourly PT1H.json blobs, one bare
     * record per line, each in the blob of its own hour), replayed as a folder the way jobs/replay does
     * ({@link ReplayJob#messages}: {@code ReplayInput} and {@code ArchiveSource}, file i read by reader i mod p) at
     * parallelism 1 and 2, alerts counted and discarded.
     */
    private Map<String, Object> archiveReplay(Path file, long expectedRecords, ArchiveLayout layout) throws Exception {
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("layout", layout.described);
        Path folder = archiveOf(file, layout, res);
        ReplayInput input = ReplayInput.of(folder);
        res.put("folder", folder.toString());
        res.put("files", input.files().size());
        res.put("bytes", input.totalBytes());
        ReplayRun r1 = replayRun(folder, 1, expectedRecords, JobOptions.defaults());
        ReplayRun r2 = replayRun(folder, 2, expectedRecords, JobOptions.defaults());
        // the same p=1 with every thread of this JVM on one CPU: what one core gives, against p=2 on both
        ReplayRun r1c = onOneCpu(() -> replayRun(folder, 1, expectedRecords, JobOptions.defaults()));
        double ratio = r2.rate() / r1.rate();
        boolean equal = r1.alerts == r2.alerts && (r1c == null || r1c.alerts == r1.alerts);
        res.put("p1", r1.json);
        res.put("p2", r2.json);
        res.put("ratioP2P1", Math.round(ratio * 1000) / 1000.0);
        if (r1c != null) {
            res.put("p1OnOneCpu", r1c.json);
            res.put("ratioP2OnTwoCpusP1OnOneCpu", Math.round(r2.rate() / r1c.rate() * 1000) / 1000.0);
        }
        res.put("alertsEqual", equal);
        res.put("filesPerReaderAtP2", filesPerReader(input, 2));
        res.put("method", "the file's records written once as Azure's archive (" + layout.described + ": <container>/resourceId=.../"
                + "y=/m=/d=/h=/m=00/PT1H.json, one bare record per line, each in the blob of its own time's hour, cached next "
                + "to the file), replayed as a folder through ReplayJob.messages (ReplayInput, ArchiveSource: file i read by "
                + "reader i mod p, ArchiveWatermarks) at p=1 and p=2, one run each, with a record counter chained in each "
                + "reader; records/s from the first record parsed to the end of the job; cores: the JVM's CPU time over the "
                + "same span / its length; readers' task CPU from the counter, other threads sampled every 100 ms");
        String what = layout == ArchiveLayout.HOURLY ? "archive replay" : "archive by category";
        row(what + ", all detections, p=1", r1.records, r1.steady, input.totalBytes(), String.format(Locale.ROOT,
                "%,d files (%s); %.2f cores, CPU %.1f us/record (source task %.1f); %,.0f/s incl. %.1f s start-up; %,d alerts "
                        + "discarded", input.files().size(), layout.described, r1.cpu / r1.steady, r1.cpuMicrosPerRecord(),
                r1.sourceCpuMicrosPerRecord(), r1.records / r1.total, r1.startup, r1.alerts));
        row(what + ", all detections, p=2", r2.records, r2.steady, input.totalBytes(), String.format(Locale.ROOT,
                "p2/p1 %.2f (target >= 1.8); alerts %s: p=1 %,d, p=2 %,d; %.2f cores, CPU %.1f us/record; %,.0f/s incl. %.1f s "
                        + "start-up; %s", ratio, equal ? "equal" : "DIFFER", r1.alerts, r2.alerts, r2.cpu / r2.steady,
                r2.cpuMicrosPerRecord(), r2.records / r2.total, r2.startup, readerSplit(r2)));
        if (r1c != null) {
            row(what + ", all detections, p=1 on one CPU", r1c.records, r1c.steady, input.totalBytes(), String.format(Locale.ROOT,
                    "every thread of the JVM on one CPU (taskset); p=2 on two CPUs / this: %.2f; %.2f cores, CPU %.1f us/record "
                            + "(source task %.1f); %,d alerts", r2.rate() / r1c.rate(), r1c.cpu / r1c.steady,
                    r1c.cpuMicrosPerRecord(), r1c.sourceCpuMicrosPerRecord(), r1c.alerts));
            ERR.println("bench: " + what + ": threads' CPU (s) at p=1 on one CPU: " + r1c.threadCpu());
        }
        ERR.printf(Locale.ROOT, "bench: %s: p=1 %,.0f records/s, p=2 %,.0f records/s, p2/p1 %.3f; alerts p=1 %,d, p=2 %,d%n",
                what, r1.rate(), r2.rate(), ratio, r1.alerts, r2.alerts);
        ERR.println("bench: " + what + ": threads' CPU (s) at p=1: " + r1.threadCpu());
        ERR.println("bench: " + what + ": threads' CPU (s) at p=2: " + r2.threadCpu());
        return res;
    }

    /**
     * Runs {@code run} with every thread of this JVM allowed on the first of its CPUs only ({@code taskset -a}; the
     * threads started meanwhile inherit it), then gives every thread the CPUs it had back. The garbage collector and
     * the JIT keep the thread counts they chose for all the CPUs: only the CPUs differ from a run without it.
     * Null, with a message, when taskset is not there or refuses.
     */
    static <T> T onOneCpu(java.util.concurrent.Callable<T> run) throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        String cpus;
        try {
            // "pid 123's current affinity list: 0,1"
            String out = Commands.output(List.of("taskset", "-c", "-p", pid));
            cpus = out.substring(out.lastIndexOf(':') + 1).trim();
        } catch (IOException e) {
            ERR.println("bench: the run on one CPU is left out: " + e.getMessage());
            return null;
        }
        try {
            allThreadsOn(cpus.split("[,-]")[0], pid);
        } catch (IOException e) {
            allThreadsOn(cpus, pid); // the threads it had already moved
            ERR.println("bench: the run on one CPU is left out: " + e.getMessage());
            return null;
        }
        try {
            return run.call();
        } finally {
            allThreadsOn(cpus, pid);
        }
    }

    /**
     * {@code taskset -a}: every thread of {@code pid} on {@code cpus}. A thread that ends while taskset goes through
     * the list makes it fail ("No such process"); it is run again then, a few times.
     */
    private static void allThreadsOn(String cpus, String pid) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                Commands.output(List.of("taskset", "-a", "-c", "-p", cpus, pid));
                return;
            } catch (IOException e) {
                if (attempt == 10 || !e.getMessage().contains("No such process")) throw e;
            }
        }
    }

    /**
     * The folder of Azure's archive made from {@code file} in {@code layout}, next to it ({@code <name>.<suffix>}):
     * written once (into {@code <name>.<suffix>.tmp}, then renamed), reused after.
     */
    static Path archiveOf(Path file, ArchiveLayout layout, Map<String, Object> res) throws IOException {
        String name = file.getFileName().toString().replaceFirst("\\.ndjson$", "");
        Path folder = file.resolveSibling(name + "." + layout.folderSuffix);
        if (Files.isDirectory(folder)) {
            res.put("built", false);
            return folder;
        }
        Path tmp = file.resolveSibling(folder.getFileName() + ".tmp");
        deleteTree(tmp);
        ERR.println("bench: writing the records of " + file.getFileName() + " as Azure's archive (" + layout.described + ") into "
                + folder + " ...");
        long t0 = System.nanoTime();
        long lines;
        int blobs;
        try (InputStream in = Files.newInputStream(file); AzureArchive archive = new AzureArchive(tmp, layout.container, false)) {
            LineReader r = new LineReader(in, Long.MAX_VALUE);
            for (byte[] line = r.next(); line != null; line = r.next()) archive.writeMessage(line);
            lines = archive.lines();
            blobs = archive.blobs();
        }
        Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
        double secs = (System.nanoTime() - t0) / 1e9;
        ERR.printf(Locale.ROOT, "bench: archive: %,d lines in %,d blobs, written in %.1f s%n", lines, blobs, secs);
        res.put("built", true);
        res.put("buildSeconds", round(secs));
        return folder;
    }

    /** Per reader at {@code parallelism}: how many files and bytes ArchiveSource gives it. */
    private static List<Map<String, Object>> filesPerReader(ReplayInput input, int parallelism) {
        long[] files = new long[parallelism], bytes = new long[parallelism];
        long[] sizes = input.files().stream().mapToLong(ReplayInput.InputFile::size).toArray();
        int[] subtasks = ArchiveSource.assign(sizes, parallelism);
        for (ReplayInput.InputFile f : input.files()) {
            int reader = subtasks[f.index()];
            files[reader]++;
            bytes[reader] += f.size();
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) list.add(Map.of("files", files[i], "bytes", bytes[i]));
        return list;
    }

    /** How a replay's readers shared the work: records, their task thread's CPU, their file fetcher's CPU. */
    private static String readerSplit(ReplayRun r) {
        long total = r.records();
        int n = r.readers().size();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            Map<String, Object> reader = r.readers().get(i);
            String suffix = "(" + (i + 1) + "/" + n + ")";
            double fetcher = r.threadCpu().entrySet().stream()
                    .filter(e -> e.getKey().startsWith("Source Data Fetcher") && e.getKey().endsWith(suffix))
                    .mapToDouble(Map.Entry::getValue).sum();
            b.append(i == 0 ? "" : "; ").append(String.format(Locale.ROOT,
                    "reader %d: %.0f %% of records, task CPU %.1f s, fetcher %.1f s", i + 1,
                    100.0 * (Long) reader.get("records") / Math.max(1, total), (Double) reader.get("sourceTaskCpuSeconds"), fetcher));
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ replay p=1 with 1,000 exceptions

    /** Exceptions in force in the replay p=1 that is compared with the parse ceiling: the first of the exceptions part's set. */
    private static final int FEW_EXCEPTIONS = 1_000;

    /**
     * The replay at p=1 with all detections and the first {@link #FEW_EXCEPTIONS} exceptions of the set the exceptions
     * part builds ({@code --exceptions.file}), one run, against the 1-thread parse ceiling.
     */
    private Map<String, Object> replayWithExceptions(Path file, long expectedRecords, Parse ceiling, ReplayRun plain, Path workDir)
            throws Exception {
        double ceiling1 = ceiling.records / ceiling.seconds;
        double ceilingCpu = ceiling.cpuSeconds * 1e6 / Math.max(1, ceiling.records);
        if (exceptionSet == null) exceptionSet(ExceptionsBenchmark.signIns(file, ExceptionsBenchmark.MAX_SIGN_INS));
        List<String> documents = exceptionSet.documents().subList(0, Math.min(FEW_EXCEPTIONS, exceptionSet.documents().size()));
        Files.createDirectories(workDir);
        Path excFile = Files.createTempFile(workDir, "exceptions-", ".ndjson");
        try {
            Files.write(excFile, documents, StandardCharsets.UTF_8);
            ReplayRun run = replayRun(file, 1, expectedRecords,
                    JobOptions.parse(new String[] {"--exceptions.file", excFile.toString()}, null));
            double ratio = run.rate() / ceiling1, plainRatio = plain.rate() / ceiling1;
            Map<String, Object> res = new LinkedHashMap<>();
            res.put("exceptions", documents.size());
            res.put("replay", run.json);
            res.put("parseCeiling1ThreadRecordsPerSecond", Math.round(ceiling1));
            res.put("ratioToParseCeiling1Thread", Math.round(ratio * 1000) / 1000.0);
            res.put("ratioToParseCeiling1ThreadWithoutExceptions", Math.round(plainRatio * 1000) / 1000.0);
            // CPU per record, which other work on the machine sways less than records/s measured minutes apart
            res.put("parseCeiling1ThreadCpuMicrosPerRecord", round(ceilingCpu));
            res.put("sourceTaskCpuMicrosPerRecord", round(run.sourceCpuMicrosPerRecord()));
            res.put("method", "jobs/replay's pipeline at p=1 with all detections and --exceptions.file holding the first "
                    + documents.size() + " exceptions of the exceptions part's set, one run; records/s from the first record "
                    + "parsed to the end of the job, divided by the parse ceiling on 1 thread; CPU per record: the ceiling "
                    + "thread's, and the replay's source task thread's (read, parse, ingest gate, exceptions, the detections' "
                    + "filters; the file is read ahead by the fetcher thread)");
            row(String.format(Locale.ROOT, "replay, all detections, p=1, %,d exceptions", documents.size()), run.records, run.steady,
                    Files.size(file), String.format(Locale.ROOT, "%.1f %% of the 1-thread parse ceiling (target >= 75 %%; "
                            + "without exceptions %.1f %%); CPU per record: ceiling %.1f us, source task %.1f us; %,d alerts; "
                            + "%d exceptions hid %,d sign-ins", 100 * ratio, 100 * plainRatio, ceilingCpu, run.sourceCpuMicrosPerRecord(),
                            run.alerts, run.exceptionsThatHid, run.hidden));
            ERR.printf(Locale.ROOT, "bench: replay p=1 with %,d exceptions: %,.0f records/s, %.1f %% of the 1-thread parse ceiling "
                    + "(%,.0f/s)%n", documents.size(), run.rate(), 100 * ratio, ceiling1);
            return res;
        } finally {
            Files.deleteIfExists(excFile);
        }
    }

    // ------------------------------------------------------------------ jobs/replay start-up

    /** Timed runs of jobs/replay, after one warm-up run. */
    private static final int STARTUP_RUNS = 3;
    private static final Pattern REPLAY_DONE = Pattern.compile(
            "replay: done in ([\\d.]+) s: (?:[\\d,]+ files, )?[\\d,]+ messages, ([\\d,]+) records .*?; ([\\d,]+) alerts ");

    /** One run of jobs/replay: wall time of the whole command, CPU of it and its children, and its closing line's figures. */
    private record ScriptRun(double wallSeconds, double cpuSeconds, double ownSeconds, long records, long alerts) {}

    /**
     * The real {@code jobs/replay} script, run from the repository as a user runs it (without this JVM's JAVA_OPTS), on
     * a small file: one warm-up run (after a build it writes the class-data archive target/replay.jsa), then
     * {@link #STARTUP_RUNS} timed runs.
     */
    private Map<String, Object> replayStartup(Path input, Path workDir) throws Exception {
        Path script = root.resolve("jobs/replay");
        Path dir = workDir.resolve("startup");
        Files.createDirectories(dir);
        Path out = dir.resolve("alerts.ndjson"), log = dir.resolve("replay.log");
        Files.deleteIfExists(log);
        Path jsa = root.resolve("target/replay.jsa"), jar = root.resolve("target/entrawatch.jar");
        boolean archiveBefore = Files.exists(jsa) && Files.exists(jar)
                && Files.getLastModifiedTime(jsa).compareTo(Files.getLastModifiedTime(jar)) > 0;
        ERR.println("bench: startup: jobs/replay " + input.getFileName() + ", a warm-up run, then " + STARTUP_RUNS + " timed runs");
        ScriptRun warmUp = runScript(script, input, out, log);
        List<ScriptRun> runs = new ArrayList<>();
        for (int i = 0; i < STARTUP_RUNS; i++) runs.add(runScript(script, input, out, log));
        double[] walls = runs.stream().mapToDouble(ScriptRun::wallSeconds).sorted().toArray();
        double[] cpus = runs.stream().mapToDouble(ScriptRun::cpuSeconds).sorted().toArray();
        double[] owns = runs.stream().mapToDouble(ScriptRun::ownSeconds).sorted().toArray();
        double best = walls[0], median = walls[walls.length / 2], cpu = cpus[cpus.length / 2], own = owns[owns.length / 2];
        ScriptRun last = runs.get(runs.size() - 1);
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("command", "jobs/replay " + input + " " + out);
        res.put("inputBytes", Files.size(input));
        res.put("records", last.records());
        res.put("alerts", last.alerts());
        res.put("classDataArchive", archiveBefore ? "present before the warm-up run"
                : Files.exists(jsa) ? "written by the warm-up run" : "missing after the warm-up run");
        res.put("warmUp", runJson(warmUp));
        res.put("runs", runs.stream().map(Benchmark::runJson).toList());
        res.put("bestWallSeconds", round(best));
        res.put("medianWallSeconds", round(median));
        res.put("medianCpuSeconds", cpu < 0 ? null : round(cpu));
        res.put("medianReplayOwnSeconds", round(own));
        res.put("method", "ProcessBuilder runs jobs/replay IN OUT from the repository (JAVA_OPTS removed from its environment), "
                + "output to " + log + "; wall time from start() to the end of waitFor(); CPU: user+sys of the command and every "
                + "process it waited for (this JVM's cutime+cstime in /proc/self/stat before and after, USER_HZ 100); the "
                + "replay's own time is the 'done in' of its closing line (from reading the input to writing the alerts, "
                + "without the JVM's start and exit)");
        rows.add(new String[] {"jobs/replay start-up, small file", String.format(Locale.ROOT, "%,d", last.records()),
                String.format(Locale.ROOT, "%.2f", median), "-", "-", String.format(Locale.ROOT,
                "whole command: best %.2f s, median %.2f s of %d after a warm-up (target < 3 s); CPU user+sys median %s; "
                        + "replay's own 'done in' median %.1f s; %,d alerts", best, median, runs.size(),
                cpu < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f s", cpu), own, last.alerts())});
        ERR.printf(Locale.ROOT, "bench: startup: wall best %.2f s, median %.2f s; CPU median %.1f s%n", best, median, cpu);
        return res;
    }

    private static Map<String, Object> runJson(ScriptRun r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("wallSeconds", round(r.wallSeconds()));
        m.put("cpuSeconds", r.cpuSeconds() < 0 ? null : round(r.cpuSeconds()));
        m.put("replayOwnSeconds", r.ownSeconds());
        return m;
    }

    private ScriptRun runScript(Path script, Path input, Path out, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(script.toString(), input.toString(), out.toString()).directory(root.toFile());
        pb.environment().remove("JAVA_OPTS");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        long logFrom = Files.exists(log) ? Files.size(log) : 0;
        long cpu0 = childrenCpuTicks();
        long t0 = System.nanoTime();
        Process p = pb.start();
        int status = p.waitFor();
        long t1 = System.nanoTime();
        long cpu1 = childrenCpuTicks();
        if (status != 0) throw new IllegalStateException("jobs/replay exited with " + status + " (its output: " + log + ")");
        String text;
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
            ch.position(logFrom);
            text = new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = REPLAY_DONE.matcher(text);
        if (!m.find()) throw new IllegalStateException("no closing line in jobs/replay's output (" + log + ")");
        ScriptRun run = new ScriptRun((t1 - t0) / 1e9, cpu0 < 0 || cpu1 < 0 ? -1 : (cpu1 - cpu0) / 100.0, Double.parseDouble(m.group(1)),
                Long.parseLong(m.group(2).replace(",", "")), Long.parseLong(m.group(3).replace(",", "")));
        ERR.printf(Locale.ROOT, "bench: startup: jobs/replay took %.2f s (CPU %.1f s; its own 'done in' %.1f s)%n", run.wallSeconds(),
                run.cpuSeconds(), run.ownSeconds());
        return run;
    }

    /** User and system CPU of the children this JVM waited for (and theirs), in clock ticks (/proc/self/stat), or -1. */
    private static long childrenCpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return Long.parseLong(f[13]) + Long.parseLong(f[14]); // fields 16 and 17: cutime, cstime
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    // ------------------------------------------------------------------ Kafka -> Elasticsearch

    /**
     * A topic of its own (created, {@link #LIVE_PARTITIONS} partitions) and alert index on the benchmark's
     * services (deploy/local/services, read from the environment), with the production job's options for them.
     */
    private record LiveTarget(String topic, String index, String esUrl, JobOptions options, Map<String, String> environment,
            Properties clientProps) {

        static LiveTarget create(String suffix) throws Exception {
            String bootstrap = need("KAFKA_BOOTSTRAP"), esUrl = need("ES_URL");
            String connection = Files.readString(Path.of(need("EVENTHUBS_CONNECTION_STRING_FILE"))).trim();
            String topic = "bench-signins-" + suffix, index = "bench-alerts-" + suffix;
            JobOptions options = JobOptions.parse(new String[] {
                    "--source.bootstrap-servers", bootstrap, "--source.topic", topic, "--source.group-id", "bench-" + suffix,
                    "--source.starting-offsets", "earliest", "--source.ssl.ca-file", need("KAFKA_CA_FILE"),
                    "--es.hosts", esUrl, "--es.index", index, "--dead-letter.index", "bench-dead-letters-" + suffix,
                    "--dead-letter.target", "elasticsearch", "--checkpoint.interval", "5 s", "--parallelism", "2"}, null);
            Properties props = EventHubsSource.clientProperties(options, connection);
            props.setProperty("bootstrap.servers", bootstrap);
            EventHubsFeeder.createTopic(props, topic, LIVE_PARTITIONS);
            return new LiveTarget(topic, index, esUrl, options, Map.of(Secrets.EVENTHUBS_ENV, connection), props);
        }

        /** The production job on a local MiniCluster of 2 slots, reading the topic from earliest. */
        JobClient startJob(String name) throws Exception {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
            EntraWatchJob.defineJob(env, options, environment);
            return env.executeAsync(name);
        }
    }

    private static final int LIVE_PARTITIONS = 2;

    private Map<String, Object> kafkaToElasticsearch(Path file, long records, long messages) throws Exception {
        LiveTarget target = LiveTarget.create(Long.toString(System.currentTimeMillis()));
        String topic = target.topic(), index = target.index(), esUrl = target.esUrl();
        int partitions = LIVE_PARTITIONS;
        long f0 = System.nanoTime();
        long sent = EventHubsFeeder.feed(target.clientProps(), topic, file, new PrintStream(java.io.OutputStream.nullOutputStream()));
        double feedSeconds = (System.nanoTime() - f0) / 1e9;
        ERR.printf(Locale.ROOT, "bench: %,d messages (%,d records) preloaded into %s in %.1f s%n", sent, records, topic, feedSeconds);

        long t0 = System.nanoTime();
        JobClient job = target.startJob("entrawatch bench kafka-to-es");
        long first = 0, done = 0, seen = 0, seenAtFirst = 0;
        long deadline = System.nanoTime() + 600_000_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                Thread.sleep(250);
                Map<String, Object> acc;
                try {
                    acc = job.getAccumulators().get();
                } catch (Exception e) {
                    continue;
                }
                Object v = acc.get("recordsIn");
                seen = v == null ? 0 : ((Number) v).longValue();
                if (seen > 0 && first == 0) {
                    first = System.nanoTime();
                    seenAtFirst = seen;
                }
                if (seen >= records) {
                    done = System.nanoTime();
                    break;
                }
            }
            if (done == 0) throw new IllegalStateException("only " + seen + " of " + records + " records consumed in 600 s");
            // the sink flushes on checkpoints and its own batching: wait until the alert count stops moving
            long lastCount = -1, stableSince = System.nanoTime();
            while (System.nanoTime() - stableSince < 12_000_000_000L) {
                long c = esCount(esUrl, index);
                if (c != lastCount) {
                    lastCount = c;
                    stableSince = System.nanoTime();
                }
                Thread.sleep(1000);
            }
            long alerts = lastCount;
            double total = (done - t0) / 1e9, steady = Math.max(1e-3, (done - first) / 1e9);
            long steadyRecords = records - seenAtFirst;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("transport", "Kafka 4.1.1 broker, SASL_SSL PLAIN ($ConnectionString), " + partitions + " partitions");
            r.put("elasticsearch", esUrl);
            r.put("parallelism", 2);
            r.put("records", records);
            r.put("messages", messages);
            r.put("preloadSeconds", round(feedSeconds));
            r.put("startupSeconds", round((first - t0) / 1e9));
            r.put("secondsToConsumeAll", round(steady));
            r.put("recordsPerSecondExcludingStartup", steadyRecords > 0 ? Math.round(steadyRecords / steady) : null);
            r.put("recordsPerSecondIncludingStartup", Math.round(records / total));
            r.put("alertsInElasticsearch", alerts);
            r.put("method", "recordsIn accumulator of the running job polled every 250 ms; rate excluding start-up = records "
                    + "counted after the first non-zero poll / time from that poll to the poll that reached the file's count");
            row("Kafka SASL_SSL -> job -> Elasticsearch, p=2", steadyRecords, steady,
                    (long) (Files.size(file) * (steadyRecords / (double) records)),
                    String.format(Locale.ROOT, "%,.0f/s incl. %.1f s start-up; %,d alerts searchable", records / total,
                            (first - t0) / 1e9, alerts));
            return r;
        } finally {
            job.cancel().get();
        }
    }

    private static long esCount(String url, String index) throws Exception {
        HttpClient c = HttpClient.newHttpClient();
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(url + "/" + index + "/_count")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) return 0;
        Matcher m = Pattern.compile("\"count\"\\s*:\\s*(\\d+)").matcher(r.body());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String need(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) throw new IllegalStateException(name + " is not set (start deploy/local/services)");
        return v;
    }


    // ------------------------------------------------------------------ alert latency

    /**
     * A live stream: the job runs (p=2, from earliest on an empty topic) while this thread sends the file's
     * messages at a steady rate, round-robin over 2 partitions. For each message sent it notes the wall time
     * and the watermark the source can then emit, min over partitions of (newest event time sent there) minus
     * the out-of-orderness. A poller searches the alert index every 100 ms and notes when each alert first
     * becomes searchable. Latency = searchable - the first wall time at which that watermark passed the
     * alert's window end (@timestamp).
     */
    private Map<String, Object> latency(Path file, int rate, int seconds) throws Exception {
        LiveTarget target = LiveTarget.create("lat-" + System.currentTimeMillis());
        String topic = target.topic(), index = target.index(), esUrl = target.esUrl();
        int partitions = LIVE_PARTITIONS;
        long ooo = target.options().get(EventTimeOptions.MAX_OUT_OF_ORDERNESS).toMillis();
        Properties props = target.clientProps();
        JobClient job = target.startJob("entrawatch bench latency");
        // wait until the job runs, then a little for the source to be assigned its partitions
        long until = System.currentTimeMillis() + 60_000;
        while (job.getJobStatus().get() != org.apache.flink.api.common.JobStatus.RUNNING && System.currentTimeMillis() < until) {
            Thread.sleep(200);
        }
        Thread.sleep(5000);

        Map<String, Long> seenAt = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, Long> windowEnd = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, String> ruleOf = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean polling = new java.util.concurrent.atomic.AtomicBoolean(true);
        ObjectMapper mapper = new ObjectMapper();
        HttpClient http = HttpClient.newHttpClient();
        Thread poller = new Thread(() -> {
            while (polling.get()) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(esUrl + "/" + index
                            + "/_search?size=10000&_source=@timestamp,rule.category")).GET().build(), HttpResponse.BodyHandlers.ofString());
                    long now = System.currentTimeMillis();
                    if (r.statusCode() == 200) {
                        for (var hit : mapper.readTree(r.body()).at("/hits/hits")) {
                            String id = hit.get("_id").asText();
                            if (seenAt.putIfAbsent(id, now) == null) {
                                windowEnd.put(id, java.time.Instant.parse(hit.at("/_source/@timestamp").asText()).toEpochMilli());
                                ruleOf.put(id, hit.at("/_source/rule/category").asText());
                            }
                        }
                    }
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // index not there yet
                }
            }
        }, "es-poller");
        poller.start();

        // feed at a steady rate; note (watermark, wall time) whenever the source-side watermark moves
        SignInParser parser = DetectionPipeline.parser(JobOptions.defaults());
        Properties pp = new Properties();
        pp.putAll(props);
        pp.setProperty("linger.ms", "5");
        pp.setProperty("max.request.size", String.valueOf(2 * 1024 * 1024));
        List<long[]> wmAt = new ArrayList<>(); // {watermark, wall}
        long[] maxTs = new long[partitions];
        Arrays.fill(maxTs, Long.MIN_VALUE);
        long sentRecords = 0, sentMessages = 0;
        long start = System.currentTimeMillis();
        long lastWm = Long.MIN_VALUE;
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer = new org.apache.kafka.clients.producer.KafkaProducer<>(
                pp, new org.apache.kafka.common.serialization.ByteArraySerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
             InputStream in = Files.newInputStream(file)) {
            LineReader r = new LineReader(in, Long.MAX_VALUE);
            byte[] line;
            while ((line = r.next()) != null && System.currentTimeMillis() - start < seconds * 1000L) {
                ParsedMessage m = parser.parse(line, topic, 0, sentMessages, 0L);
                int part = (int) (sentMessages % partitions);
                // pace: records sent so far must not run ahead of rate * elapsed
                long due = start + sentRecords * 1000L / rate;
                long wait = due - System.currentTimeMillis();
                if (wait > 0) Thread.sleep(wait);
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, part, null, line));
                long now = System.currentTimeMillis();
                sentMessages++;
                sentRecords += m.records;
                if (m.maxTimestamp != Long.MIN_VALUE) maxTs[part] = Math.max(maxTs[part], m.maxTimestamp);
                long wm = Long.MAX_VALUE;
                for (long t : maxTs) wm = Math.min(wm, t);
                if (wm != Long.MIN_VALUE) wm = wm - ooo - 1;
                if (wm > lastWm) {
                    lastWm = wm;
                    wmAt.add(new long[] {wm, now});
                }
            }
        }
        double fedSeconds = (System.currentTimeMillis() - start) / 1000.0;
        ERR.printf(Locale.ROOT, "bench: latency: fed %,d records in %,d messages over %.0f s; waiting for the last alerts%n",
                sentRecords, sentMessages, fedSeconds);
        Thread.sleep(15_000);
        polling.set(false);
        poller.interrupt();
        poller.join();
        job.cancel().get();

        List<Long> lat = new ArrayList<>();
        Map<String, List<Long>> latByRule = new java.util.TreeMap<>();
        int unmatched = 0;
        for (var e : seenAt.entrySet()) {
            long end = windowEnd.get(e.getKey());
            long passed = -1;
            for (long[] w : wmAt) {
                if (w[0] >= end) {
                    passed = w[1];
                    break;
                }
            }
            if (passed < 0) {
                unmatched++; // the feeder's watermark never passed it (cannot happen for a real alert)
                continue;
            }
            lat.add(e.getValue() - passed);
            latByRule.computeIfAbsent(ruleOf.get(e.getKey()), k -> new ArrayList<>()).add(e.getValue() - passed);
        }
        java.util.Collections.sort(lat);
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("rateRecordsPerSecond", rate);
        res.put("fedRecords", sentRecords);
        res.put("fedSeconds", round(fedSeconds));
        res.put("alerts", lat.size());
        res.put("alertsWithoutWatermarkPass", unmatched);
        if (!lat.isEmpty()) {
            res.put("medianMs", lat.get(lat.size() / 2));
            res.put("p99Ms", lat.get(Math.min(lat.size() - 1, (int) Math.ceil(lat.size() * 0.99) - 1)));
            res.put("minMs", lat.get(0));
            res.put("maxMs", lat.get(lat.size() - 1));
        }
        res.put("method", "watermark pass = first wall time the feeder had sent, on every partition, a record newer than "
                + "window end + out-of-orderness (" + ooo + " ms); searchable = first _search (every 100 ms) that returns "
                + "the alert; includes the source's 200 ms watermark interval, Kafka transit, the operators, the sink's "
                + "bulk flush (es.bulk.flush-interval) and the index refresh");
        rows.add(new String[] {"alert latency, watermark -> searchable", String.format(Locale.ROOT, "%,d", sentRecords),
                String.format(Locale.ROOT, "%.0f", fedSeconds), String.format(Locale.ROOT, "%,d", rate), "-",
                lat.isEmpty() ? "no alerts" : String.format(Locale.ROOT, "median %.2f s, p99 %.2f s over %d alerts (min %.2f, max %.2f)",
                        res.get("medianMs") instanceof Long a ? a / 1000.0 : 0, ((Long) res.get("p99Ms")) / 1000.0, lat.size(),
                        lat.get(0) / 1000.0, lat.get(lat.size() - 1) / 1000.0)});
        ERR.printf(Locale.ROOT, "bench: latency: %d alerts, median %s ms, p99 %s ms%n", lat.size(), res.get("medianMs"), res.get("p99Ms"));
        // per rule: each detection's alerts fall due when the watermark passes its own window's end
        Map<String, Object> byRule = new LinkedHashMap<>();
        for (var e : latByRule.entrySet()) {
            List<Long> l = e.getValue();
            java.util.Collections.sort(l);
            long median = l.get(l.size() / 2), p99 = l.get(Math.min(l.size() - 1, (int) Math.ceil(l.size() * 0.99) - 1));
            byRule.put(e.getKey(), Map.of("alerts", l.size(), "medianMs", median, "p99Ms", p99, "maxMs", l.get(l.size() - 1)));
            rows.add(new String[] {"  alert latency, " + e.getKey(), "-", "-", "-", "-", String.format(Locale.ROOT,
                    "median %.2f s, p99 %.2f s over %d alerts (max %.2f)", median / 1000.0, p99 / 1000.0, l.size(),
                    l.get(l.size() - 1) / 1000.0)});
            ERR.printf(Locale.ROOT, "bench: latency of %s: %d alerts, median %d ms, p99 %d ms%n", e.getKey(), l.size(), median, p99);
        }
        res.put("byRule", byRule);
        return res;
    }

    // ------------------------------------------------------------------ state

    private Map<String, Object> state(int pairs, Path workParent) throws Exception {
        Path work = Files.createTempDirectory(workParent, "state-");
        Map<String, Object> s = new LinkedHashMap<>();
        List<String> names = List.of("rareAppB", "sprayA", "ssoStage1C", "ssoStage2C", "validCredentialsStage1D",
                "validCredentialsOpenWindowsD", "validCredentialsSpraySourcesD", "validCredentialsEgressStage1D",
                "validCredentialsEgressStage2D");
        List<StateBenchmark.Result> results = StateBenchmark.run("all", pairs, work);
        for (int i = 0; i < results.size(); i++) {
            StateBenchmark.Result r = results.get(i);
            StateBenchmark.print(r);
            Map<String, Object> b = StateBenchmark.json(r);
            b.put("source", "StateBenchmark: " + r.detection());
            s.put(names.get(i), b);
            rows.add(new String[] {"state " + r.detection().split(" \\(")[0] + ", per " + r.unit(), String.format(Locale.ROOT, "%,d", b.get("keys")),
                    "-", "-", "-", String.format(Locale.ROOT, "heap %s B, heap checkpoint %s B, RocksDB checkpoint %s B",
                            b.get("heapBytesPerKey"), b.get("heapCheckpointBytesPerKey"), b.get("rocksDbCheckpointBytesPerKey"))});
        }
        deleteTree(work);
        return s;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var w = Files.walk(p)) {
            w.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    // ------------------------------------------------------------------ output

    private void row(String what, long records, double seconds, long bytes, String note) {
        rows.add(new String[] {what, String.format(Locale.ROOT, "%,d", records), String.format(Locale.ROOT, "%.1f", seconds),
                String.format(Locale.ROOT, "%,.0f", records / seconds), String.format(Locale.ROOT, "%.1f", bytes / seconds / 1e6),
                note});
    }

    private void printTable() {
        String[] head = {"measurement", "records", "s", "records/s", "MB/s", "notes"};
        int[] w = new int[head.length];
        List<String[]> all = new ArrayList<>();
        all.add(head);
        all.addAll(rows);
        for (String[] r : all) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) json.get("machine");
        OUT.printf(Locale.ROOT, "entrawatch benchmark: %s cores (%s), Java %s, max heap %s MB, load average at start %s%n", m.get("cores"),
                m.get("cpu"), m.get("java"), m.get("maxHeapMB"), m.get("loadAverageAtStart"));
        for (int k = 0; k < all.size(); k++) {
            String[] r = all.get(k);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                String f = i == 0 || i == r.length - 1 ? "%-" + w[i] + "s" : "%" + w[i] + "s";
                sb.append(String.format(Locale.ROOT, f, r[i])).append(i < r.length - 1 ? " | " : "");
            }
            OUT.println(sb.toString().stripTrailing());
            if (k == 0) OUT.println("-".repeat(sb.length()));
        }
        if (exceptionsSummary != null) {
            OUT.println();
            printColumns(exceptionsSummary);
        }
    }

    /** A small table: the first row the header, every column right-aligned but the first. */
    private static void printColumns(List<String[]> all) {
        int[] w = new int[all.get(0).length];
        for (String[] r : all) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        for (int k = 0; k < all.size(); k++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < w.length; i++) {
                sb.append(String.format(Locale.ROOT, (i == 0 ? "%-" : "%") + w[i] + "s", all.get(k)[i])).append(i < w.length - 1 ? " | " : "");
            }
            OUT.println(sb.toString().stripTrailing());
            if (k == 0) OUT.println("-".repeat(sb.length()));
        }
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) return l.substring(l.indexOf(':') + 1).trim();
            }
        } catch (IOException e) {
            // not Linux
        }
        return "unknown";
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

}
