package io.entrawatch.e2e;

import io.entrawatch.testing.TestClusters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.TestRecords;
import io.entrawatch.TestRecords.Record;
import io.entrawatch.config.JobOptions;
import io.entrawatch.detect.AlertDocuments;
import io.entrawatch.detect.rareapp.RareAppDetection;
import io.entrawatch.model.Categories;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Detection B end to end: a real Kafka broker with Event Hubs' authentication, the production job
 * wiring on a MiniCluster at parallelism 2, a real Elasticsearch 9.2 (HTTPS, basic auth). The alert
 * index must hold exactly the documents jobs/replay computes, and the B alert is asserted field by field.
 */
class RareAppKafkaToElasticsearchITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    private static Record failure(String upn, long ts) {
        return TestRecords.sprayFailure(upn, ts).category(Categories.SIGN_IN_LOGS).interactive(true)
                .auth("multiFactorAuthentication").app("04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Microsoft Azure CLI");
    }

    @Test
    void rareAppAlertLandsInElasticsearchExactlyAsReplayComputesIt() throws Exception {
        LocalKafka kafka = LocalKafka.shared();
        LocalElasticsearch es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        String suffix = "rare-app-" + System.nanoTime();
        String topic = "signins-" + suffix;
        String alertIndex = "alerts-" + suffix;
        kafka.createTopic(topic, 2);

        Record dup = failure("Mallory@Contoso.com", T0 + 20 * MIN);
        List<String> messages = List.of(
                TestRecords.envelope(List.of(failure("mallory@contoso.com", T0 + 10 * MIN), dup)),  // 2 failures (Azure CLI)
                TestRecords.envelope(List.of(dup)),                                                 // re-delivered: still 2
                TestRecords.envelope(List.of(failure("carol@contoso.com", T0 + 11 * MIN), failure("carol@contoso.com", T0 + 12 * MIN),
                        failure("carol@contoso.com", T0 + 13 * MIN), failure("carol@contoso.com", T0 + 14 * MIN))), // 4: no alert
                TestRecords.envelope(List.of(failure("dave@contoso.com", T0 + 15 * MIN).asn(8075L))));   // Microsoft's ASN
        EndToEnd.send(kafka, topic, messages, 1); // in order on partition 0
        EndToEnd.sendToEveryPartition(kafka, topic, TestRecords.watermarkFlush(T0 + 120 * MIN), 2);
        List<String> args = EndToEnd.jobArgs(kafka, topic, es, alertIndex, "dead-letters-" + suffix);
        args.addAll(List.of("--checkpoint.interval", "2 s", "--parallelism", "2"));
        JobClient job = EndToEnd.startJob(args, EndToEnd.secrets(kafka, es), "e2e rare-app");
        try {
            es.awaitCount(alertIndex, 1, 120_000);
        } finally {
            job.cancel().get();
        }

        List<String> all = new ArrayList<>(messages);
        all.add(TestRecords.watermarkFlush(T0 + 120 * MIN));
        Map<String, JsonNode> expected = EndToEnd.replayAlerts(dir, all, JobOptions.defaults());
        Map<String, JsonNode> actual = EndToEnd.documents(es, alertIndex);
        assertEquals(expected, actual);
        assertEquals(1, actual.size(), "carol (4 failures) and dave (Microsoft's ASN) do not alert");
        String id = AlertDocuments.documentId(RareAppDetection.RULE.id, TestRecords.TENANT, "mallory@contoso.com",
                "04b07795-8ddb-461a-bbee-02f9e1bf7b46", T0 + 60 * MIN);
        JsonNode a = actual.get(id);
        assertEquals("2025-11-14T02:00:00Z", a.at("/@timestamp").asText());
        assertEquals("alert", a.at("/event/kind").asText());
        assertEquals(RareAppDetection.RULE.id, a.at("/rule/id").asText());
        assertEquals(RareAppDetection.RULE.name, a.at("/rule/name").asText());
        assertEquals("[\"T1078.004\",\"T1110.003\"]", a.at("/threat/technique/id").toString());
        assertEquals(TestRecords.TENANT, a.at("/azure/tenant_id").asText());
        assertEquals("2025-10-31T02:00:00Z", a.at("/detection/window/start").asText());
        assertEquals("2025-11-14T02:00:00Z", a.at("/detection/window/end").asText());
        assertEquals("mallory@contoso.com", a.at("/azure/signinlogs/properties/user_principal_name").asText());
        assertEquals("04b07795-8ddb-461a-bbee-02f9e1bf7b46", a.at("/azure/signinlogs/properties/app_id").asText());
        assertEquals("Microsoft Azure CLI", a.at("/azure/signinlogs/properties/app_display_name").asText());
        assertEquals(2, a.at("/detection/failed_count").asLong());
        // the template maps failed_count as a number: a range query works
        JsonNode range = JSON.readTree(es.search(alertIndex, "{\"query\":{\"range\":{\"detection.failed_count\":{\"lte\":3}}}}"));
        assertEquals(1, range.at("/hits/total/value").asInt());
    }
}
