package io.entrawatch.detect.sso;

import io.entrawatch.testing.ReplayOutputs;
import io.entrawatch.testing.TestClusters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.config.JobOptions;
import io.entrawatch.generate.AttackKind;
import io.entrawatch.generate.ExpectedAlert;
import io.entrawatch.generate.GeneratorConfig;
import io.entrawatch.generate.GroundTruth;
import io.entrawatch.generate.TrafficGenerator;
import io.entrawatch.replay.ReplayJob;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Detection C through the job's own topology on a MiniCluster at parallelism 2 (jobs/replay's wiring):
 * stage 1's flags cross a real keyBy to stage 2 and must all be there when stage 2's hour fires; the
 * alerts equal the generator's independent ground truth, and do not depend on arrival order or
 * parallelism.
 */
class SsoSprayITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    /** C alerts of a replay output: key (as ExpectedAlert.key()) -> the alert. */
    static Map<String, JsonNode> cAlerts(Path out) throws Exception {
        return ReplayOutputs.alertsOf(out, SeamlessSsoSprayDetection.RULE.id, a -> "C|" + a.at("/azure/tenant_id").asText()
                + "|" + a.at("/azure/signinlogs/result_type").asText() + "|" + a.at("/source/ip").asText() + "|"
                + a.at("/detection/table").asText() + "|" + a.at("/detection/window/start").asText());
    }

    @Test
    void generatedSeamlessSsoSpraysRaiseExactlyTheGroundTruthAlerts() throws Exception {
        GeneratorConfig cfg = GeneratorConfig.builder().seed(2024).start(Instant.parse("2025-11-14T00:00:00Z"))
                .duration(Duration.ofHours(6)).tenants(2).usersPerTenant(100).ratePerSecond(0.3)
                .attacks(AttackKind.SSO_SPRAY, AttackKind.SSO_SPRAY_5).build();
        TrafficGenerator generator = new TrafficGenerator(cfg);
        GroundTruth truth = generator.groundTruth();
        Path in = dir.resolve("generated.ndjson");
        try (OutputStream os = Files.newOutputStream(in)) {
            generator.writeNdjson(os, null);
        }
        Path out = dir.resolve("out.ndjson");
        ReplayJob.Summary summary = ReplayJob.run(TestClusters.environment(2), in, out, JobOptions.defaults());
        assertEquals(0, summary.late, "the generator delays by at most 4 minutes");

        Map<String, JsonNode> actual = cAlerts(out);
        Map<String, String> want = new TreeMap<>();
        for (ExpectedAlert e : truth.expected("C")) {
            want.put(e.key(), e.count() + " " + e.users());
        }
        Map<String, String> got = new TreeMap<>();
        actual.forEach((k, a) -> {
            List<String> users = new ArrayList<>();
            a.at("/user/name").forEach(u -> users.add(u.asText()));
            got.put(k, a.at("/detection/distinct_accounts").asLong() + " " + users);
        });
        assertTrue(want.size() >= 4, "the plant expects C alerts: " + want);
        assertEquals(want, got);
        for (JsonNode a : actual.values()) {
            assertEquals(a.at("/detection/window/end").asText(), a.at("/@timestamp").asText());
            assertTrue(a.at("/event/start").asText().compareTo(a.at("/detection/window/start").asText()) >= 0);
            assertTrue(a.at("/event/end").asText().compareTo(a.at("/detection/window/end").asText()) < 0);
        }
    }

    @Test
    void theSameSignInsInAnyArrivalOrderAndAtAnyParallelismGiveTheSameOutput() throws Exception {
        Random rnd = new Random(5);
        List<ObjectNode> records = new ArrayList<>();
        String[] tenants = {io.entrawatch.TestRecords.TENANT, io.entrawatch.TestRecords.OTHER_TENANT};
        for (int h = 0; h < 3; h++) {
            for (String tenant : tenants) {
                int accounts = 4 + rnd.nextInt(6); // 4..9: some hours flag, some do not
                for (int i = 0; i < 60; i++) {
                    long ts = T0 + h * 60 * MIN + rnd.nextInt(60 * 60_000);
                    String upn = "acct" + rnd.nextInt(accounts) + "@" + tenant.substring(0, 4) + ".com";
                    String ip = "198.51.100." + rnd.nextInt(6);
                    ObjectNode r = switch (rnd.nextInt(5)) {
                        case 0 -> SsoSprayHarnessTest.interactive(SsoSprayHarnessTest.record(upn, ts, ip, rnd.nextBoolean() ? "0" : "50074"));
                        case 1 -> SsoSprayHarnessTest.record(upn, ts, ip, "81001");
                        default -> SsoSprayHarnessTest.ssoFailure(upn, ts, ip);
                    };
                    records.add(SsoSprayHarnessTest.tenant(r, tenant));
                }
            }
        }
        records.sort((x, y) -> x.at("/properties/createdDateTime").asText().compareTo(y.at("/properties/createdDateTime").asText()));
        Path ordered = write("ordered.ndjson", records);
        Path outOrdered = dir.resolve("ordered.out");
        ReplayJob.run(TestClusters.environment(1), ordered, outOrdered, JobOptions.defaults());
        Map<String, JsonNode> c = cAlerts(outOrdered);
        assertTrue(c.size() >= 6, "the scenario raises C alerts: " + c.keySet());

        for (int seed = 1; seed <= 2; seed++) {
            Path shuffled = write("shuffled" + seed + ".ndjson", SsoSprayHarnessTest.shuffleWithin(records, 4 * MIN, new Random(seed)));
            Path out = dir.resolve("shuffled" + seed + ".out");
            ReplayJob.Summary s = ReplayJob.run(TestClusters.environment(2), shuffled, out, JobOptions.defaults());
            assertEquals(0, s.late);
            assertEquals(Files.readAllLines(outOrdered), Files.readAllLines(out), "seed " + seed + " at parallelism 2");
        }
    }

    private Path write(String name, List<ObjectNode> records) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < records.size(); i += 9) {
            lines.add(SsoSprayHarnessTest.envelope(records.subList(i, Math.min(records.size(), i + 9))));
        }
        Path p = dir.resolve(name);
        Files.write(p, lines);
        return p;
    }
}
