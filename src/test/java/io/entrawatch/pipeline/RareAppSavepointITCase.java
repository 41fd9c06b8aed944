package io.entrawatch.pipeline;

import io.entrawatch.testing.Savepoints;
import java.time.Duration;

import io.entrawatch.config.RareAppOptions;
import io.entrawatch.testing.FileTrees;
import io.entrawatch.testing.TestClusters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.TestRecords.Record;
import io.entrawatch.TestRecords;
import io.entrawatch.config.JobOptions;
import io.entrawatch.detect.rareapp.RareAppDetection;
import io.entrawatch.ingest.ParsedMessage;
import io.entrawatch.ingest.SignInParser;
import io.entrawatch.model.Alert;
import io.entrawatch.model.Categories;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warm-up and upgrade procedure of docs/operations.md for detection B: the job (built by
 * {@link DetectionPipeline}) reads a directory continuously with {@code --rare-app.alert-from}, learns
 * the older sign-ins without alerting, is stopped with a savepoint, and a new job graph, built again,
 * starts from that savepoint on RocksDB with incremental checkpoints (the cluster configuration) and
 * uses the 14-day history.
 */
class RareAppSavepointITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DAY = 24 * 60 * MIN;
    static final ConcurrentLinkedQueue<String> ALERTS = new ConcurrentLinkedQueue<>();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    private static Record failure(String upn, long ts) {
        return TestRecords.sprayFailure(upn, ts).category(Categories.SIGN_IN_LOGS).interactive(true).auth("multiFactorAuthentication");
    }

    /** A sign-in no detection keeps; it moves the watermark on. */
    private static Record clock(long ts) {
        return TestRecords.sprayFailure("clock@contoso.com", ts).errorCode(null).interactive(true);
    }

    private void drop(Path inbox, String name, List<Record> records) throws Exception {
        Path tmp = inbox.resolve("." + name); // the file source skips hidden files: appear at once
        Files.write(tmp, List.of(TestRecords.envelope(records)), StandardCharsets.UTF_8);
        Files.move(tmp, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Warm-up until 03:00 of the first day (the deployment), no suppression (so every evaluation shows). */
    private static JobOptions options() {
        return JobOptions.defaults().with(RareAppOptions.SUPPRESSION, "0")
                .with(RareAppOptions.ALERT_FROM, "2025-11-14T03:00:00Z");
    }

    private static void define(StreamExecutionEnvironment env, Path inbox) {
        env.setParallelism(2);
        JobOptions options = options();
        DataStream<ParsedMessage> messages = env
                .fromSource(FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                                new org.apache.flink.core.fs.Path(inbox.toUri())).monitorContinuously(Duration.ofMillis(100)).build(),
                        WatermarkStrategy.noWatermarks(), "Inbox")
                .uid("inbox-source").setParallelism(1)
                .map(new Parse(DetectionPipeline.parser(options))).setParallelism(1)
                .assignTimestampsAndWatermarks(DetectionPipeline.watermarks(options)).setParallelism(1);
        DetectionPipeline.defineWorkflow(messages, options).alerts.sinkTo(new QueueSink()).name("Alerts to a queue");
    }

    @Test
    void warmUpThenStopWithSavepointThenARebuiltJobKeepsTheFourteenDayHistory() throws Exception {
        ALERTS.clear();
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        // warm-up, the history before the deployment: three@ fails 3 times, two@ twice (02:00 < alert-from: learned,
        // no alert); then live: marker@ once (03:00, alerts)
        List<Record> before = new ArrayList<>();
        for (int i = 0; i < 3; i++) before.add(failure("three@contoso.com", T0 + 10 * MIN + i));
        for (int i = 0; i < 2; i++) before.add(failure("two@contoso.com", T0 + 10 * MIN + i));
        before.add(failure("marker@contoso.com", T0 + 70 * MIN));
        before.add(clock(T0 + 4 * 60 * MIN));
        drop(inbox, "1.ndjson", before);

        StreamExecutionEnvironment env1 = StreamExecutionEnvironment.getExecutionEnvironment();
        define(env1, inbox);
        JobClient job1 = env1.executeAsync("rare-app before the upgrade");
        waitForAlerts(1, 60_000);
        // no drain (false): the end-of-time watermark would fire the cleanup timers and forget the history
        String savepoint = Savepoints.stop(job1, false, dir.resolve("savepoints"), Duration.ofSeconds(60));
        assertEquals(List.of("marker@contoso.com 2025-11-14T03:00:00Z 1"), drain(), "no alert flood from the warm-up");

        // after: five days later, one more failure each, and a pair never seen before
        long day5 = T0 + 5 * DAY;
        drop(inbox, "2.ndjson", List.of(failure("three@contoso.com", day5 + 10 * MIN), failure("two@contoso.com", day5 + 10 * MIN),
                failure("fresh@contoso.com", day5 + 10 * MIN), clock(day5 + 3 * 60 * MIN)));
        Configuration cluster = new Configuration();
        cluster.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        cluster.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        Path rocksDir = dir.resolve("rocksdb");
        cluster.set(org.apache.flink.state.rocksdb.RocksDBOptions.LOCAL_DIRECTORIES, rocksDir.toString());
        StreamExecutionEnvironment env2 = StreamExecutionEnvironment.getExecutionEnvironment(cluster);
        define(env2, inbox);
        StreamGraph graph = env2.getStreamGraph();
        graph.setJobName("rare-app after the upgrade");
        graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        JobClient job2 = env2.executeAsync(graph);
        waitForAlerts(2, 60_000);
        // RocksDB creates and deletes files while it runs: FileTrees tolerates the ones that vanish mid-walk
        assertTrue(FileTrees.regularFiles(rocksDir).stream().anyMatch(f -> f.getFileName().toString().startsWith("OPTIONS")),
                "the restored job runs on RocksDB");
        // stopping flushes everything the watermark already fired (three@'s evaluation included)
        Savepoints.stop(job2, false, dir.resolve("savepoints"), Duration.ofSeconds(60));
        assertEquals(List.of("fresh@contoso.com 2025-11-19T02:00:00Z 1", "two@contoso.com 2025-11-19T02:00:00Z 3"), drain(),
                "two@: 2 before + 1 after = 3 alerts; three@: 3 + 1 = 4 does not (a fresh start would say 1 and 1)");
    }

    private static List<String> drain() throws Exception {
        List<String> out = new ArrayList<>();
        String doc;
        while ((doc = ALERTS.poll()) != null) {
            JsonNode a = JSON.readTree(doc);
            if (!a.at("/rule/id").asText().equals(RareAppDetection.RULE.id)) continue;
            out.add(a.at("/azure/signinlogs/properties/user_principal_name").asText() + " " + a.at("/@timestamp").asText()
                    + " " + a.at("/detection/failed_count").asLong());
        }
        Collections.sort(out);
        return out;
    }

    private static void waitForAlerts(int n, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (ALERTS.size() < n) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("waited for " + n + " alerts, have " + ALERTS);
            Thread.sleep(50);
        }
    }

    static final class Parse implements MapFunction<String, ParsedMessage> {
        private static final long serialVersionUID = 1L;
        private final SignInParser parser;
        private long offset;

        Parse(SignInParser parser) {
            this.parser = parser;
        }

        @Override
        public ParsedMessage map(String line) {
            return parser.parse(line.getBytes(StandardCharsets.UTF_8), "inbox", 0, offset++, System.currentTimeMillis());
        }
    }

    static final class QueueSink implements Sink<Alert> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<Alert> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Alert a, Context ctx) {
                    ALERTS.add(a.document);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
