package io.entrawatch.e2e;

import io.entrawatch.config.RareAppOptions;
import io.entrawatch.testing.TestClusters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.TestRecords;
import io.entrawatch.config.JobOptions;
import io.entrawatch.detect.AlertDocuments;
import io.entrawatch.detect.sso.SeamlessSsoSprayDetection;
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
import java.util.stream.Collectors;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Detection C end to end: Seamless SSO failures produced to a real Kafka broker with Event Hubs'
 * authentication, the production job wiring on a MiniCluster at parallelism 2, alerts in a real
 * Elasticsearch 9 (HTTPS, basic auth): exactly the documents jobs/replay computes, one checked field by
 * field.
 */
class SsoSprayToElasticsearchITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IP_A = "198.51.100.10";
    private static final String IP_B = "198.51.100.9";

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    private static ObjectNode sso(String upn, long ts, String ip) {
        ObjectNode r = TestRecords.sprayFailure(upn, ts).ip(ip).errorCode(81016).node();
        r.put("resultDescription", "Seamless SSO: the Kerberos ticket could not be decrypted");
        return r;
    }

    /** Six accounts fail Seamless SSO from two addresses in 01:00-02:00; one account then signs in from IP_A. */
    private static List<String> scenario() {
        List<ObjectNode> first = new ArrayList<>();
        for (int i = 0; i < 6; i++) first.add(sso("victim" + i + "@contoso.com", T0 + (10 + i) * MIN, i % 2 == 0 ? IP_A : IP_B));
        ObjectNode success = TestRecords.sprayFailure("victim0@contoso.com", T0 + 40 * MIN).ip(IP_A).errorCode(0).interactive(true)
                .category(Categories.SIGN_IN_LOGS).node();
        List<ObjectNode> near = new ArrayList<>(); // next hour: 5 accounts, a near miss
        for (int i = 0; i < 5; i++) near.add(sso("other" + i + "@contoso.com", T0 + 70 * MIN, IP_A));
        return List.of(envelope(first), envelope(List.of(success)), envelope(near));
    }

    private static String envelope(List<ObjectNode> records) {
        return "{\"records\":[" + records.stream().map(ObjectNode::toString).collect(Collectors.joining(",")) + "]}";
    }

    @Test
    void seamlessSsoAlertsLandInElasticsearchExactlyAsReplayComputesThem() throws Exception {
        LocalKafka kafka = LocalKafka.shared();
        LocalElasticsearch es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        String suffix = "sso-" + System.nanoTime();
        String topic = "signins-" + suffix;
        String alertIndex = "alerts-" + suffix;
        kafka.createTopic(topic, 2);
        List<String> messages = scenario();
        EndToEnd.send(kafka, topic, messages, 1); // in order on partition 0
        EndToEnd.sendToEveryPartition(kafka, topic, TestRecords.watermarkFlush(T0 + 180 * MIN), 2);
        List<String> args = EndToEnd.jobArgs(kafka, topic, es, alertIndex, "dead-letters-" + suffix);
        args.addAll(List.of("--checkpoint.interval", "2 s", "--parallelism", "2",
                // detection C only here: the flush record would also raise a B alert whose hour never closes on
                // a live stream (B end to end: RareAppKafkaToElasticsearchITCase)
                "--rare-app.enabled", "false"));
        JobClient job = EndToEnd.startJob(args, EndToEnd.secrets(kafka, es), "e2e sso-spray");
        try {
            es.awaitCount(alertIndex, 3, 120_000);
        } finally {
            job.cancel().get();
        }

        List<String> all = new ArrayList<>(messages);
        all.add(TestRecords.watermarkFlush(T0 + 180 * MIN));
        Map<String, JsonNode> expected = EndToEnd.replayAlerts(dir, all,
                JobOptions.defaults().with(RareAppOptions.ENABLED, "false"));
        Map<String, JsonNode> actual = EndToEnd.documents(es, alertIndex);
        assertEquals(expected, actual);
        assertEquals(3, actual.size(), "IP_A and IP_B in AADNonInteractiveUserSignInLogs, IP_A in SigninLogs");

        // One alert, field by field: the flagged address's successful interactive sign-in.
        String id = AlertDocuments.documentId(SeamlessSsoSprayDetection.RULE.id, TestRecords.TENANT, "81016", IP_A,
                "SigninLogs", T0);
        JsonNode a = actual.get(id);
        assertEquals("2025-11-14T02:00:00Z", a.at("/@timestamp").asText());
        assertEquals("alert", a.at("/event/kind").asText());
        assertEquals(SeamlessSsoSprayDetection.RULE.id, a.at("/rule/id").asText());
        assertEquals("Password spray attack against Microsoft Entra ID Seamless SSO", a.at("/rule/name").asText());
        assertEquals("[\"T1110\"]", a.at("/threat/technique/id").toString());
        assertEquals(TestRecords.TENANT, a.at("/azure/tenant_id").asText());
        assertEquals("2025-11-14T01:00:00Z", a.at("/detection/window/start").asText());
        assertEquals("2025-11-14T02:00:00Z", a.at("/detection/window/end").asText());
        assertEquals(IP_A, a.at("/source/ip").asText());
        assertEquals("81016", a.at("/azure/signinlogs/result_type").asText());
        assertEquals("SigninLogs", a.at("/detection/table").asText());
        assertEquals(6, a.at("/detection/distinct_accounts").asLong());
        assertEquals("2025-11-14T01:40:00Z", a.at("/event/start").asText());
        assertEquals("2025-11-14T01:40:00Z", a.at("/event/end").asText());
        assertEquals("[\"victim0@contoso.com\"]", a.at("/user/name").toString());
        assertEquals("[\"python-requests/2.31\"]", a.at("/user_agent/original").toString());
        assertEquals("None", a.at("/azure/signinlogs/result_signature").asText());
        assertEquals("contoso.com", a.at("/user/domain").asText());
        assertEquals("victim0", a.at("/detection/account_name").asText());

        JsonNode nonInteractiveA = actual.get(AlertDocuments.documentId(SeamlessSsoSprayDetection.RULE.id, TestRecords.TENANT,
                "81016", IP_A, "AADNonInteractiveUserSignInLogs", T0));
        assertEquals("[\"victim0@contoso.com\",\"victim2@contoso.com\",\"victim4@contoso.com\"]",
                nonInteractiveA.at("/user/name").toString());
        assertEquals("Seamless SSO: the Kerberos ticket could not be decrypted",
                nonInteractiveA.at("/azure/signinlogs/result_description").asText());

        // source.ip is an ip field in the template: a CIDR query finds all three
        JsonNode byCidr = JSON.readTree(es.search(alertIndex, "{\"query\":{\"term\":{\"source.ip\":\"198.51.100.0/24\"}}}"));
        assertEquals(3, byCidr.at("/hits/total/value").asInt());
    }
}
