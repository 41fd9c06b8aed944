package io.entrawatch.acceptance;

import io.entrawatch.testing.TestClusters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.config.JobOptions;
import io.entrawatch.generate.ExpectedAlert;
import io.entrawatch.generate.GeneratorConfig;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance: a generated day (realistic records, quirks, disorder, duplicates, planted attacks and
 * their near misses) through jobs/replay's pipeline at parallelism 2, compared with the ground truth
 * that the generator's independent reference implementation of DETECTIONS.md computes.
 */
class GeneratedTrafficITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    @Test
    void passwordSprayAlertsAreExactlyTheGroundTruth() throws Exception {
        TrafficGenerator generator = new TrafficGenerator(GeneratorConfig.builder().seed(20251114L).totalRecords(40_000)
                .build());
        Path in = dir.resolve("day.ndjson");
        try (OutputStream out = Files.newOutputStream(in)) {
            generator.writeNdjson(out, stats -> { });
        }
        Path out = dir.resolve("alerts.ndjson");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        ReplayJob.Summary summary = ReplayJob.run(env, in, out, JobOptions.defaults());

        Map<String, String> expected = new TreeMap<>();
        for (ExpectedAlert a : generator.groundTruth().expected("A")) {
            expected.put(a.key(), a.count() + " " + a.users() + " " + a.ips());
        }
        Map<String, String> actual = new TreeMap<>();
        for (String line : Files.readAllLines(out)) {
            JsonNode a = JSON.readTree(line);
            if (!a.at("/rule/id").asText().equals(ExpectedAlert.RULE_A)) continue;
            String key = "A|" + a.at("/azure/tenant_id").asText() + "|" + a.at("/azure/signinlogs/properties/status/error_code").asInt()
                    + "|" + a.at("/detection/window/start").asText();
            actual.put(key, a.at("/detection/unique_user_count").asLong() + " " + strings(a.at("/user/name")) + " "
                    + strings(a.at("/source/ip")));
        }
        assertTrue(expected.size() >= 2, "the generated day plants sprays that must alert: " + expected.keySet());
        assertEquals(expected, actual);
        assertEquals(0, summary.malformed, "generated records are all well-formed");
        assertEquals(0, summary.late, "generated disorder stays within the 5-minute bound");
        assertTrue(summary.skipped > 0, "other categories on the hub are skipped and counted");
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
