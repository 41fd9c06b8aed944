package io.entrawatch.pipeline;

import io.entrawatch.testing.TestClusters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.config.JobOptions;
import io.entrawatch.detect.rareapp.RareAppDetection;
import io.entrawatch.generate.AttackKind;
import io.entrawatch.generate.ExpectedAlert;
import io.entrawatch.generate.GeneratorConfig;
import io.entrawatch.generate.GroundTruth;
import io.entrawatch.generate.TrafficGenerator;
import io.entrawatch.replay.ReplayJob;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Detection B on a MiniCluster at parallelism 2, through jobs/replay, against the generator's ground
 * truth (its independent reference implementation of docs/detections.md section 3).
 */
class RareAppITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    /** "tenant|user|appId|T" -> "count|window start|app name" of every B alert in a replay output. */
    static Map<String, String> rareAppAlerts(Path out) throws Exception {
        Map<String, String> actual = new TreeMap<>();
        for (String line : Files.readAllLines(out)) {
            JsonNode a = JSON.readTree(line);
            if (!a.at("/rule/id").asText().equals(RareAppDetection.RULE.id)) continue;
            JsonNode p = a.at("/azure/signinlogs/properties");
            String key = a.at("/azure/tenant_id").asText() + "|" + p.get("user_principal_name").asText() + "|"
                    + p.get("app_id").asText() + "|" + a.at("/@timestamp").asText();
            String previous = actual.put(key, a.at("/detection/failed_count").asLong() + "|"
                    + a.at("/detection/window/start").asText() + "|" + p.get("app_display_name").asText());
            assertEquals(null, previous, "one alert per pair and T: " + key);
        }
        return actual;
    }

    @Test
    void replayRaisesExactlyTheGroundTruthsRareAppAlerts() throws Exception {
        for (long seed : new long[] {42, 7}) {
            GeneratorConfig cfg = GeneratorConfig.builder().seed(seed).duration(Duration.ofDays(3)).tenants(3)
                    .usersPerTenant(150).totalRecords(25_000)
                    .attacks(AttackKind.RARE_APP, AttackKind.RARE_APP_4, AttackKind.SPRAY, AttackKind.SPRAY_29,
                            AttackKind.SPRAY_MICROSOFT_ASN, AttackKind.SPRAY_NO_ASN, AttackKind.SPRAY_SPLIT)
                    .build();
            TrafficGenerator gen = new TrafficGenerator(cfg);
            Path in = dir.resolve("traffic-" + seed + ".ndjson");
            try (OutputStream os = Files.newOutputStream(in)) {
                gen.writeNdjson(os, null);
            }
            Path out = dir.resolve("alerts-" + seed + ".ndjson");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            ReplayJob.Summary summary = ReplayJob.run(env, in, out, JobOptions.defaults());

            GroundTruth truth = gen.groundTruth();
            Map<String, String> expected = new TreeMap<>();
            for (ExpectedAlert e : truth.expected("B")) {
                expected.put(e.tenantId() + "|" + e.userPrincipalName() + "|" + e.appId() + "|" + e.windowEnd(),
                        e.count() + "|" + e.windowStart() + "|" + e.appDisplayName());
            }
            assertTrue(expected.size() >= 30, "sprayed users and the rare-app plant: " + expected.size());
            assertTrue(expected.values().stream().anyMatch(v -> v.startsWith("2|")) || expected.values().stream()
                    .anyMatch(v -> v.startsWith("3|")), "some pair with more than one failure");
            assertEquals(expected, rareAppAlerts(out), "seed " + seed);
            assertEquals(0, summary.late, "the generator delays at most 4 minutes");
        }
    }
}
