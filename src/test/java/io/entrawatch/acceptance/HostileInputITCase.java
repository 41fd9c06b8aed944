package io.entrawatch.acceptance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.TestRecords;
import io.entrawatch.config.JobOptions;
import io.entrawatch.generate.GeneratorConfig;
import io.entrawatch.generate.TrafficGenerator;
import io.entrawatch.replay.ReplayJob;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6 item 4: a corpus of hostile messages (truncated and invalid JSON, invalid UTF-8, a wrong type
 * in every field the job reads, nulls, deep nesting, messages over 1 MB, a records array of 100,000
 * entries, unknown categories, timestamps in the far past and future) mixed into a generated day,
 * through jobs/replay's pipeline at parallelism 2. The job completes; every hostile record is dead-
 * lettered with a reason, exactly as many as the corpus says; the alerts are byte for byte those of the
 * clean run. Both runs set {@code --event-time.max-ahead-of-clock 1 h} as the live job does, so
 * future-dated sign-ins are dead-lettered rather than counted.
 */
class HostileInputITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    /** One hostile message and the dead letters it must produce (malformed, late) and records skipped. */
    private record Hostile(String kind, byte[] body, int malformed, int late, int skipped) {}

    private static final List<String> STRING_FIELDS = List.of("time", "tenantId", "resourceId", "category",
            "resultDescription", "resultSignature", "callerIpAddress", "properties.createdDateTime",
            "properties.userPrincipalName", "properties.authenticationRequirement", "properties.ipAddress",
            "properties.appId", "properties.appDisplayName", "properties.userAgent", "properties.id",
            "properties.resourceTenantId", "properties.status.failureReason");

    static List<Hostile> corpus(long t0, Random rnd) {
        List<Hostile> out = new ArrayList<>();
        int[] n = {0};
        java.util.function.Supplier<TestRecords.Record> base = () -> TestRecords.sprayFailure(
                "hostile" + (n[0]++) + "@hostile.example", t0 + 30 * 60_000L).ip("192.0.2.66");
        // truncated JSON: a one-record envelope cut before its record is complete
        for (int i = 0; i < 400; i++) {
            String m = TestRecords.envelope(List.of(base.get()));
            int cut = 1 + rnd.nextInt(m.length() - 3);
            out.add(new Hostile("truncated", bytes(m.substring(0, cut)), 1, 0, 0));
        }
        // not JSON at all, empty lines, trailing garbage
        for (String s : List.of("this is not json", "{", "}", "]", "\"a string\"", "42", "true", "{\"records\":[{]}",
                "{'single':'quotes'}", "{\"records\":[]} trailing", "")) {
            for (int i = 0; i < 5; i++) out.add(new Hostile("invalid-json", bytes(s), 1, 0, 0));
        }
        // a complete record (no category) and then broken JSON: both dead-lettered
        for (int i = 0; i < 5; i++) out.add(new Hostile("invalid-json-after-record", bytes("{\"records\":[{\"a\":1}}"), 2, 0, 0));
        // invalid UTF-8 outside strings, and inside a string of a record without a timestamp
        for (int i = 0; i < 100; i++) {
            byte[] bad = {(byte) 0xff, (byte) 0xfe, (byte) 0xc3, (byte) 0x28, (byte) (0x80 + rnd.nextInt(64))};
            out.add(new Hostile("invalid-utf8", concat(bytes("{\"records\":["), bad, bytes("]}")), 1, 0, 0));
            ObjectNode r = base.get().node();
            r.remove("time");
            ((ObjectNode) r.get("properties")).remove("createdDateTime");
            String json = "{\"records\":[" + r.toString().replace("python-requests/2.31", "UA\u0001MARK") + "]}";
            int at = json.indexOf("\u0001MARK");
            byte[] b = concat(bytes(json.substring(0, at)), bad, bytes(json.substring(at + 5)));
            out.add(new Hostile("invalid-utf8-in-string", b, 1, 0, 0));
        }
        // a wrong type in every field the job reads (each alone in an otherwise valid sign-in)
        Map<String, List<String>> wrong = new LinkedHashMap<>();
        for (String f : STRING_FIELDS) wrong.put(f, List.of("{}", "[]", "12", "true", "1.5", "[\"x\"]"));
        wrong.put("resultType", List.of("{}", "[]", "true", "1.5"));
        wrong.put("properties.autonomousSystemNumber", List.of("{}", "[]", "true", "1.5", "\"AS64500\"", "-5"));
        wrong.put("properties.status.errorCode", List.of("{}", "[]", "true", "1.5", "\"denied\""));
        wrong.put("properties.isInteractive", List.of("{}", "[]", "12", "\"yes\""));
        wrong.put("properties", List.of("\"x\"", "12", "[]", "true"));
        wrong.put("properties.status", List.of("\"x\"", "12", "[]", "true"));
        for (Map.Entry<String, List<String>> e : wrong.entrySet()) {
            for (String v : e.getValue()) {
                for (int copy = 0; copy < 2; copy++) {
                    ObjectNode r = base.get().node();
                    set(r, e.getKey(), v);
                    String body = copy == 0 ? "{\"records\":[" + r + "]}" : r.toString(); // envelope and bare record
                    out.add(new Hostile("wrong-type " + e.getKey() + "=" + v, bytes(body), 1, 0, 0));
                }
            }
        }
        // nulls everywhere
        for (int i = 0; i < 20; i++) {
            ObjectNode r = base.get().node();
            nullAll(r);
            out.add(new Hostile("all-null", bytes("{\"records\":[" + r + "]}"), 1, 0, 0));
            out.add(new Hostile("null-message", bytes("null"), 1, 0, 0));
            out.add(new Hostile("null-records", bytes("{\"records\":null}"), 1, 0, 0));
            out.add(new Hostile("null-record", bytes("{\"records\":[null]}"), 1, 0, 0));
            ObjectNode noTime = base.get().node();
            noTime.putNull("time");
            ((ObjectNode) noTime.get("properties")).putNull("createdDateTime");
            out.add(new Hostile("null-timestamps", bytes("{\"records\":[" + noTime + "]}"), 1, 0, 0));
        }
        // deeply nested
        for (int depth : new int[] {201, 500, 1000, 5000, 50_000}) {
            String nest = "[".repeat(depth) + "]".repeat(depth);
            out.add(new Hostile("nested-array-" + depth, bytes(nest), 1, 0, 0));
            out.add(new Hostile("nested-in-record-" + depth, bytes("{\"records\":[{\"x\":" + nest + "}]}"), 1, 0, 0));
            ObjectNode r = base.get().node();
            String json = r.toString().replace("\"deviceDetail\":{", "\"deviceDetail\":{\"deep\":" + "{\"a\":".repeat(depth)
                    + "1" + "}".repeat(depth) + ",");
            out.add(new Hostile("nested-in-properties-" + depth, bytes("{\"records\":[" + json + "]}"), 1, 0, 0));
        }
        // over 1 MB: a valid-looking envelope padded past the Event Hubs limit
        for (int size : new int[] {1024 * 1024 + 1, 2 * 1024 * 1024}) {
            ObjectNode r = base.get().node();
            String head = "{\"records\":[" + r + ",{\"category\":\"AuditLogs\",\"pad\":\"";
            String tail = "\"}]}";
            out.add(new Hostile("over-1MB", bytes(head + "x".repeat(size - head.length() - tail.length()) + tail), 1, 0, 0));
        }
        // a records array of 100,000 entries (each an empty object: no category)
        out.add(new Hostile("100k-records", bytes("{\"records\":[" + String.join(",", java.util.Collections.nCopies(100_000, "{}"))
                + "]}"), 100_000, 0, 0));
        // unknown categories: skipped and counted, by contract (DETECTIONS.md: only sign-in categories are read)
        for (int i = 0; i < 50; i++) {
            out.add(new Hostile("unknown-category", bytes(TestRecords.envelope(List.of(base.get().category("Hostile" + i),
                    base.get().category("AuditLogs"))).replace("\n", "")), 0, 0, 2));
        }
        // timestamps far in the past (behind the watermark: late) and far in the future (ahead of the clock)
        long now = System.currentTimeMillis();
        long[] past = {Instant.parse("0001-01-01T00:00:00Z").toEpochMilli(), Instant.parse("1900-01-01T00:00:00Z").toEpochMilli(),
                0L, t0 - 365L * 86_400_000L};
        long[] future = {Instant.parse("9999-12-31T23:59:59Z").toEpochMilli(), now + 2 * 365L * 86_400_000L,
                now + 365L * 86_400_000L, now + 3 * 3_600_000L};
        for (int i = 0; i < 25; i++) {
            for (long ts : past) out.add(new Hostile("past", bytes(TestRecords.envelope(List.of(base.get().at(ts)))), 0, 1, 0));
            for (long ts : future) out.add(new Hostile("future", bytes(TestRecords.envelope(List.of(base.get().at(ts)))), 1, 0, 0));
        }
        return out;
    }

    private static void set(ObjectNode r, String path, String json) {
        String[] parts = path.split("\\.");
        ObjectNode at = r;
        for (int i = 0; i < parts.length - 1; i++) at = (ObjectNode) at.get(parts[i]);
        try {
            at.set(parts[parts.length - 1], JSON.readTree(json));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void nullAll(ObjectNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        for (String f : names) {
            if (o.get(f).isObject()) nullAll((ObjectNode) o.get(f));
            else o.putNull(f);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int len = 0;
        for (byte[] p : parts) len += p.length;
        byte[] out = new byte[len];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private record Run(ReplayJob.Summary summary, List<String> alerts, List<String> deadLetters) {}

    private Run replay(String name, List<byte[]> lines) throws Exception {
        Path in = dir.resolve(name + ".ndjson");
        try (OutputStream o = Files.newOutputStream(in)) {
            for (byte[] l : lines) {
                for (byte b : l) assertFalse(b == '\n' || b == '\r', "one message per line");
                o.write(l);
                o.write('\n');
            }
        }
        Path out = dir.resolve(name + ".alerts.ndjson");
        Path dlq = dir.resolve(name + ".dlq.ndjson");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        ReplayJob.Summary s = ReplayJob.run(env, in, out, JobOptions.defaults()
                .with(JobOptions.REPLAY_DEAD_LETTERS, dlq.toString())
                .with(JobOptions.MAX_AHEAD_OF_CLOCK, "1 h"));
        return new Run(s, Files.readAllLines(out), Files.readAllLines(dlq));
    }

    @Test
    void hostileMessagesAreDeadLetteredWithAReasonAndTheAlertsAreThoseOfTheCleanRun() throws Exception {
        TrafficGenerator generator = new TrafficGenerator(GeneratorConfig.builder().seed(6L).totalRecords(20_000).build());
        List<String> valid = generator.stream().collect(Collectors.toList());
        Run clean = replay("clean", valid.stream().map(HostileInputITCase::bytes).collect(Collectors.toList()));
        assertTrue(clean.alerts.size() >= 2, "the generated traffic alerts: " + clean.alerts.size());

        Random rnd = new Random(66);
        List<Hostile> corpus = corpus(generator.config().start().toEpochMilli(), rnd);
        assertTrue(corpus.size() >= 1000, "at least 1,000 hostile messages: " + corpus.size());
        // each message, parsed alone, yields exactly the dead letters the corpus expects (late ones are the gate's)
        io.entrawatch.ingest.SignInParser parser = io.entrawatch.pipeline.DetectionPipeline.liveParser(
                JobOptions.defaults().with(JobOptions.MAX_AHEAD_OF_CLOCK, "1 h"));
        for (Hostile h : corpus) {
            var m = parser.parse(h.body, "hub", 0, 0, System.currentTimeMillis());
            assertEquals(h.malformed, m.deadLetters.size(), h.kind + ": " + m.deadLetters.stream()
                    .map(d -> d.reason).collect(Collectors.toList()));
            assertEquals(h.late, m.signIns.size(), h.kind);
            assertEquals(h.skipped, m.skipped, h.kind);
        }
        // mixed in after the first 20 valid messages (so the partition has an event time to be late against)
        List<byte[]> mixed = new ArrayList<>();
        List<List<Hostile>> slots = new ArrayList<>();
        for (int i = 0; i < valid.size(); i++) slots.add(new ArrayList<>());
        for (Hostile h : corpus) slots.get(20 + rnd.nextInt(valid.size() - 20)).add(h);
        for (int i = 0; i < valid.size(); i++) {
            mixed.add(bytes(valid.get(i)));
            for (Hostile h : slots.get(i)) mixed.add(h.body);
        }
        Run run = replay("hostile", mixed);

        long malformed = corpus.stream().mapToLong(Hostile::malformed).sum();
        long late = corpus.stream().mapToLong(Hostile::late).sum();
        long skipped = corpus.stream().mapToLong(Hostile::skipped).sum();
        assertEquals(clean.alerts, run.alerts, "the valid traffic's alerts, byte for byte");
        assertEquals(clean.summary.malformed + malformed, run.summary.malformed, "malformed dead letters");
        assertEquals(clean.summary.late + late, run.summary.late, "late dead letters");
        assertEquals(clean.summary.skipped + skipped, run.summary.skipped, "skipped other categories");
        assertEquals(clean.summary.messages + corpus.size(), run.summary.messages);
        assertEquals(clean.summary.signIns + late, run.summary.signIns, "no hostile record became a valid sign-in");
        assertEquals(clean.deadLetters.size() + malformed + late, run.deadLetters.size(), "dead letters written");
        for (String line : run.deadLetters) {
            JsonNode d = JSON.readTree(line);
            assertFalse(d.path("reason").asText().isBlank(), line);
        }
        System.out.printf("hostile input: %,d hostile messages of %d kinds (%,d malformed and %,d late dead letters expected "
                        + "and found, %,d records skipped) mixed into %,d valid messages; %d alerts, identical to the clean run%n",
                corpus.size(), corpus.stream().map(h -> h.kind.split("[ -]")[0]).distinct().count(), malformed, late, skipped,
                valid.size(), run.alerts.size());
    }
}
