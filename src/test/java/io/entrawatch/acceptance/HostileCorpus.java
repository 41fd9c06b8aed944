package io.entrawatch.acceptance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.TestRecords;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The hostile corpus (truncated and invalid JSON, invalid UTF-8, a wrong type in every
 * field the job reads, nulls, deep nesting, messages over 1 MB, a records array of 100,000 entries,
 * unknown categories, timestamps in the far past and future), each message with the dead letters it
 * must produce. Used through jobs/replay's pipeline ({@link HostileInputITCase}) and through Kafka
 * ({@link io.entrawatch.e2e.HostileInputThroughKafkaITCase}).
 */
public final class HostileCorpus {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HostileCorpus() {}

    /** One hostile message and the dead letters it must produce (malformed, late) and records skipped. */
    public record Hostile(String kind, byte[] body, int malformed, int late, int skipped) {}

    private static final List<String> STRING_FIELDS = List.of("time", "tenantId", "resourceId", "category",
            "resultDescription", "resultSignature", "callerIpAddress", "properties.createdDateTime",
            "properties.userPrincipalName", "properties.authenticationRequirement", "properties.ipAddress",
            "properties.appId", "properties.appDisplayName", "properties.userAgent", "properties.id",
            "properties.resourceTenantId", "properties.status.failureReason");

    public static List<Hostile> corpus(long t0, Random rnd) {
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
        // unknown categories: skipped and counted, by contract (docs/detections.md: only sign-in categories are read)
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

    public static byte[] bytes(String s) {
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

    /**
     * The valid messages in order, each hostile message inserted after a random one of them, never
     * before the 20th (so the partition has an event time to be late against).
     */
    public static List<byte[]> mix(List<String> valid, List<Hostile> corpus, Random rnd) {
        List<List<Hostile>> slots = new ArrayList<>();
        for (int i = 0; i < valid.size(); i++) slots.add(new ArrayList<>());
        for (Hostile h : corpus) slots.get(20 + rnd.nextInt(valid.size() - 20)).add(h);
        List<byte[]> mixed = new ArrayList<>();
        for (int i = 0; i < valid.size(); i++) {
            mixed.add(bytes(valid.get(i)));
            for (Hostile h : slots.get(i)) mixed.add(h.body());
        }
        return mixed;
    }

    public static long malformed(List<Hostile> corpus) {
        return corpus.stream().mapToLong(Hostile::malformed).sum();
    }

    public static long late(List<Hostile> corpus) {
        return corpus.stream().mapToLong(Hostile::late).sum();
    }

    public static long skipped(List<Hostile> corpus) {
        return corpus.stream().mapToLong(Hostile::skipped).sum();
    }

    public static long kinds(List<Hostile> corpus) {
        return corpus.stream().map(h -> h.kind().split("[ -]")[0]).distinct().count();
    }
}
