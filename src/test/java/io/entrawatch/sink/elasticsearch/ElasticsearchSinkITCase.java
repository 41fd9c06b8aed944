package io.entrawatch.sink.elasticsearch;

import io.entrawatch.testing.LocalElasticsearch;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.model.Alert;
import io.entrawatch.model.DeadLetter;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sink in real Flink jobs (MiniCluster, parallelism 2) against a real Elasticsearch node
 * ({@link LocalElasticsearch}; version by {@code -Dentrawatch.es.version}, default 8.19.0).
 * Each test uses its own indices.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ElasticsearchSinkITCase {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(() -> new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
            .build());

    private static final String VERSION = System.getProperty("entrawatch.es.version", LocalElasticsearch.V8);
    private static LocalElasticsearch elasticsearch;
    private static ConnectionSettings connection;
    private static RestClient client;

    @BeforeAll
    static void startElasticsearch() throws Exception {
        elasticsearch = LocalElasticsearch.shared(VERSION, false);
        connection = ConnectionSettings.builder().hosts(elasticsearch.getUrl()).build();
        client = connection.createClient(Duration.ofSeconds(30));
        JsonNode nodes = json(TestAlerts.get(client, "/_nodes/_local")).path("nodes");
        assertEquals(VERSION, nodes.elements().next().path("version").asText(),
                "the node runs the version the test asked for");
    }

    @AfterAll
    static void stopElasticsearch() throws Exception {
        if (client != null) client.close();
        // shared node: stopped once at JVM exit
    }

    @Test
    void shouldInstallTemplatesThenIndexEveryAlertUnderItsId() throws Exception {
        String alerts = "it-alerts-ids";
        String deadLetters = "it-dlq-ids";
        List<Alert> input = new ArrayList<>();
        for (long n = 0; n < 300; n++) input.add(TestAlerts.alert(n % 200, "medium")); // 100 sent twice

        JobExecutionResult job = runAlertJob(input, alertSink(alerts, deadLetters).build());

        assertEquals(200, count(alerts), "one document per distinct alert id");
        Alert sample = TestAlerts.alert(123, "medium");
        JsonNode stored = source(alerts, sample.id);
        assertNotNull(stored, "the document is found under the alert's id");
        assertEquals(MAPPER.readTree(sample.document), stored);
        assertEquals(300, metric(job.getJobID(), "documentsIndexed"));
        assertEquals(0, metric(job.getJobID(), "documentsRejected"));

        JsonNode templates = json(TestAlerts.get(client, "/_index_template/" + alerts));
        assertEquals(alerts, templates.path("index_templates").get(0).path("name").asText());
        assertNotNull(TestAlerts.get(client, "/_index_template/" + deadLetters), "dead-letter template");
        // The template was in place before the first document: source.ip is an ip, not a dynamic keyword.
        JsonNode properties = json(TestAlerts.get(client, "/" + alerts + "/_mapping"))
                .path(IndexTemplates.firstBackingIndex(alerts)).path("mappings").path("properties"); // behind the write alias
        assertEquals("ip", properties.path("source").path("properties").path("ip").path("type").asText());
        assertEquals("date", properties.path("detection").path("properties").path("window").path("properties")
                .path("end").path("type").asText());
    }

    @Test
    void shouldOverwriteWhenTheSameAlertIsSentAgain() throws Exception {
        String alerts = "it-alerts-overwrite";
        List<Alert> first = LongStream.range(0, 50).mapToObj(n -> TestAlerts.alert(n, "medium")).collect(Collectors.toList());
        List<Alert> again = LongStream.range(0, 50).mapToObj(n -> TestAlerts.alert(n, "high")).collect(Collectors.toList());

        runAlertJob(first, alertSink(alerts, "it-dlq-overwrite").build());
        assertEquals(50, count(alerts));
        runAlertJob(again, alertSink(alerts, "it-dlq-overwrite").build());

        assertEquals(50, count(alerts), "a replayed alert overwrites itself");
        JsonNode doc = json(TestAlerts.get(client, "/" + alerts + "/_doc/" + encode(TestAlerts.alert(7, "x").id)));
        assertEquals("high", doc.path("_source").path("detection").path("severity").asText());
        assertEquals(2, doc.path("_version").asInt());
    }

    @Test
    void shouldDeadLetterADocumentTheServerRefusesAndFinishTheJob() throws Exception {
        String alerts = "it-alerts-rejected";
        String deadLetters = "it-dlq-rejected";
        List<Alert> input = LongStream.range(0, 20).mapToObj(n -> TestAlerts.alert(n, "low")).collect(Collectors.toList());
        Alert bad = TestAlerts.alert(20, "low", "not-an-ip");
        input.add(bad);

        JobExecutionResult job = runAlertJob(input, alertSink(alerts, deadLetters).build());

        assertEquals(20, count(alerts));
        assertNull(source(alerts, bad.id), "the refused alert is not in the alert index");
        JsonNode dl = source(deadLetters, "rejected:" + alerts + ":" + bad.id);
        assertNotNull(dl, "the refused alert is in the dead-letter index");
        assertEquals("rejected", dl.path("kind").asText());
        assertTrue(dl.path("reason").asText().contains("source.ip"), dl.path("reason").asText());
        assertTrue(dl.path("reason").asText().matches("^(mapper|document)_parsing_exception: .*"), dl.path("reason").asText());
        assertEquals(alerts, dl.path("original_index").asText());
        assertEquals(bad.id, dl.path("original_id").asText());
        assertEquals(bad.document, dl.path("payload").asText());
        assertEquals(bad.document.length(), dl.path("payload_bytes").asLong());
        assertEquals(1, metric(job.getJobID(), "documentsRejected"));
        assertEquals(1, metric(job.getJobID(), "deadLettersIndexed"));
        assertEquals(20, metric(job.getJobID(), "documentsIndexed"));
    }

    @Test
    void shouldCountARefusedDeadLetterWithoutLoopingOrFailing() throws Exception {
        String alerts = "it-alerts-dl-refused";
        String deadLetters = "it-dlq-conflict";
        // A dead-letter index whose mapping refuses every dead letter: kind must be a number.
        Request create = new Request("PUT", "/" + deadLetters);
        create.setJsonEntity("{\"mappings\":{\"properties\":{\"kind\":{\"type\":\"long\"}}}}");
        client.performRequest(create);
        List<Alert> input = List.of(TestAlerts.alert(1, "low"), TestAlerts.alert(2, "low", "not-an-ip"));

        // The templates are installed (the alert index needs source.ip as ip); the dead-letter index exists already.
        JobExecutionResult job = runAlertJob(input, alertSink(alerts, deadLetters).build());

        assertEquals(1, count(alerts));
        assertEquals(0, count(deadLetters));
        assertEquals(1, metric(job.getJobID(), "documentsRejected"));
        assertEquals(1, metric(job.getJobID(), "deadLettersFailed"));
    }

    /** With templates the first call to fail is the template PUT; without, the bulk itself. */
    @ParameterizedTest(name = "install templates: {0}")
    @ValueSource(booleans = {true, false})
    void shouldKeepRetryingWhileElasticsearchIsUnreachable(boolean installTemplates) throws Exception {
        String alerts = "it-alerts-outage-" + installTemplates;
        try (TcpForwarder forwarder = new TcpForwarder(portOf(elasticsearch.getUrl()))) {
            ConnectionSettings viaForwarder = ConnectionSettings.builder().hosts("http://127.0.0.1:" + forwarder.port()).build();
            ElasticsearchSink<Alert> sink = alertSink(alerts, "it-dlq-outage-" + installTemplates).setConnection(viaForwarder)
                    .setIndexTemplates(IndexTemplateSettings.of(alerts, installTemplates))
                    .setRetry(RetrySettings.of(Duration.ofMillis(50), Duration.ofSeconds(1))).build();
            List<Alert> input = LongStream.range(0, 100).mapToObj(n -> TestAlerts.alert(n, "low")).collect(Collectors.toList());
            StreamExecutionEnvironment env = environment();
            env.fromData(input).rebalance().sinkTo(sink).name("elasticsearch");
            JobClient jobClient = env.executeAsync("sink during an outage");

            // Nothing listens: every bulk is refused a connection and retried.
            waitUntil(Duration.ofSeconds(60), () -> metric(jobClient.getJobID(), "bulkRequestsRetried") >= 5,
                    "five retried bulks while Elasticsearch is unreachable");
            assertEquals(JobStatus.RUNNING, jobClient.getJobStatus().get(10, TimeUnit.SECONDS));

            forwarder.open(); // Elasticsearch is back
            jobClient.getJobExecutionResult().get(2, TimeUnit.MINUTES);
            assertEquals(100, count(alerts));
            assertEquals(100, metric(jobClient.getJobID(), "documentsIndexed"));
        }
    }

    /**
     * Nothing leaves the buffer before the job fails (flush interval of an hour, batches larger than
     * the input), and the source resumes after the checkpoint: every document from before the
     * checkpoint can only reach Elasticsearch through the sink's restored state.
     */
    @Test
    void bufferedDocumentsShouldSurviveARestoreFromACheckpoint() throws Exception {
        String alerts = "it-alerts-restore";
        int n = 1000;
        ElasticsearchSink<Alert> sink = alertSink(alerts, "it-dlq-restore").setBulk(BulkSettings.builder()
                .flushInterval(Duration.ofHours(1)).maxActions(5000).maxBuffered(10_000).build()).build();
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = environment();
        env.configure(conf);
        env.enableCheckpointing(200);
        env.fromSequence(0, n - 1).map(new FailOnceAfterACheckpoint()).sinkTo(sink);

        env.execute("restore");

        assertEquals(n, count(alerts));
    }

    /** Passes alerts on slowly; in the first attempt, subtask 0 fails at its first record after a checkpoint completed. */
    private static final class FailOnceAfterACheckpoint extends RichMapFunction<Long, Alert> implements CheckpointListener {
        private transient boolean checkpointCompleted;

        @Override
        public Alert map(Long i) throws Exception {
            if (checkpointCompleted && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0
                    && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
                throw new IllegalStateException("induced failure after a checkpoint");
            }
            TimeUnit.MILLISECONDS.sleep(2); // throttle, so that checkpoints complete while the input lasts
            return TestAlerts.alert(i, "low");
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointCompleted = true;
        }
    }

    @Test
    void deadLetterIndexShouldTakeAMegabytePayload() throws Exception {
        String deadLetters = "it-dlq-large";
        String payload = "{\"records\":[\"" + "x".repeat(1024 * 1024) + "\"]}";
        DeadLetter big = new DeadLetter(DeadLetter.MALFORMED, "records[0] is not an object", payload, payload.length(),
                "insights-logs-signinlogs", 0, 17L, -1, TestAlerts.WINDOW_END.toEpochMilli());
        ElasticsearchSink<DeadLetter> sink = ElasticsearchSink.<DeadLetter>builder().setConnection(connection)
                .setIndexTemplates(IndexTemplateSettings.install("it-alerts-unused"))
                .setDeadLetterRouting(DeadLetterRouting.toIndex(deadLetters))
                .setElementConverter(IndexRequests.deadLetterConverter(deadLetters)).build();

        StreamExecutionEnvironment env = environment();
        env.fromData(TypeInformation.of(DeadLetter.class), big).sinkTo(sink);
        JobExecutionResult job = env.execute("large dead letter");

        JsonNode stored = source(deadLetters, big.documentId());
        assertNotNull(stored);
        assertEquals(payload, stored.path("payload").asText());
        assertEquals(17, stored.path("offset").asLong());
        assertEquals(1, metric(job.getJobID(), "deadLettersIndexed"));
    }

    @Test
    void shouldIndexAHundredThousandAlerts() throws Exception {
        String alerts = "it-alerts-throughput";
        int n = 100_000;
        ElasticsearchSink<Alert> sink = alertSink(alerts, "it-dlq-throughput").build();
        StreamExecutionEnvironment env = environment();
        env.fromSequence(0, n - 1).map(i -> TestAlerts.alert(i, "low")).returns(Alert.class).sinkTo(sink);

        long start = System.nanoTime();
        JobExecutionResult job = env.execute("throughput");
        double seconds = (System.nanoTime() - start) / 1e9;

        assertEquals(n, count(alerts));
        assertEquals(n, metric(job.getJobID(), "documentsIndexed"));
        System.out.printf("THROUGHPUT: %d alerts (%d bytes each) in %.1f s including job start = %.0f docs/s%n", n,
                TestAlerts.alert(1, "low").document.length(), seconds, n / seconds);
    }

    // ---- helpers

    private static ElasticsearchSinkBuilder<Alert> alertSink(String alertIndex, String deadLetterIndex) {
        return ElasticsearchSink.<Alert>builder()
                .setConnection(connection)
                .setIndexTemplates(IndexTemplateSettings.install(alertIndex))
                .setDeadLetterRouting(DeadLetterRouting.toIndex(deadLetterIndex))
                .setElementConverter(IndexRequests.alertConverter(alertIndex))
                .setBulk(BulkSettings.builder().flushInterval(Duration.ofMillis(200)).build());
    }

    private static StreamExecutionEnvironment environment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        return env;
    }

    private static JobExecutionResult runAlertJob(List<Alert> alerts, ElasticsearchSink<Alert> sink) throws Exception {
        StreamExecutionEnvironment env = environment();
        env.fromData(alerts).rebalance().sinkTo(sink).name("elasticsearch");
        return env.execute("alerts to elasticsearch");
    }

    /** Sum of a counter over the job's sink subtasks. */
    private static long metric(JobID job, String name) {
        return REPORTER.findMetrics(job, "\\." + name + "$").values().stream()
                .mapToLong(m -> ((Counter) m).getCount()).sum();
    }

    private static long count(String index) throws IOException {
        client.performRequest(new Request("POST", "/" + index + "/_refresh"));
        return json(EntityUtils.toString(client.performRequest(new Request("GET", "/" + index + "/_count")).getEntity()))
                .path("count").asLong();
    }

    private static JsonNode source(String index, String id) throws IOException {
        String body = TestAlerts.get(client, "/" + index + "/_doc/" + encode(id));
        return body == null ? null : json(body).path("_source");
    }

    private static String encode(String id) {
        return java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode json(String body) throws IOException {
        return MAPPER.readTree(body);
    }

    private static int portOf(String url) {
        return java.net.URI.create(url).getPort();
    }

    private static void waitUntil(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }
}
