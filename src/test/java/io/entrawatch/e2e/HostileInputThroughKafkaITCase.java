package io.entrawatch.e2e;

import io.entrawatch.config.EventTimeOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.TestRecords;
import io.entrawatch.acceptance.HostileCorpus.Hostile;
import io.entrawatch.acceptance.HostileCorpus;
import io.entrawatch.config.JobOptions;
import io.entrawatch.generate.GeneratorConfig;
import io.entrawatch.generate.TrafficGenerator;
import io.entrawatch.replay.ReplayJob;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input through the live path: the hostile corpus ({@link HostileCorpus}) mixed into generated
 * traffic and produced to a real Kafka broker with Event Hubs' authentication (the topic takes messages
 * up to 4 MB, so the two over-1 MB messages reach the job as they could from a Premium namespace), the
 * production job wiring at parallelism 2 with dead letters to a Kafka topic and alerts to a real
 * Elasticsearch 9.2. The job keeps running with no failure recorded; every hostile record is dead-lettered
 * with a reason, exactly as many as the corpus says, malformed and late; the alerts in Elasticsearch are
 * exactly those jobs/replay computes for the valid traffic alone.
 */
class HostileInputThroughKafkaITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    @Test
    void theLiveJobDeadLettersEveryHostileRecordAndWritesExactlyTheCleanAlerts(@InjectClusterRESTAddress URI rest) throws Exception {
        TrafficGenerator generator = new TrafficGenerator(GeneratorConfig.builder().seed(6L).totalRecords(8_000).build());
        List<String> valid = generator.stream().collect(Collectors.toList());
        long start = generator.config().start().toEpochMilli();
        List<Hostile> corpus = HostileCorpus.corpus(start, new Random(67));
        List<byte[]> mixed = HostileCorpus.mix(valid, corpus, new Random(68));
        // moves both partitions' event time two days on, so every window of the generated day fires
        byte[] flush = TestRecords.watermarkFlush(start + 2 * 86_400_000L).getBytes(StandardCharsets.UTF_8);

        // what replay computes for the valid traffic alone
        Path clean = dir.resolve("clean.ndjson");
        Files.write(clean, valid, StandardCharsets.UTF_8);
        Path cleanOut = dir.resolve("clean.alerts.ndjson");
        ReplayJob.Summary cleanRun = ReplayJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), clean, cleanOut,
                JobOptions.defaults().with(EventTimeOptions.MAX_AHEAD_OF_CLOCK, "1 h"));
        assertEquals(0, cleanRun.malformed + cleanRun.late, "the generated traffic alone is clean");
        Map<String, JsonNode> expected = new TreeMap<>();
        for (String line : Files.readAllLines(cleanOut)) {
            ObjectNode n = (ObjectNode) JSON.readTree(line);
            expected.put(n.remove("_id").asText(), n);
        }
        assertTrue(expected.size() >= 2, "the generated traffic alerts: " + expected.size());

        LocalKafka kafka = LocalKafka.shared();
        LocalElasticsearch es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        String suffix = "hostile-" + System.nanoTime();
        String topic = "signins-" + suffix;
        String deadLetterTopic = "dead-letters-" + suffix;
        String alertIndex = "alerts-" + suffix;
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createTopics(List.of(
                    new NewTopic(topic, 2, (short) 1).configs(Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES))),
                    new NewTopic(deadLetterTopic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        Properties producerProps = kafka.clientProperties();
        producerProps.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_MESSAGE_BYTES));
        producerProps.setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps,
                new ByteArraySerializer(), new ByteArraySerializer())) {
            // all on partition 0, in the order jobs/replay reads them (lateness is judged on that order)
            for (byte[] m : mixed) producer.send(new ProducerRecord<>(topic, 0, null, m));
            producer.send(new ProducerRecord<>(topic, 0, null, flush));
            producer.send(new ProducerRecord<>(topic, 1, null, flush));
            producer.flush();
        }

        List<String> args = EndToEnd.jobArgs(kafka, topic, es, alertIndex, "dead-letters-" + suffix);
        args.addAll(List.of("--dead-letter.target", "kafka", "--dead-letter.topic", deadLetterTopic,
                "--checkpoint.interval", "2 s", "--parallelism", "2"));
        long submitted = System.nanoTime();
        JobClient job = EndToEnd.startJob(args, EndToEnd.secrets(kafka, es), "hostile input through Kafka");

        long malformed = HostileCorpus.malformed(corpus);
        long late = HostileCorpus.late(corpus);
        List<ConsumerRecord<byte[], byte[]>> deadLetters;
        String exceptions;
        try {
            es.awaitCount(alertIndex, expected.size(), 240_000);
            long alertsAfter = System.nanoTime() - submitted;
            deadLetters = kafka.consume(deadLetterTopic, (int) (malformed + late), Duration.ofSeconds(240));
            System.out.printf("hostile input through Kafka: all alerts searchable %.1f s after submission, all dead letters read back %.1f s%n",
                    alertsAfter / 1e9, (System.nanoTime() - submitted) / 1e9);
            assertEquals(JobStatus.RUNNING, job.getJobStatus().get(30, TimeUnit.SECONDS), "the job is still running");
            exceptions = get(rest.resolve("/jobs/" + job.getJobID() + "/exceptions"));
        } finally {
            job.cancel().get();
        }
        Map<String, JsonNode> actual = EndToEnd.documents(es, alertIndex);
        assertEquals(expected, actual, "the valid traffic's alerts, under the same ids");

        JsonNode history = JSON.readTree(exceptions).path("exceptionHistory").path("entries");
        assertTrue(history.isArray() && history.isEmpty(), "no failure, no restart: " + exceptions);

        Map<String, Long> byKind = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : deadLetters) {
            JsonNode d = JSON.readTree(r.value());
            assertFalse(d.path("reason").asText().isBlank(), "every dead letter has a reason");
            assertEquals(topic, d.path("topic").asText());
            byKind.merge(d.path("kind").asText(), 1L, Long::sum);
        }
        assertEquals(Map.of("malformed", malformed, "late", late), byKind, "dead letters by kind");
        System.out.printf("hostile input through Kafka: %,d hostile messages of %d kinds mixed into %,d valid messages; "
                        + "%,d malformed and %,d late dead letters in %s; %d alerts in Elasticsearch, those of the clean run%n",
                corpus.size(), HostileCorpus.kinds(corpus), valid.size(), malformed, late, deadLetterTopic, actual.size());
    }

    private static String get(URI uri) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), uri + ": " + r.body());
        return r.body();
    }
}
