package io.entrawatch.e2e;

import io.entrawatch.config.RareAppOptions;
import io.entrawatch.testing.TestClusters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.EntraWatchJob;
import io.entrawatch.TestRecords.Record;
import io.entrawatch.TestRecords;
import io.entrawatch.config.JobOptions;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * End to end on real servers: messages produced to a real Kafka broker that authenticates like Event
 * Hubs (SASL_SSL, PLAIN, {@code $ConnectionString}), the production job wiring
 * ({@link EntraWatchJob#defineJob}) on a MiniCluster at parallelism 2, and a real Elasticsearch node
 * (9.2 over HTTPS with basic auth, and 8.19, {@link LocalElasticsearch#MINIMUM_SUPPORTED the oldest
 * supported}). The documents in Elasticsearch must be exactly the ones
 * jobs/replay computes for the same messages, with the same ids. Dead letters go to an Elasticsearch
 * index with 9.2 and to a Kafka topic with 8.19 (both targets of --dead-letter.target).
 */
class KafkaToElasticsearchITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    private static List<Record> users(int n, String prefix, long ts) {
        return IntStream.range(0, n).mapToObj(i -> TestRecords.sprayFailure(prefix + i + "@contoso.com", ts + i * 1000L))
                .collect(Collectors.toList());
    }

    /** The scenario, in arrival order on partition 0. */
    private static List<String> scenario() {
        List<String> m = new ArrayList<>();
        m.add(TestRecords.envelope(users(31, "spray", T0 + MIN)));                            // alert: 31 users
        m.add(TestRecords.envelope(users(29, "near", T0 + 11 * MIN)));                        // 29: no alert
        List<Record> other = users(30, "o", T0 + 21 * MIN);
        other.forEach(r -> r.tenant(TestRecords.OTHER_TENANT).errorCode(50053));
        m.add(TestRecords.envelope(other));                                                   // alert: other tenant
        m.add("{\"records\":[{\"category\":\"SignInLogs\",\"tenantId\":\"t\",\"time\":\"yesterday\"}]}"); // malformed
        m.add("not json at all");                                                             // malformed
        m.add(TestRecords.envelope(List.of(TestRecords.sprayFailure("ahead@contoso.com", T0 + 30 * MIN))));
        m.add(TestRecords.envelope(List.of(TestRecords.sprayFailure("near29@contoso.com", T0 + 12 * MIN)))); // late
        return m;
    }

    @ParameterizedTest(name = "Elasticsearch {0}")
    @ValueSource(strings = {LocalElasticsearch.V9, LocalElasticsearch.MINIMUM_SUPPORTED})
    void alertsAndDeadLettersLandInElasticsearchExactlyAsReplayComputesThem(String version) throws Exception {
        LocalKafka kafka = LocalKafka.shared();
        boolean secure = version.equals(LocalElasticsearch.V9);
        LocalElasticsearch es = LocalElasticsearch.shared(version, secure);
        String suffix = version.replace('.', '-') + "-" + System.nanoTime();
        String topic = "signins-" + suffix;
        String alertIndex = "alerts-" + suffix;
        String deadLetterIndex = "dead-letters-" + suffix;
        boolean deadLettersToKafka = !secure;
        String deadLetterTopic = "dead-letters-" + suffix;
        kafka.createTopic(topic, 2);
        if (deadLettersToKafka) kafka.createTopic(deadLetterTopic, 1);

        List<String> messages = scenario();
        EndToEnd.send(kafka, topic, messages, 1); // in order on partition 0
        EndToEnd.sendToEveryPartition(kafka, topic, TestRecords.watermarkFlush(T0 + 120 * MIN), 2);

        List<String> args = EndToEnd.jobArgs(kafka, topic, es, alertIndex, deadLetterIndex);
        args.addAll(List.of(
                "--dead-letter.target", deadLettersToKafka ? "kafka" : "elasticsearch",
                "--dead-letter.topic", deadLetterTopic,
                "--checkpoint.interval", "2 s",
                "--rare-app.enabled", "false", // detection A only here; B end to end: RareAppKafkaToElasticsearchITCase
                "--parallelism", "2"));
        JobClient job = EndToEnd.startJob(args, EndToEnd.secrets(kafka, es), "e2e " + version);
        List<JsonNode> deadLetters = new ArrayList<>();
        try {
            es.awaitCount(alertIndex, 2, 120_000);
            if (deadLettersToKafka) {
                for (var record : kafka.consume(deadLetterTopic, 3, java.time.Duration.ofSeconds(60))) {
                    deadLetters.add(JSON.readTree(record.value()));
                }
            } else {
                es.awaitCount(deadLetterIndex, 3, 60_000);
                for (JsonNode hit : JSON.readTree(es.search(deadLetterIndex, "{\"size\":100}")).at("/hits/hits")) {
                    deadLetters.add(hit.get("_source"));
                }
            }
        } finally {
            job.cancel().get();
        }

        // exactly the documents replay computes, under the same ids
        List<String> all = new ArrayList<>(messages);
        all.add(TestRecords.watermarkFlush(T0 + 120 * MIN));
        Map<String, JsonNode> expected = EndToEnd.replayAlerts(dir, all,
                JobOptions.defaults().with(RareAppOptions.ENABLED, "false"));
        Map<String, JsonNode> actual = EndToEnd.documents(es, alertIndex);
        assertEquals(expected, actual);
        assertEquals(2, actual.size());
        List<String> summary = actual.values().stream().map(a -> a.at("/azure/tenant_id").asText() + " "
                + a.at("/azure/signinlogs/properties/status/error_code").asInt() + " "
                + a.at("/detection/unique_user_count").asInt() + " " + a.at("/@timestamp").asText()).sorted()
                .collect(Collectors.toList());
        assertEquals(List.of(TestRecords.TENANT + " 50126 31 2025-11-14T01:10:00Z",
                TestRecords.OTHER_TENANT + " 50053 30 2025-11-14T01:30:00Z"), summary);

        // the template made source.ip an ip field: a range query over it works
        JsonNode byIp = JSON.readTree(es.search(alertIndex,
                "{\"query\":{\"term\":{\"source.ip\":\"203.0.113.0/24\"}}}"));
        assertEquals(2, byIp.at("/hits/total/value").asInt());

        List<String> dead = new ArrayList<>();
        deadLetters.sort(java.util.Comparator.comparingLong(d -> d.get("offset").asLong()));
        for (JsonNode d : deadLetters) {
            dead.add(String.format(Locale.ROOT, "%s %s %d/%d#%d %s", d.get("kind").asText(), d.get("topic").asText(),
                    d.get("partition").asInt(), d.get("offset").asLong(), d.path("record_index").asInt(-1),
                    d.get("reason").asText().split(":")[0]));
        }
        assertEquals(List.of(
                "malformed " + topic + " 0/3#0 timestamp 'yesterday' (time) is not a time",
                "malformed " + topic + " 0/4#-1 invalid JSON",
                "late " + topic + " 0/6#0 sign-in at 2025-11-14T01"), dead);
    }

}
