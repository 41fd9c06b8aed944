package io.entrawatch.replay;

import io.entrawatch.config.EventTimeOptions;
import io.entrawatch.config.ReplayOptions;
import io.entrawatch.config.RunOptions;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.config.JobOptions;
import io.entrawatch.ingest.ParsedMessage;
import io.entrawatch.ingest.SignInParser;
import io.entrawatch.model.Alert;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.DeadLetterDocuments;
import io.entrawatch.exceptions.ExceptionDocuments;
import io.entrawatch.exceptions.ExceptionsInput;
import io.entrawatch.exceptions.HiddenCounters;
import io.entrawatch.pipeline.DetectionPipeline;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Backtesting: runs the production pipeline over a file of Event Hubs message bodies (one per line) on
 * a local MiniCluster and writes one alert document per line (the document indexed into
 * Elasticsearch, plus {@code _id}), sorted by time, rule and id.
 *
 * <p>The input is a file, a compressed file or a folder of them (Azure's archive of a diagnostic setting).
 * Each file is read by one reader in line order and plays the part of one Event Hubs partition: lateness
 * is judged on that order, per file, and the watermarks never make late what a file's own order did not
 * ({@link ArchiveWatermarks}), so the output is deterministic and the same at any parallelism.
 */
public final class ReplayJob {
    private ReplayJob() {}

    public static void main(String[] args) {
        PrintStream err = System.err;
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            err.println(usage());
            System.exit(0);
        }
        List<String> positional = new ArrayList<>();
        JobOptions options;
        try {
            options = JobOptions.parse(args, positional);
            if (positional.size() != 2) throw new IllegalArgumentException("expected IN OUT.ndjson");
        } catch (IllegalArgumentException e) {
            err.println("replay: " + e.getMessage());
            err.println("usage: jobs/replay IN OUT.ndjson [--option value ...]   (IN: a file, a .gz file or a folder; options: jobs/replay --help)");
            System.exit(2);
            return;
        }
        Path in = Path.of(positional.get(0));
        Path out = Path.of(positional.get(1));
        if (!Files.isDirectory(in) && (!Files.isRegularFile(in) || !Files.isReadable(in))) {
            err.println("replay: input " + in + (Files.exists(in) ? " is neither a readable file nor a folder" : " does not exist"));
            System.exit(2);
            return;
        }
        try {
            Summary s = run(in, out, options, err);
            err.println(s.describe(out));
            System.exit(0);
        } catch (ExceptionDocuments.InvalidExceptionsException e) {
            err.println("replay: " + e.getMessage());
            err.println("replay: nothing was read; fix the exceptions above and run again");
            System.exit(2);
        } catch (java.io.UncheckedIOException e) {
            err.println("replay: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            err.println("replay: failed: " + e);
            Throwable c = e.getCause();
            while (c != null) {
                err.println("  caused by: " + c);
                c = c.getCause();
            }
            System.exit(1);
        }
    }

    static String usage() {
        return "usage: jobs/replay IN OUT.ndjson [--option value ...]\n"
                + "  IN: Event Hubs message bodies or records, one per line: a file, a compressed file (.gz, .bz2), or a\n"
                + "      folder read recursively (every file not hidden; Azure's archive of PT1H.json blobs), each file one\n"
                + "      partition, read in parallel at --parallelism (docs/replay.md).\n"
                + "  OUT: one alert document per line.\n"
                + "options (the same names as the cluster job):\n" + JobOptions.help();
    }

    /** What a replay did, for the closing line. */
    public static final class Summary {
        public long messages, records, signIns, skipped, malformed, late, bytes, files;
        /** Files and folders of the input left out, each with its reason. */
        public final List<ReplayInput.Skipped> leftOut = new ArrayList<>();
        public long millis;
        public final Map<String, Integer> alertsByRule = new TreeMap<>();
        /** "exception id | rule" -> the sign-ins that exception hid from that rule. */
        public final Map<String, Long> hiddenByException = new TreeMap<>();
        public int alerts;

        String describe(Path out) {
            double secs = Math.max(millis, 1) / 1000.0;
            return String.format(java.util.Locale.ROOT,
                    "replay: done in %.1f s: %s%,d messages, %,d records (%,.0f records/s, %.1f MB/s), %,d sign-ins, "
                            + "%,d other categories skipped, %,d malformed, %,d late; %,d alerts %s written to %s",
                    secs, files == 1 ? "" : String.format(java.util.Locale.ROOT, "%,d files, ", files), messages, records, records / secs, bytes / secs / 1e6, signIns, skipped, malformed, late, alerts,
                    alertsByRule, out) + (leftOut.isEmpty() ? "" : String.format(java.util.Locale.ROOT, "; %,d left out (listed above)",
                    leftOut.size())) + describeHidden();
        }

        private String describeHidden() {
            if (hiddenByException.isEmpty()) return "";
            StringBuilder b = new StringBuilder("\nreplay: sign-ins hidden by exceptions:");
            hiddenByException.forEach((k, n) -> b.append(String.format(java.util.Locale.ROOT, "\n  %s: %,d", k, n)));
            return b.toString();
        }
    }

    /**
     * Runs the replay on a local MiniCluster of its own, which starts while the job is defined
     * ({@link LocalReplayCluster}).
     */
    public static Summary run(Path in, Path out, JobOptions options, PrintStream progress) throws Exception {
        ReplayInput input = ReplayInput.of(in);
        int parallelism = options.get(RunOptions.PARALLELISM);
        if (parallelism <= 0) parallelism = defaultParallelism(input.files().size(), Runtime.getRuntime().availableProcessors());
        try (LocalReplayCluster cluster = LocalReplayCluster.start(parallelism, input.totalBytes())) {
            progress.println(input.describe());
            return run(cluster.environment(), input, out, options);
        }
    }

    /**
     * The parallelism of a replay without {@code --parallelism}: one reader per core for a folder (a file is
     * read by one reader, so at most one per file), and 2 for a single file, whose second core runs the
     * detections; never more than the cores.
     */
    static int defaultParallelism(int files, int cores) {
        return Math.max(1, Math.min(cores, Math.max(2, files)));
    }

    /** Runs the replay on {@code env} (tests pass their MiniCluster's environment). */
    public static Summary run(StreamExecutionEnvironment env, Path in, Path out, JobOptions options) throws Exception {
        return run(env, ReplayInput.of(in), out, options);
    }

    /** Runs the replay of {@code input} on {@code env}. */
    public static Summary run(StreamExecutionEnvironment env, ReplayInput input, Path out, JobOptions options) throws Exception {
        long started = System.currentTimeMillis();
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.getConfig().enableObjectReuse();

        // An invalid exceptions file stops the replay here, before any input is read.
        ExceptionsInput exceptions = ExceptionsInput.fromFile(options, DetectionPipeline.RULES);
        DataStream<ParsedMessage> messages = messages(env, input, options);
        DetectionPipeline.Outputs outputs = DetectionPipeline.defineWorkflow(messages, exceptions, options);

        DataStream<ReplayItem> items = outputs.alerts.map(ReplayItem::ofAlert).name("Alerts")
                .union(outputs.deadLetters.map(ReplayItem::ofDeadLetter).name("Dead letters"));
        Summary summary = new Summary();
        List<Alert> alerts = new ArrayList<>();
        String dlqFile = options.get(ReplayOptions.DEAD_LETTERS);
        BufferedWriter dlq = dlqFile == null ? null
                : new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(Path.of(dlqFile)), StandardCharsets.UTF_8));
        try (CloseableIterator<ReplayItem> it = items.collectAsync()) {
            JobClient client = env.executeAsync("entrawatch replay " + input.root().getFileName());
            while (it.hasNext()) {
                ReplayItem item = it.next();
                if (item.alert != null) {
                    alerts.add(item.alert);
                } else if (dlq != null) {
                    dlq.write(DeadLetterDocuments.toJson(item.deadLetter));
                    dlq.write('\n');
                }
            }
            JobExecutionResult result = client.getJobExecutionResult().get();
            summary.messages = counter(result, "messagesIn");
            summary.records = counter(result, "recordsIn");
            summary.signIns = counter(result, "signIns");
            summary.skipped = counter(result, "skippedCategories");
            summary.malformed = counter(result, "deadLetters");
            summary.late = counter(result, "lateRecords") + counter(result, "lateAtOperator");
            summary.bytes = counter(result, LineParser.BYTES);
            summary.files = input.files().size();
            summary.leftOut.addAll(input.skipped());
            result.getAllAccumulatorResults().forEach((name, value) -> {
                if (name.startsWith(HiddenCounters.ACCUMULATOR_PREFIX) && value instanceof Long n) {
                    String[] parts = name.substring(HiddenCounters.ACCUMULATOR_PREFIX.length()).split("\\|", 2);
                    summary.hiddenByException.put("exception " + parts[0] + " from " + parts[1], n);
                }
            });
        } finally {
            if (dlq != null) dlq.close();
        }
        alerts.sort(Comparator.comparingLong((Alert a) -> a.timestamp).thenComparing(a -> a.ruleId).thenComparing(a -> a.id));
        writeAlerts(alerts, out);
        for (Alert a : alerts) summary.alertsByRule.merge(a.ruleId, 1, Integer::sum);
        summary.alerts = alerts.size();
        summary.millis = System.currentTimeMillis() - started;
        return summary;
    }

    /**
     * The input as parsed messages with their watermarks, each file one partition ({@link ArchiveSource}):
     * read as raw lines ({@link ByteLineFormat}, decompressed by extension), parsed, watermarked
     * ({@link ArchiveWatermarks}), all in the source's tasks (chained to the reader). The benchmark uses the
     * same stream.
     */
    public static DataStream<ParsedMessage> messages(StreamExecutionEnvironment env, Path in, JobOptions options) {
        return messages(env, ReplayInput.of(in), options);
    }

    public static DataStream<ParsedMessage> messages(StreamExecutionEnvironment env, ReplayInput input, JobOptions options) {
        // Replay judges time on the files' own order only: the wall clock plays no part unless asked.
        SignInParser parser = options.isSet(EventTimeOptions.MAX_AHEAD_OF_CLOCK) ? DetectionPipeline.liveParser(options)
                : DetectionPipeline.parser(options);
        int files = input.files().size();
        int parallelism = Math.max(1, Math.min(files, env.getParallelism() > 0 ? env.getParallelism() : 1));
        long outOfOrderness = options.get(EventTimeOptions.MAX_OUT_OF_ORDERNESS).toMillis();
        long maxAhead = options.get(EventTimeOptions.MAX_AHEAD).toMillis();
        String[] names = new String[files];
        long[] sizes = new long[files];
        for (ReplayInput.InputFile f : input.files()) {
            names[f.index()] = f.name();
            sizes[f.index()] = f.size();
        }
        int[] subtasks = ArchiveSource.assign(sizes, parallelism);
        long[] caps = ArchiveWatermarks.capsAfter(ArchiveWatermarks.bounds(input, parser, outOfOrderness, maxAhead, subtasks),
                subtasks, parallelism);
        return env
                .fromSource(new ArchiveSource(input, subtasks), WatermarkStrategy.noWatermarks(), input.isDirectory() ? "Replay files" : "Replay file")
                .setParallelism(parallelism)
                .map(new LineParser(parser, names, sizes, subtasks, parallelism)).setParallelism(parallelism)
                .name("Parse Event Hubs messages")
                .assignTimestampsAndWatermarks(WatermarkStrategy.forGenerator(new ArchiveWatermarks.Supplier(outOfOrderness, maxAhead, caps))
                        .withTimestampAssigner((m, previous) -> m.maxTimestamp))
                .setParallelism(parallelism)
                .name("Watermarks");
    }

    private static long counter(JobExecutionResult r, String name) {
        Object v = r.getAccumulatorResult(name);
        return v == null ? 0 : ((Number) v).longValue();
    }

    /** Built when the first alert is written, not when the class loads: the replay's start does not wait for it. */
    private static final class IdWriter {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    /** One line per alert: the indexed document with {@code _id} first. */
    public static String line(Alert a) {
        String doc = a.document;
        String id;
        try {
            id = IdWriter.JSON.writeValueAsString(a.id);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return doc.length() > 2 ? "{\"_id\":" + id + "," + doc.substring(1) : "{\"_id\":" + id + "}";
    }

    static void writeAlerts(List<Alert> alerts, Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (Alert a : alerts) {
                w.write(line(a));
                w.write('\n');
            }
        }
    }

    /** Alerts and dead letters on one collect stream. */
    public static class ReplayItem {
        public Alert alert;
        public DeadLetter deadLetter;

        public ReplayItem() {}

        static ReplayItem ofAlert(Alert a) {
            ReplayItem i = new ReplayItem();
            i.alert = a;
            return i;
        }

        static ReplayItem ofDeadLetter(DeadLetter d) {
            ReplayItem i = new ReplayItem();
            i.deadLetter = d;
            return i;
        }
    }

    /**
     * Parses each line as one Event Hubs message (partition = the file's index in replay order, offset = the line
     * number, topic = the file's name: the file itself, or its path below the folder) and shows progress.
     */
    static class LineParser extends RichMapFunction<ArchiveSource.FileLine, ParsedMessage> {
        private static final long serialVersionUID = 1L;
        static final String BYTES = "bytesRead";
        static final String FILES = "filesRead";
        private final SignInParser parser;
        private final String[] names;
        private final long[] sizes;
        /** Per file, the subtask that reads it ({@link ArchiveSource#assign}). */
        private final int[] subtasks;
        private final int parallelism;
        private transient long lines, bytes, records, lastReport, startedAt, filesDone, ownFiles, ownBytes;
        private transient int file;
        private transient org.apache.flink.api.common.accumulators.LongCounter bytesCounter, filesCounter;

        LineParser(SignInParser parser, String[] names, long[] sizes, int[] subtasks, int parallelism) {
            this.parser = parser;
            this.names = names;
            this.sizes = sizes;
            this.subtasks = subtasks;
            this.parallelism = parallelism;
        }

        @Override
        public void open(OpenContext ctx) {
            bytesCounter = new org.apache.flink.api.common.accumulators.LongCounter();
            getRuntimeContext().addAccumulator(BYTES, bytesCounter);
            filesCounter = new org.apache.flink.api.common.accumulators.LongCounter();
            getRuntimeContext().addAccumulator(FILES, filesCounter);
            startedAt = lastReport = System.currentTimeMillis();
            file = -1;
            int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            for (int i = 0; i < names.length; i++) {
                if (subtasks[i] == subtask) {
                    ownFiles++;
                    ownBytes += sizes[i];
                }
            }
        }

        @Override
        public ParsedMessage map(ArchiveSource.FileLine l) {
            byte[] body = l.bytes;
            if (l.file != file) {
                if (file >= 0) filesDone++;
                file = l.file;
                filesCounter.add(1);
            }
            bytes += body.length + 1;
            bytesCounter.add(body.length + 1);
            long now = System.currentTimeMillis();
            if (now - lastReport >= 2000) {
                lastReport = now;
                report(now);
            }
            ParsedMessage m = parser.parse(body, names[l.file], l.file, l.line, now);
            lines++;
            records += m.records;
            return m;
        }

        private void report(long now) {
            double secs = Math.max(1, now - startedAt) / 1000.0;
            if (names.length == 1 && !ReplayInput.isCompressed(names[0])) {
                System.err.printf(java.util.Locale.ROOT, "replay: %,d messages, %,.1f of %,.1f MB (%.0f%%), %.1f MB/s%n",
                        lines, bytes / 1e6, ownBytes / 1e6, 100.0 * bytes / Math.max(1, ownBytes), bytes / 1e6 / secs);
            } else {
                System.err.printf(java.util.Locale.ROOT,
                        "replay: reader %d/%d: %,d of %,d files done, now %s; %,d lines, %,d records (%,.0f records/s), %,.1f MB read"
                                + " (after decompression)%n",
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() + 1, parallelism, filesDone, ownFiles,
                        names[file], lines, records, records / secs, bytes / 1e6);
            }
        }
    }
}
