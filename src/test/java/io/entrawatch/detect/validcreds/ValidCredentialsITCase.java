package io.entrawatch.detect.validcreds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.TestRecords;
import io.entrawatch.config.JobOptions;
import io.entrawatch.generate.AttackKind;
import io.entrawatch.generate.ExpectedAlert;
import io.entrawatch.generate.GeneratorConfig;
import io.entrawatch.generate.GroundTruth;
import io.entrawatch.generate.TrafficGenerator;
import io.entrawatch.replay.ReplayJob;
import io.entrawatch.testing.ReplayOutputs;
import io.entrawatch.testing.TestClusters;
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
import java.util.stream.Collectors;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Detection D through the job's own topology on a MiniCluster (jobs/replay's wiring): stage 1's spray
 * sources cross a real keyBy to stage 2 and must be there when stage 2 evaluates the same window; the
 * alerts do not depend on arrival order (within the out-of-orderness) or on parallelism.
 */
class ValidCredentialsITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    /** D alerts of a replay output: tenant|ip|user|window start -> the alert. */
    static Map<String, JsonNode> dAlerts(Path out) throws Exception {
        return ReplayOutputs.alertsOf(out, ValidCredentialsDetection.RULE.id, a -> a.at("/azure/tenant_id").asText() + "|"
                + a.at("/source/ip").asText() + "|" + a.at("/user/name").asText() + "|" + a.at("/detection/window/start").asText());
    }

    /** What the ground truth and the job must agree on for a D alert. */
    static String summary(JsonNode a) {
        List<String> names = new ArrayList<>();
        a.at("/detection/spray/user_names").forEach(n -> names.add(n.asText()));
        return a.at("/detection/hit_count").asLong() + " " + a.at("/detection/severity").asText() + " "
                + a.at("/detection/result_codes") + " " + a.at("/detection/spray/window/start").asText() + " " + names;
    }

    static String summary(ExpectedAlert e) {
        return e.count() + " " + e.severity() + " " + e.resultCodes().toString().replace(" ", "") + " " + e.sprayWindowStart()
                + " " + e.users();
    }

    @Test
    void generatedSpraysThatWorkRaiseExactlyTheGroundTruthAlerts() throws Exception {
        GeneratorConfig cfg = GeneratorConfig.builder().seed(2026).start(Instant.parse("2025-11-14T00:00:00Z"))
                .duration(Duration.ofHours(8)).tenants(2).usersPerTenant(100).ratePerSecond(0.3)
                .attacks(AttackKind.parseList("d")).build();
        TrafficGenerator generator = new TrafficGenerator(cfg);
        GroundTruth truth = generator.groundTruth();
        Path in = dir.resolve("generated.ndjson");
        try (OutputStream os = Files.newOutputStream(in)) {
            generator.writeNdjson(os, null);
        }
        Path out = dir.resolve("out.ndjson");
        ReplayJob.Summary summary = ReplayJob.run(TestClusters.environment(2), in, out, JobOptions.defaults());
        assertEquals(0, summary.late);
        Map<String, String> want = new TreeMap<>();
        for (ExpectedAlert e : truth.expected("D")) {
            want.put(e.tenantId() + "|" + e.ipAddress() + "|" + e.userPrincipalName() + "|" + e.windowStart(), summary(e));
        }
        Map<String, String> got = new TreeMap<>();
        dAlerts(out).forEach((k, a) -> got.put(k, summary(a)));
        assertEquals(2, want.size(), "the valid-creds plant: an MFA-blocked password and a full success; no near miss alerts");
        assertEquals(want, got);
        assertEquals(List.of("critical", "high"), got.values().stream().map(v -> v.split(" ")[1]).sorted().collect(Collectors.toList()));
    }

    @Test
    void theSameSignInsInAnyArrivalOrderAndAtAnyParallelismGiveTheSameOutput() throws Exception {
        Random rnd = new Random(11);
        List<ObjectNode> records = new ArrayList<>();
        String[] tenants = {TestRecords.TENANT, TestRecords.OTHER_TENANT};
        for (int window = 0; window < 36; window++) { // six hours of 10-minute windows
            for (String tenant : tenants) {
                for (int i = 0; i < 25; i++) {
                    long ts = T0 + window * 10 * MIN + rnd.nextInt(10 * 60_000);
                    String ip = rnd.nextInt(4) == 0 ? "2001:db8::" + rnd.nextInt(3) : "198.51.100." + rnd.nextInt(5);
                    // some windows spray from an address (4..9 users), others only see ordinary traffic
                    boolean spraying = (window + ip.hashCode()) % 5 == 0;
                    String upn = "user" + rnd.nextInt(spraying ? 9 : 4) + "@" + tenant.substring(0, 4) + ".com";
                    TestRecords.Record r = ValidCredentialsHarnessTest.guess(rnd.nextInt(3) == 0 ? upn.toUpperCase() : upn, ts, ip)
                            .tenant(tenant);
                    int kind = rnd.nextInt(10);
                    if (kind == 0) r.errorCode(null);
                    else if (kind == 1) r.errorCode(50074);
                    else if (kind == 2) r.errorCode(53003);
                    else if (kind == 3) r.errorCode(50053);
                    else if (kind == 4 && !spraying) r.errorCode(null);
                    if (rnd.nextInt(8) == 0) r.category(io.entrawatch.model.Categories.NON_INTERACTIVE);
                    records.add(r.node());
                    if (rnd.nextInt(20) == 0) records.add(r.node()); // a re-delivery
                }
            }
        }
        records.sort((x, y) -> x.at("/properties/createdDateTime").asText().compareTo(y.at("/properties/createdDateTime").asText()));
        Path ordered = write("ordered.ndjson", records);
        Path outOrdered = dir.resolve("ordered.out");
        ReplayJob.run(TestClusters.environment(1), ordered, outOrdered, JobOptions.defaults());
        Map<String, JsonNode> d = dAlerts(outOrdered);
        assertTrue(d.size() >= 10, "the scenario raises D alerts: " + d.keySet());
        assertTrue(d.values().stream().anyMatch(a -> a.at("/detection/severity").asText().equals("critical")));
        assertTrue(d.values().stream().anyMatch(a -> a.at("/detection/severity").asText().equals("high")));
        assertTrue(d.values().stream().anyMatch(a -> a.at("/detection/window/start").asText()
                .equals(a.at("/detection/spray/window/start").asText())), "hits in the spray's own window");

        for (int seed = 1; seed <= 2; seed++) {
            Path shuffled = write("shuffled" + seed + ".ndjson", TestRecords.shuffleWithin(records, 4 * MIN, new Random(seed)));
            Path out = dir.resolve("shuffled" + seed + ".out");
            ReplayJob.Summary s = ReplayJob.run(TestClusters.environment(2), shuffled, out, JobOptions.defaults());
            assertEquals(0, s.late);
            assertEquals(lines(outOrdered), lines(out), "seed " + seed + " at parallelism 2");
        }
    }

    private static List<String> lines(Path p) throws Exception {
        return Files.readAllLines(p).stream().filter(l -> l.contains(ValidCredentialsDetection.RULE.id)).collect(Collectors.toList());
    }

    private Path write(String name, List<ObjectNode> records) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < records.size(); i += 9) {
            lines.add("{\"records\":[" + records.subList(i, Math.min(records.size(), i + 9)).stream().map(ObjectNode::toString)
                    .collect(Collectors.joining(",")) + "]}");
        }
        Path p = dir.resolve(name);
        Files.write(p, lines);
        return p;
    }
}
