package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.EntraWatchJob;
import io.entrawatch.TestRecords;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.Secrets;
import io.entrawatch.generate.GeneratorConfig;
import io.entrawatch.generate.TrafficGenerator;
import io.entrawatch.replay.ReplayJob;
import io.entrawatch.testing.SentAlerts;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * What the end-to-end tests share: the production wiring ({@link EntraWatchJob#defineJob}) on the test's
 * MiniCluster against {@link LocalKafka} and {@link LocalElasticsearch}, messages sent to the hub, the
 * alerts jobs/replay computes for the same messages, and what Elasticsearch holds.
 */
final class EndToEnd {
    static final ObjectMapper JSON = new ObjectMapper();

    private EndToEnd() {}

    /** The job's options for a topic on {@code kafka} and indices on {@code es} (credentials when it is secured). */
    static List<String> jobArgs(LocalKafka kafka, String topic, LocalElasticsearch es, String alertIndex,
            String deadLetterIndex) {
        List<String> args = new ArrayList<>(List.of(
                "--source.bootstrap-servers", kafka.getBootstrapServers(),
                "--source.topic", topic,
                "--source.group-id", "e2e-" + topic,
                "--source.starting-offsets", "earliest",
                "--source.ssl.ca-file", kafka.getCaFile().toString(),
                "--es.hosts", es.getUrl(),
                "--es.index", alertIndex,
                "--dead-letter.index", deadLetterIndex));
        if (es.isSecure()) args.addAll(List.of("--es.username", es.getUsername(), "--es.ca-file", es.getCaFile().toString()));
        // -Dentrawatch.e2e.api-versions-v3=true: the Kafka end-to-end tests with --source.api-versions-v3
        if (Boolean.getBoolean("entrawatch.e2e.api-versions-v3")) args.addAll(List.of("--source.api-versions-v3", "true"));
        return args;
    }

    /** The secrets as the job reads them from its environment. */
    static Map<String, String> secrets(LocalKafka kafka, LocalElasticsearch es) {
        Map<String, String> environment = new HashMap<>();
        environment.put(Secrets.EVENTHUBS_ENV, kafka.getConnectionString());
        if (es.isSecure()) environment.put(Secrets.ES_PASSWORD_ENV, es.getPassword());
        return environment;
    }

    /** Defines the production job with these options on the test's cluster and starts it. */
    static JobClient startJob(List<String> args, Map<String, String> environment, String name) throws Exception {
        return startJob(args, environment, name, new Configuration());
    }

    /**
     * {@link #startJob(List, Map, String)} with Flink options for this job (checkpoint timeout, tolerable
     * failures, restart strategy), as a cluster's configuration would give them.
     */
    static JobClient startJob(List<String> args, Map<String, String> environment, String name, Configuration flink)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        EntraWatchJob.defineJob(env, JobOptions.parse(args.toArray(new String[0]), null), environment);
        return env.executeAsync(name);
    }

    /** The job's status as its client reports it. */
    static JobStatus status(JobClient job) {
        try {
            return job.getJobStatus().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the job status: " + e, e);
        }
    }

    /** Records the job's status in {@code seen}; fails at once when the job restarted (numRestarts above 0). */
    static void keepsRunning(InMemoryReporter reporter, JobClient job, Set<JobStatus> seen) {
        seen.add(status(job));
        long restarts = numRestarts(reporter, job.getJobID());
        if (restarts > 0) throw new AssertionError("the job restarted while Elasticsearch was down (numRestarts " + restarts
                + ", statuses " + seen + ")");
    }

    /**
     * Defines the production job with these options on the test's cluster and starts it from {@code savepoint}
     * (every piece of its state must be taken: allowNonRestoredState false).
     */
    static JobClient startJobFrom(String savepoint, List<String> args, Map<String, String> environment, String name)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        EntraWatchJob.defineJob(env, JobOptions.parse(args.toArray(new String[0]), null), environment);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(name);
        graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        return env.executeAsync(graph);
    }

    /** A generated day (2025-11-14, all planted attacks and their near misses) as Event Hubs messages, in order. */
    static List<String> generatedDay(long seed, long records) {
        TrafficGenerator generator = new TrafficGenerator(GeneratorConfig.builder().seed(seed).totalRecords(records).build());
        return generator.stream().collect(Collectors.toList());
    }

    /** Three malformed messages (two not JSON, one with a timestamp that is not a time), naming {@code when}. */
    static List<String> malformed(String when) {
        return List.of("not json: sent " + when + " (1)",
                "{\"records\":[{\"category\":\"SignInLogs\",\"time\":\"" + when + "\"}]}",
                "not json: sent " + when + " (3)");
    }

    /** Inserts the extra messages into {@code messages}, spread evenly through it. */
    static void spread(List<String> messages, List<String> extra) {
        for (int i = 0; i < extra.size(); i++) messages.add((i + 1) * messages.size() / (extra.size() + 1), extra.get(i));
    }

    /**
     * Two successful sign-ins at {@code at} ({@link TestRecords#watermarkFlush}): no detection keeps them, they move a partition's event time on so
     * that every window before it closes on a live stream as it does at the end of a replay.
     */
    static String flush(Instant at) {
        return TestRecords.watermarkFlush(at.toEpochMilli());
    }

    /**
     * Sends the messages with acks=all, message i to partition {@code i % partitions} (as the Event Hubs
     * feeder spreads a file), and returns once every one is acknowledged.
     */
    static void send(LocalKafka kafka, String topic, List<String> messages, int partitions) {
        List<Integer> to = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) to.add(i % partitions);
        send(kafka, topic, messages, to);
    }

    /** Sends the message to every partition (a flush moves each partition's event time). */
    static void sendToEveryPartition(LocalKafka kafka, String topic, String message, int partitions) {
        List<String> copies = new ArrayList<>();
        List<Integer> to = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            copies.add(message);
            to.add(p);
        }
        send(kafka, topic, copies, to);
    }

    /** Sends message i to partition {@code partitions.get(i)} (acks=all) and returns once every one is acknowledged. */
    static void send(LocalKafka kafka, String topic, List<String> messages, List<Integer> partitions) {
        Properties p = kafka.clientProperties();
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(2 * 1024 * 1024));
        p.setProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, partitions.get(i), null,
                        messages.get(i).getBytes(StandardCharsets.UTF_8))));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) f.get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new IllegalStateException("cannot send to " + topic + ": " + e, e);
        }
    }

    /**
     * The alerts jobs/replay computes for these messages read in this order (one partition), by {@code _id},
     * each exactly the document the job indexes. Runs on the test's cluster: call it while no other job
     * holds the slots.
     */
    static Map<String, JsonNode> replayAlerts(Path dir, List<String> messages, JobOptions options) throws Exception {
        Path in = Files.createTempFile(dir, "replay-in-", ".ndjson");
        Path out = Files.createTempFile(dir, "replay-out-", ".ndjson");
        Files.write(in, messages, StandardCharsets.UTF_8);
        ReplayJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), in, out, options);
        Map<String, JsonNode> expected = new TreeMap<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            ObjectNode n = (ObjectNode) JSON.readTree(line);
            String id = n.remove("_id").asText();
            if (expected.put(id, n) != null) throw new AssertionError("replay wrote alert " + id + " twice");
        }
        return expected;
    }

    /**
     * The documents of an index by {@code _id} (after a refresh; at most 10,000). Alerts come without the
     * send times the sink added ({@link SentAlerts#withoutSendTimes}, which checks every alert had them),
     * so that they compare with replay's.
     */
    static Map<String, JsonNode> documents(LocalElasticsearch es, String index) {
        es.refresh(index);
        Map<String, JsonNode> docs = new TreeMap<>();
        try {
            for (JsonNode hit : JSON.readTree(es.search(index, "{\"size\":10000}")).at("/hits/hits")) {
                docs.put(hit.get("_id").asText(), SentAlerts.withoutSendTimes(hit.get("_source")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    /** How many documents of the index were written more than once ({@code _version} above 1). */
    static long overwritten(LocalElasticsearch es, String index) {
        es.refresh(index);
        try {
            JsonNode r = JSON.readTree(es.search(index, "{\"size\":10000,\"version\":true,\"_source\":false}"));
            long n = 0;
            for (JsonNode hit : r.at("/hits/hits")) if (hit.path("_version").asLong() > 1) n++;
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document count of an index, or -1 while Elasticsearch does not answer it (down, index missing). */
    static long countOrMinusOne(LocalElasticsearch es, String index) {
        try {
            es.refresh(index);
            return es.count(index);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** Sum over the job's subtasks of the counters whose identifier matches the pattern (regex find). */
    static long counter(InMemoryReporter reporter, JobID job, String pattern) {
        long sum = 0;
        for (Metric m : reporter.findMetrics(job, pattern).values()) {
            if (m instanceof Counter) sum += ((Counter) m).getCount();
        }
        return sum;
    }

    /** Kafka records the job's consumers fetched from the broker: the sum of their {@code records-consumed-total}. */
    static long consumedFromKafka(InMemoryReporter reporter, JobID job) {
        long sum = 0;
        for (Metric m : reporter.findMetrics(job, "\\.KafkaConsumer\\.records-consumed-total$").values()) {
            sum += ((Number) ((Gauge<?>) m).getValue()).longValue();
        }
        return sum;
    }

    /** The job's {@code numRestarts} (the JobManager's job metric), or -1 before it is registered. */
    static long numRestarts(InMemoryReporter reporter, JobID job) {
        for (Metric m : reporter.findMetrics(job, "\\.numRestarts$").values()) {
            if (m instanceof Gauge) return ((Number) ((Gauge<?>) m).getValue()).longValue();
        }
        return -1;
    }

    /** The job's checkpoint statistics from the MiniCluster's REST API ({@code GET /jobs/:id/checkpoints}). */
    static JsonNode checkpoints(Configuration clientConfiguration, JobID job) {
        String url = "http://" + clientConfiguration.get(RestOptions.ADDRESS) + ":" + clientConfiguration.get(RestOptions.PORT)
                + "/jobs/" + job + "/checkpoints";
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException("GET " + url + " -> HTTP " + r.statusCode() + ": " + r.body());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The figures of {@link #checkpoints}: completed, failed (with the reasons of the failed ones), longest. */
    static String describeCheckpoints(JsonNode checkpoints) {
        // the history keeps the last 10 only; "latest" keeps the last failure
        Map<Long, String> reasons = new TreeMap<>();
        for (JsonNode c : checkpoints.path("history")) {
            if (c.path("status").asText().equals("FAILED")) reasons.put(c.path("id").asLong(), c.path("failure_message").asText("?"));
        }
        JsonNode lastFailed = checkpoints.at("/latest/failed");
        if (lastFailed.isObject()) reasons.put(lastFailed.path("id").asLong(), lastFailed.path("failure_message").asText("?"));
        return String.format(java.util.Locale.ROOT, "checkpoints completed %d, failed %d%s, longest %d ms",
                checkpoints.at("/counts/completed").asLong(), checkpoints.at("/counts/failed").asLong(),
                reasons.isEmpty() ? "" : " (by id: " + reasons + ")", checkpoints.at("/summary/end_to_end_duration/max").asLong());
    }

    /** Waits (polling every 250 ms) until the condition holds; fails naming what it waited for. */
    static void waitUntil(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what);
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    /** Seconds since {@code startNanos}, one decimal. */
    static double secondsSince(long startNanos) {
        return Math.round((System.nanoTime() - startNanos) / 1e8) / 10.0;
    }
}
