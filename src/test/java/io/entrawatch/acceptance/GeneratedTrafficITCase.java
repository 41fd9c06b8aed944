package io.entrawatch.acceptance;

import io.entrawatch.config.ReplayOptions;
import io.entrawatch.testing.TestClusters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.TestRecords;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance: a generated day (realistic records, quirks, disorder, duplicates, planted attacks and
 * their near misses) through jobs/replay's pipeline at parallelism 2, compared with the ground truth
 * that the generator's independent reference implementation of docs/detections.md computes; and the replay's
 * whole output frozen, so that an optimisation or a restructuring provably changes nothing.
 */
class GeneratedTrafficITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    @Test
    void sprayAndValidCredentialAlertsAreExactlyTheGroundTruth() throws Exception {
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

        Map<String, String> expectedD = new TreeMap<>();
        for (ExpectedAlert a : generator.groundTruth().expected("D")) {
            expectedD.put(a.key(), a.count() + " " + a.severity() + " " + a.resultCodes() + " " + a.sprayWindowStart() + " " + a.users());
        }
        Map<String, String> actualD = new TreeMap<>();
        for (String line : Files.readAllLines(out)) {
            JsonNode a = JSON.readTree(line);
            if (!a.at("/rule/id").asText().equals(ExpectedAlert.RULE_D)) continue;
            String key = "D|" + a.at("/azure/tenant_id").asText() + "|" + a.at("/source/ip").asText() + "|"
                    + a.at("/user/name").asText() + "|" + a.at("/detection/window/start").asText();
            List<String> codes = new ArrayList<>();
            a.at("/detection/result_codes").forEach(c -> codes.add(c.asText()));
            actualD.put(key, a.at("/detection/hit_count").asLong() + " " + a.at("/detection/severity").asText() + " " + codes + " "
                    + a.at("/detection/spray/window/start").asText() + " " + strings(a.at("/detection/spray/user_names")));
        }
        assertEquals(2, expectedD.size(), "the spray in which one password works: " + expectedD.keySet());
        assertEquals(expectedD, actualD);
        assertEquals(0, summary.malformed, "generated records are all well-formed");
        assertEquals(0, summary.late, "generated disorder stays within the 5-minute bound");
        assertTrue(summary.skipped > 0, "other categories on the hub are skipped and counted");
    }

    /**
     * The alerts jobs/replay writes for a generated day (40,000 records, every planted attack and quirk) with a
     * few hostile lines mixed in, byte for byte those of the code before the hot-path optimisations and the
     * one-package-per-detection structure (frozen as SHA-256 and counts), at parallelism 1 and 2; and the same dead letters (kind, reason,
     * origin, payload; not the processing time they were written at).
     */
    @Test
    void replayOutputIsTheFrozenOutputOfTheCodeBeforeTheHotPathOptimisations() throws Exception {
        Path in = frozenInput();
        for (int parallelism : new int[] {1, 2}) {
            Path out = dir.resolve("alerts-p" + parallelism + ".ndjson");
            Path dlq = dir.resolve("dead-letters-p" + parallelism + ".ndjson");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(parallelism);
            ReplayJob.Summary s = ReplayJob.run(env, in, out, JobOptions.defaults().with(ReplayOptions.DEAD_LETTERS,
                    dlq.toString()));
            List<String> deadLetters = new ArrayList<>();
            for (String line : Files.readAllLines(dlq)) {
                com.fasterxml.jackson.databind.node.ObjectNode d = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(line);
                d.remove("@timestamp"); // processing time
                deadLetters.add(d.toString());
            }
            deadLetters.sort(null);
            String actual = String.format(java.util.Locale.ROOT, "messages %d, records %d, sign-ins %d, skipped %d, malformed %d, late %d, "
                            + "alerts %d %s sha256 %s, dead letters %d sha256 %s", s.messages, s.records, s.signIns,
                    s.skipped, s.malformed, s.late, s.alerts, s.alertsByRule, sha256(Files.readAllBytes(out)),
                    deadLetters.size(), sha256(String.join("\n", deadLetters).getBytes(StandardCharsets.UTF_8)));
            System.out.println("frozen replay output, p=" + parallelism + ": " + actual);
            assertEquals(FROZEN, actual, "replay output at parallelism " + parallelism + " (alerts in " + out + ")");
            if (parallelism == 1) everyRuleShouldAlertWithFieldsTheTemplateMaps(out);
        }
    }

    /**
     * Every rule of the catalogue raises alerts on the generated day, and every field those alerts carry is
     * mapped explicitly by the alert index template (so no alert field falls to dynamic mapping).
     */
    private static void everyRuleShouldAlertWithFieldsTheTemplateMaps(Path alerts) throws Exception {
        JsonNode mappings;
        try (var in = ReplayJob.class.getResourceAsStream("/elasticsearch/alerts-template.json")) {
            mappings = JSON.readTree(in).at("/template/mappings");
        }
        java.util.Set<String> rules = new java.util.TreeSet<>();
        java.util.Set<String> unmapped = new java.util.TreeSet<>();
        for (String line : Files.readAllLines(alerts)) {
            JsonNode a = JSON.readTree(line);
            rules.add(a.at("/rule/id").asText());
            collectUnmapped(a, mappings, "", a.at("/rule/name").asText(), unmapped);
        }
        java.util.Set<String> catalogue = new java.util.TreeSet<>();
        io.entrawatch.pipeline.DetectionPipeline.CATALOGUE.forEach(f -> catalogue.add(f.rule().id));
        assertEquals(catalogue, rules, "every rule of the catalogue alerts on the generated day");
        assertEquals(java.util.Set.of(), unmapped, "alert fields the index template does not map");
    }

    private static void collectUnmapped(JsonNode doc, JsonNode mapping, String path, String rule, java.util.Set<String> unmapped) {
        for (var it = doc.fields(); it.hasNext(); ) {
            var field = it.next();
            if (path.isEmpty() && field.getKey().equals("_id")) continue; // replay writes the document id beside the document
            String name = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            JsonNode m = mapping.path("properties").path(field.getKey());
            if (m.isMissingNode()) {
                unmapped.add(name + " (" + rule + ")");
                continue;
            }
            JsonNode value = field.getValue();
            if (value.isArray() && value.size() > 0) value = value.get(0);
            if (value.isObject() && !"flattened".equals(m.path("type").asText()) && !"object".equals(m.path("type").asText())) {
                collectUnmapped(value, m, name, rule, unmapped);
            }
        }
    }

    /**
     * Written by the code before the hot-path optimisations (before the byte-line reader); re-frozen when
     * detection D joined: its alerts were added, the A, B and C alerts stayed byte for byte the same, and
     * the generated input (D's plants) and the late dead letters' reasons (which name D) changed. Re-frozen
     * when the alerts gained ecs.version, threat.tactic.id and threat.tactic.reference: every one of the 157
     * alerts is byte for byte the previous one once those three fields are taken out, and nothing else changed.
     */
    private static final String FROZEN = "messages 2037, records 40194, sign-ins 39055, skipped 1137, malformed 5, late 2, "
            + "alerts 157 {a4877234-e82e-43a5-88d0-e00d5caceed8=2, a9281116-fde0-11ef-9ee5-f661ea17fbcd=2, "
            + "ce47ec2c-fe13-11ef-9ee5-f661ea17fbcd=148, fb7ca1c9-e14c-40a3-856e-28f3c14ea1ba=5} "
            + "sha256 437edfa4429a97db73695339b685c653ff694547d1415835a444dc3bff744fee, "
            + "dead letters 7 sha256 9d082863576aa2e2961ddf06bc2ff6b7afeb4d6ffffc51bb89818350aaf1abd0";

    /** The generated day with hostile lines at fixed places: malformed, late, skipped, empty. */
    private Path frozenInput() throws Exception {
        TrafficGenerator generator = new TrafficGenerator(GeneratorConfig.builder().seed(7L).totalRecords(40_000).build());
        List<String> lines = generator.stream().collect(java.util.stream.Collectors.toList());
        long t0 = generator.config().start().toEpochMilli();
        // fixed ids (TestRecords numbers them per JVM, so another test running first would change them)
        TestRecords.Record late1 = TestRecords.sprayFailure("late.one@frozen.example", t0 + 600_000L);
        late1.id = "id-1";
        TestRecords.Record late2 = TestRecords.sprayFailure("late.two@frozen.example", t0 + 1_200_000L).category("AuditLogs");
        late2.id = "id-2";
        TestRecords.Record cut = TestRecords.sprayFailure("cut@frozen.example", t0);
        cut.id = "id-3";
        TestRecords.Record accents = TestRecords.sprayFailure("caf\u00e9.\u00fcber@frozen.example", t0 + 60_000L).ip("2001:DB8::1");
        accents.id = "id-4";
        // inserted from the end so the positions refer to the generated lines
        lines.add(lines.size() - 10, "");
        lines.add(lines.size() - 50, TestRecords.envelope(List.of(late1, late2)));
        lines.add(lines.size() / 2, "{\"records\":[{\"category\":\"SignInLogs\"}, {\"tenantId\":\"x\"}]}");
        lines.add(lines.size() / 3, "{\"records\":[" + cut.json().substring(0, 200));
        lines.add(lines.size() / 4, "not json at all");
        lines.add(100, TestRecords.envelope(List.of(accents)).replace("\n", ""));
        Path in = dir.resolve("frozen.ndjson");
        Files.write(in, lines, StandardCharsets.UTF_8);
        return in;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
