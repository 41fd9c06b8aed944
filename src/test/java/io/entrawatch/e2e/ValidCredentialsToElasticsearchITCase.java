package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawatch.TestRecords;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.RareAppOptions;
import io.entrawatch.detect.AlertDocuments;
import io.entrawatch.detect.validcreds.ValidCredentialsDetection;
import io.entrawatch.model.Categories;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;
import io.entrawatch.testing.TestClusters;
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
 * Detection D end to end: a spray in which one password works (MFA then blocks it) and another works
 * fully hours later, plus a near miss, produced to a real Kafka broker with Event Hubs' authentication;
 * the production wiring on a MiniCluster at parallelism 2; alerts in a real Elasticsearch 9 (HTTPS,
 * basic auth): exactly the documents jobs/replay computes, the critical one checked field by field.
 */
class ValidCredentialsToElasticsearchITCase {
    private static final String SPRAYER = "198.51.100.66";
    private static final String NEAR_MISS = "198.51.100.67";

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    private static TestRecords.Record failure(String upn, long ts, String ip) {
        return TestRecords.sprayFailure(upn, ts).ip(ip).errorCode(50126);
    }

    /**
     * SPRAYER: six users fail in 01:00-01:10 and victim0's password works there (MFA required, 50074);
     * victim1 signs in fully at 04:03. NEAR_MISS: four users fail and one succeeds, no spray source.
     */
    private static List<String> scenario() {
        List<TestRecords.Record> spray = new ArrayList<>();
        for (int i = 0; i < 6; i++) spray.add(failure("victim" + i + "@contoso.com", T0 + (1 + i) * MIN, SPRAYER));
        TestRecords.Record mfaBlocked = TestRecords.sprayFailure("victim0@contoso.com", T0 + 8 * MIN).ip(SPRAYER)
                .errorCode(50074).interactive(true).category(Categories.SIGN_IN_LOGS);
        List<TestRecords.Record> near = new ArrayList<>();
        for (int i = 0; i < 4; i++) near.add(failure("near" + i + "@contoso.com", T0 + (21 + i) * MIN, NEAR_MISS));
        near.add(TestRecords.sprayFailure("near0@contoso.com", T0 + 26 * MIN).ip(NEAR_MISS).errorCode(0));
        TestRecords.Record fullSuccess = TestRecords.sprayFailure("victim1@contoso.com", T0 + 183 * MIN).ip(SPRAYER)
                .errorCode(0).interactive(true).category(Categories.SIGN_IN_LOGS);
        return List.of(TestRecords.envelope(spray), TestRecords.envelope(List.of(mfaBlocked)), TestRecords.envelope(near),
                TestRecords.envelope(List.of(fullSuccess)));
    }

    @Test
    void validCredentialAlertsLandInElasticsearchExactlyAsReplayComputesThem() throws Exception {
        LocalKafka kafka = LocalKafka.shared();
        LocalElasticsearch es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        String suffix = "valid-creds-" + System.nanoTime();
        String topic = "signins-" + suffix;
        String alertIndex = "alerts-" + suffix;
        kafka.createTopic(topic, 2);
        List<String> messages = scenario();
        EndToEnd.send(kafka, topic, messages, 1); // in order on partition 0
        String flush = TestRecords.watermarkFlush(T0 + 300 * MIN);
        EndToEnd.sendToEveryPartition(kafka, topic, flush, 2);
        List<String> args = EndToEnd.jobArgs(kafka, topic, es, alertIndex, "dead-letters-" + suffix);
        args.addAll(List.of("--checkpoint.interval", "2 s", "--parallelism", "2",
                // detection D here: the flush records would also raise B alerts whose hour never closes live
                "--rare-app.enabled", "false"));
        JobClient job = EndToEnd.startJob(args, EndToEnd.secrets(kafka, es), "e2e valid-credentials");
        try {
            es.awaitCount(alertIndex, 2, 120_000);
        } finally {
            job.cancel().get();
        }

        List<String> all = new ArrayList<>(messages);
        all.add(flush);
        Map<String, JsonNode> expected = EndToEnd.replayAlerts(dir, all,
                JobOptions.defaults().with(RareAppOptions.ENABLED, "false"));
        Map<String, JsonNode> actual = EndToEnd.documents(es, alertIndex);
        assertEquals(expected, actual);
        assertEquals(2, actual.size(), "victim0 (MFA-blocked) and victim1 (full success) from the sprayer, nothing from the near miss");

        String rule = ValidCredentialsDetection.RULE.id;
        JsonNode blocked = actual.get(AlertDocuments.documentId(rule, TestRecords.TENANT, SPRAYER, "victim0@contoso.com", T0));
        assertEquals("high", blocked.at("/detection/severity").asText());
        assertEquals("failure", blocked.at("/event/outcome").asText());
        assertEquals("[50074]", blocked.at("/detection/result_codes").toString());
        assertEquals("2025-11-14T01:10:00Z", blocked.at("/@timestamp").asText());

        long v = T0 + 180 * MIN;
        JsonNode a = actual.get(AlertDocuments.documentId(rule, TestRecords.TENANT, SPRAYER, "victim1@contoso.com", v));
        assertEquals("2025-11-14T04:10:00Z", a.at("/@timestamp").asText());
        assertEquals(rule, a.at("/rule/id").asText());
        assertEquals("Azure Entra Valid Credentials from a Password Spray Source", a.at("/rule/name").asText());
        assertEquals("[\"T1078.004\",\"T1110.003\"]", a.at("/threat/technique/id").toString());
        assertEquals("critical", a.at("/detection/severity").asText());
        assertEquals(99, a.at("/event/risk_score").asInt());
        assertEquals("success", a.at("/event/outcome").asText());
        assertEquals(TestRecords.TENANT, a.at("/azure/tenant_id").asText());
        assertEquals("2025-11-14T04:00:00Z", a.at("/detection/window/start").asText());
        assertEquals("2025-11-14T04:10:00Z", a.at("/detection/window/end").asText());
        assertEquals(SPRAYER, a.at("/source/ip").asText());
        assertEquals("victim1@contoso.com", a.at("/user/name").asText());
        assertEquals(1, a.at("/detection/hit_count").asLong());
        assertEquals("[0]", a.at("/detection/result_codes").toString());
        assertEquals("2025-11-14T04:03:00Z", a.at("/event/start").asText());
        assertEquals("2025-11-14T04:03:00Z", a.at("/event/end").asText());
        assertEquals("2025-11-14T01:00:00Z", a.at("/detection/spray/window/start").asText());
        assertEquals("2025-11-14T01:10:00Z", a.at("/detection/spray/window/end").asText());
        assertEquals(6, a.at("/detection/spray/failed_user_count").asLong());
        assertEquals(1, a.at("/detection/spray/valid_user_count").asLong());
        assertEquals(6, a.at("/detection/spray/user_names").size());
    }
}
