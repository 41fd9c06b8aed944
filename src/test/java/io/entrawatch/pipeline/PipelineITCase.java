package io.entrawatch.pipeline;

import io.entrawatch.config.RareAppOptions;
import io.entrawatch.config.ReplayOptions;
import io.entrawatch.testing.TestClusters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.TestRecords.Record;
import io.entrawatch.TestRecords;
import io.entrawatch.config.JobOptions;
import io.entrawatch.replay.ReplayJob;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job's own topology ({@link DetectionPipeline}, fed the way jobs/replay feeds it) on a Flink
 * MiniCluster at parallelism 2: two TaskManager slots, a real keyBy shuffle, watermarks merged across
 * channels, checkpoint-free bounded run.
 */
class PipelineITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    /** Sprays and near misses in several tenants over two hours, out of order by up to 4 minutes. */
    private List<String> traffic(long seed) {
        Random rnd = new Random(seed);
        List<Record> records = new ArrayList<>();
        String[] tenants = {TestRecords.TENANT, TestRecords.OTHER_TENANT, "33333333-3333-3333-3333-333333333333"};
        for (int w = 0; w < 12; w++) {
            long windowStart = T0 + w * 10 * MIN;
            for (String tenant : tenants) {
                int users = 28 + rnd.nextInt(12); // 28..39: some windows alert, some do not
                int code = rnd.nextBoolean() ? 50126 : 50053;
                for (int u = 0; u < users; u++) {
                    long ts = windowStart + rnd.nextInt(10 * 60_000);
                    String upn = (rnd.nextInt(5) == 0 ? "USER" : "user") + u + "@" + tenant.substring(0, 4) + ".com";
                    records.add(TestRecords.sprayFailure(upn, ts).tenant(tenant).errorCode(code)
                            .ip("198.51.100." + rnd.nextInt(4)).asn(rnd.nextInt(12) == 0 ? 8075L : 64500L));
                    if (rnd.nextInt(10) == 0) records.add(records.get(records.size() - 1)); // re-delivery
                }
                // benign noise the filter must drop
                records.add(TestRecords.sprayFailure("benign@x.com", windowStart + 1000).tenant(tenant).interactive(true));
            }
        }
        // arrival order: by event time plus a delay of up to 4 minutes (within the 5-minute bound)
        Map<Record, Long> arrival = new HashMap<>();
        for (Record r : records) arrival.putIfAbsent(r, r.ts + rnd.nextInt(4 * 60_000));
        records.sort((a, b) -> Long.compare(arrival.get(a), arrival.get(b)));
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < records.size(); i += 17) {
            messages.add(TestRecords.envelope(records.subList(i, Math.min(records.size(), i + 17))));
        }
        return messages;
    }

    /** The contract, computed directly: distinct lower-cased users per (tenant, code, 10-min window) >= 30. */
    private static Map<String, Integer> expectedAlerts(List<String> messages) throws Exception {
        Map<String, Set<String>> users = new TreeMap<>();
        for (String m : messages) {
            for (JsonNode r : JSON.readTree(m).get("records")) {
                JsonNode p = r.get("properties");
                if (p.get("isInteractive").asBoolean() || p.has("autonomousSystemNumber")
                        && p.get("autonomousSystemNumber").asLong() == 8075) continue;
                long ts = java.time.OffsetDateTime.parse(p.get("createdDateTime").asText()).toInstant().toEpochMilli();
                String key = r.get("tenantId").asText() + "|" + p.at("/status/errorCode").asInt() + "|"
                        + java.time.Instant.ofEpochMilli(Math.floorDiv(ts, 600_000L) * 600_000L + 600_000L);
                users.computeIfAbsent(key, k -> new HashSet<>()).add(p.get("userPrincipalName").asText().toLowerCase());
            }
        }
        Map<String, Integer> out = new TreeMap<>();
        users.forEach((k, v) -> { if (v.size() >= 30) out.put(k, v.size()); });
        return out;
    }

    private static Map<String, Integer> actualAlerts(Path out) throws Exception {
        Map<String, Integer> actual = new TreeMap<>();
        for (String line : Files.readAllLines(out)) {
            JsonNode a = JSON.readTree(line);
            if (!a.at("/rule/id").asText().equals(io.entrawatch.detect.spray.PasswordSprayDetection.RULE.id)) continue;
            actual.put(a.at("/azure/tenant_id").asText() + "|" + a.at("/azure/signinlogs/properties/status/error_code").asInt()
                    + "|" + a.at("/@timestamp").asText(), a.at("/detection/unique_user_count").asInt());
        }
        return actual;
    }

    @Test
    void detectsExactlyTheSpraysOfTheContractAtParallelismTwo() throws Exception {
        List<String> messages = traffic(7);
        Path in = dir.resolve("in.ndjson");
        Files.write(in, messages, StandardCharsets.UTF_8);
        Path out = dir.resolve("out.ndjson");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        ReplayJob.Summary summary = ReplayJob.run(env, in, out, JobOptions.defaults());

        Map<String, Integer> expected = expectedAlerts(messages);
        assertTrue(expected.size() >= 5 && expected.size() <= 30, "the scenario has alerts and near misses: " + expected);
        assertEquals(expected, actualAlerts(out));
        assertEquals(0, summary.late, "4-minute disorder is within the 5-minute bound");
        assertEquals(0, summary.malformed);
        assertEquals(messages.size(), summary.messages);

        // the same input at parallelism 1 gives byte-identical output
        Path out1 = dir.resolve("out1.ndjson");
        StreamExecutionEnvironment env1 = StreamExecutionEnvironment.getExecutionEnvironment();
        env1.setParallelism(1);
        ReplayJob.run(env1, in, out1, JobOptions.defaults());
        assertEquals(Files.readAllLines(out), Files.readAllLines(out1));
    }

    @Test
    void malformedAndLateRecordsAreCountedAndRouted() throws Exception {
        List<String> messages = new ArrayList<>();
        List<Record> spray = new ArrayList<>();
        for (int u = 0; u < 29; u++) spray.add(TestRecords.sprayFailure("u" + u + "@x.com", T0 + MIN));
        messages.add(TestRecords.envelope(spray));
        messages.add("this is not json");
        messages.add("{\"records\":[" + TestRecords.sprayFailure("ahead@x.com", T0 + 20 * MIN).json()
                + ",{\"category\":\"SignInLogs\",\"tenantId\":\"t\",\"time\":\"bad\"}]}");
        messages.add(TestRecords.envelope(List.of(TestRecords.sprayFailure("u29@x.com", T0 + 2 * MIN)))); // late
        Path in = dir.resolve("in.ndjson");
        Files.write(in, messages, StandardCharsets.UTF_8);
        Path out = dir.resolve("out.ndjson");
        Path dlq = dir.resolve("dlq.ndjson");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        ReplayJob.Summary s = ReplayJob.run(env, in, out,
                JobOptions.defaults().with(ReplayOptions.DEAD_LETTERS, dlq.toString())
                        .with(RareAppOptions.ENABLED, "false")); // A's lateness; B would alert for each user
        assertEquals(List.of(), Files.readAllLines(out), "the 30th user was late: no alert");
        assertEquals(2, s.malformed);
        assertEquals(1, s.late);
        List<String> dead = new ArrayList<>(Files.readAllLines(dlq));
        Collections.sort(dead);
        assertEquals(3, dead.size());
        assertTrue(dead.stream().anyMatch(l -> l.contains("\"kind\":\"late\"") && l.contains("u29@x.com")), dead.toString());
        assertTrue(dead.stream().anyMatch(l -> l.contains("\"reason\":\"timestamp 'bad' (time) is not a time\"")
                && l.contains("\"offset\":2") && l.contains("\"record_index\":1")), dead.toString());
    }
}
