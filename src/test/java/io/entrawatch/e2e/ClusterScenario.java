package io.entrawatch.e2e;

import io.entrawatch.config.RareAppOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.TestRecords.Record;
import io.entrawatch.TestRecords;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.Secrets;
import io.entrawatch.replay.ReplayJob;
import io.entrawatch.testing.SentAlerts;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalFlinkCluster;
import io.entrawatch.testing.LocalKafka;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the tests on the real standalone cluster share: Event Hubs messages on Kafka partitions in,
 * the job jar's arguments, alerts in Elasticsearch out, and the alerts {@code jobs/replay} computes
 * for the same messages (the fault-free reference). Detection A's scenarios, with B off: B would also
 * alert for every sprayed user (its own end-to-end test is RareAppKafkaToElasticsearchITCase), and the
 * last record's hour never closes on a live stream.
 */
final class ClusterScenario {
    static final ObjectMapper JSON = new ObjectMapper();

    private final LocalKafka kafka;
    private final LocalElasticsearch es;
    private final LocalFlinkCluster cluster;

    ClusterScenario(LocalKafka kafka, LocalElasticsearch es, LocalFlinkCluster cluster) {
        this.kafka = kafka;
        this.es = es;
        this.cluster = cluster;
    }

    LocalKafka kafka() {
        return kafka;
    }

    /** The secrets as a Kubernetes Secret would give them: environment variables of a JVM. */
    static Map<String, String> secrets(LocalKafka kafka, LocalElasticsearch es) {
        return Map.of(Secrets.EVENTHUBS_ENV, kafka.getConnectionString(), Secrets.ES_PASSWORD_ENV, es.getPassword());
    }

    /** Users {@code prefix + from} .. {@code prefix + (to - 1)}, one failed non-interactive sign-in each, 1 s apart from {@code ts}. */
    static List<Record> users(int from, int to, String prefix, long ts) {
        return IntStream.range(from, to).mapToObj(i -> TestRecords.sprayFailure(prefix + i + "@contoso.com", ts + i * 1000L))
                .collect(Collectors.toList());
    }

    /** A sign-in no detection counts (interactive), to move a partition's event time forward. */
    static String advanceTo(long ts) {
        return TestRecords.envelope(List.of(TestRecords.sprayFailure("clock@contoso.com", ts).interactive(true)));
    }

    /** A message for a partition. */
    static Map.Entry<Integer, String> on(int partition, String message) {
        return Map.entry(partition, message);
    }

    /** The job's program arguments: no secret among them (they come from the environment). */
    List<String> jobArgs(String topic, String index, String suffix) {
        List<String> args = EndToEnd.jobArgs(kafka, topic, es, index, "dead-" + index);
        args.addAll(List.of("--checkpoint.interval", "2 s", "--parallelism", "2", "--rare-app.enabled", "false",
                "--job.name", "entrawatch " + suffix));
        return args;
    }

    /** Sends (partition, message) pairs in order, each acknowledged before the next. */
    void produce(String topic, List<Map.Entry<Integer, String>> messages) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (Map.Entry<Integer, String> m : messages) send(producer, topic, m);
        }
    }

    KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    static void send(KafkaProducer<byte[], byte[]> producer, String topic, Map.Entry<Integer, String> m) throws Exception {
        producer.send(new ProducerRecord<>(topic, m.getKey(), null, m.getValue().getBytes(StandardCharsets.UTF_8))).get();
    }

    /** What jobs/replay computes for the messages in this order (files under {@code dir}): {_id: document}. */
    static Map<String, JsonNode> replay(List<Map.Entry<Integer, String>> messages, Path dir) throws Exception {
        Path in = dir.resolve("in.ndjson");
        Files.write(in, messages.stream().map(Map.Entry::getValue).collect(Collectors.toList()), StandardCharsets.UTF_8);
        Path out = dir.resolve("out.ndjson");
        ReplayJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), in, out,
                JobOptions.defaults().with(RareAppOptions.ENABLED, "false"));
        Map<String, JsonNode> expected = new TreeMap<>();
        for (String line : Files.readAllLines(out)) {
            ObjectNode n = (ObjectNode) JSON.readTree(line);
            expected.put(n.remove("_id").asText(), n);
        }
        return expected;
    }

    /** {_id: hit} of every alert in the index (hits carry _version and _source). */
    Map<String, JsonNode> alertsIn(String index) throws Exception {
        es.refresh(index);
        Map<String, JsonNode> hits = new TreeMap<>();
        for (JsonNode hit : JSON.readTree(es.search(index, "{\"size\":1000,\"version\":true}")).at("/hits/hits")) {
            hits.put(hit.get("_id").asText(), hit);
        }
        return hits;
    }

    /** The hits' sources by {@code _id}, alerts without the send times the sink added (checked there). */
    static Map<String, JsonNode> sources(Map<String, JsonNode> hits) {
        Map<String, JsonNode> m = new TreeMap<>();
        hits.forEach((id, hit) -> m.put(id, SentAlerts.withoutSendTimes(hit.get("_source"))));
        return m;
    }

    /** The documents in the index now (refreshed); 0 while it does not exist. */
    long count(String index) {
        try {
            es.refresh(index);
            return es.count(index);
        } catch (RuntimeException e) {
            return 0; // no index yet
        }
    }

    /**
     * Waits until the index holds at least {@code expected} documents; with {@code exact}, asserts
     * no more. Fails early when the job fails.
     */
    void waitForCount(String index, long expected, Duration timeout, String jobId, boolean exact) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long count = -1;
        while (System.nanoTime() < deadline) {
            count = count(index);
            if (count >= expected) {
                if (exact) assertEquals(expected, count, "no more than expected in " + index);
                return;
            }
            String state = cluster.job(jobId).path("state").asText();
            if (state.equals("FAILED")) throw new AssertionError("job failed: " + cluster.exceptions(jobId));
            Thread.sleep(250);
        }
        throw new AssertionError("waited " + timeout + " for " + expected + " documents in " + index + ", saw " + count
                + "; job exceptions: " + cluster.exceptions(jobId));
    }

    /** One timing line on stderr: {@code <test> timing: <what>: 1.2 s}. */
    static void timing(Class<?> test, String what, long startNanos) {
        System.err.printf("%s timing: %s: %.1f s%n", test.getSimpleName(), what, (System.nanoTime() - startNanos) / 1e9);
    }
}
