package io.entrawatch.acceptance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.config.ExceptionOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.generate.GeneratorConfig;
import io.entrawatch.generate.TrafficGenerator;
import io.entrawatch.ingest.ParsedMessage;
import io.entrawatch.ingest.SignInParser;
import io.entrawatch.model.SignIn;
import io.entrawatch.pipeline.DetectionPipeline;
import io.entrawatch.replay.ReplayJob;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "As if absent", literally (docs/detections.md, "Exceptions"): on a generated day, the alerts of each rule
 * replayed with an exceptions file are exactly that rule's alerts replayed without exceptions over the same
 * input in which the sign-ins hidden from that rule are moved to a tenant of their own (same time, same
 * place in the stream, so event time and lateness are unchanged; a tenant nothing else shares, so no rule of
 * the real tenants sees them). Which sign-ins are hidden is decided here by a matcher of this test's own,
 * written from the contract, not by the job's.
 */
class ExceptionsAsIfAbsentITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ELSEWHERE = "00000000-0000-0000-0000-0000000e1se0";
    private static final List<String> RULES = DetectionPipeline.RULES.ids();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    @Test
    void eachRuleComputesOnItsInputMinusTheSignInsHiddenFromIt() throws Exception {
        TrafficGenerator generator = new TrafficGenerator(GeneratorConfig.builder().seed(7L).totalRecords(40_000).build());
        List<String> lines = generator.stream().toList();
        Path in = dir.resolve("day.ndjson");
        Files.write(in, lines);
        Map<String, List<String>> baseline = replay(in, null, "baseline");
        for (String rule : RULES) assertTrue(!baseline.get(rule).isEmpty(), "the generated day alerts for rule " + rule);

        // Exceptions aimed at what each rule found: an address block, a user, an address, a domain for one rule
        // each; one for every rule bounded in time; one that names two rules.
        JsonNode a = JSON.readTree(baseline.get(RULES.get(0)).get(0));
        JsonNode b = JSON.readTree(baseline.get(RULES.get(1)).get(0));
        JsonNode c = JSON.readTree(baseline.get(RULES.get(2)).get(0));
        JsonNode d = JSON.readTree(baseline.get(RULES.get(3)).get(0));
        String dUser = first(d.at("/user/name"));
        Instant dStart = Instant.parse(d.at("/detection/window/start").asText());
        List<String> exceptions = List.of(
                exception("spray-net", List.of(RULES.get(0)), "\"source\":{\"ip\":\"" + slash24(first(a.at("/source/ip"))) + "\"}"),
                exception("rare-user", List.of(RULES.get(1)), "\"user.name\":\"" + first(b.at("/user/name")).toUpperCase(Locale.ROOT) + "\""),
                exception("sso-address", List.of(RULES.get(2)), "\"source.ip\":\"" + first(c.at("/source/ip")) + "\""),
                exception("valid-domain", List.of(RULES.get(3)), "\"user.name\":\"*@" + dUser.substring(dUser.lastIndexOf('@') + 1) + "\""),
                exception("all-rules-an-hour", List.of("*"), "\"source.ip\":\"" + first(d.at("/source/ip")) + "\",\"valid_from\":\""
                        + dStart.minusSeconds(3600) + "\",\"expires\":\"" + dStart.plusSeconds(600) + "\""),
                exception("two-rules-v6", List.of(RULES.get(0), RULES.get(3)), "\"source.ip\":\"2001:db8::/32\""));
        Path exc = dir.resolve("exceptions.ndjson");
        Files.write(exc, exceptions);
        Map<String, List<String>> with = replay(in, exc, "with exceptions");

        List<Reference> reference = new ArrayList<>();
        for (String e : exceptions) reference.add(new Reference(JSON.readTree(e)));
        SignInParser parser = DetectionPipeline.parser(JobOptions.defaults());
        for (String rule : RULES) {
            int[] moved = {0};
            List<String> rewritten = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                rewritten.add(moveHidden(lines.get(i), i, parser, (s, ignored) -> {
                    boolean hidden = reference.stream().anyMatch(r -> r.hides(s, rule));
                    if (hidden) moved[0]++;
                    return hidden;
                }));
            }
            Path absent = dir.resolve("absent-" + rule + ".ndjson");
            Files.write(absent, rewritten);
            List<String> expected = replay(absent, null, "hidden sign-ins of " + rule + " moved away").get(rule);
            assertTrue(moved[0] > 0, "the exceptions hide sign-ins from " + rule);
            assertNotEquals(baseline.get(rule), with.get(rule), "the exceptions change what " + rule + " finds");
            assertEquals(expected, with.get(rule), "rule " + rule + " with exceptions = without the " + moved[0]
                    + " sign-ins hidden from it");
        }
    }

    /** The alert documents per rule (of the real tenants only), in the replay's order. */
    private Map<String, List<String>> replay(Path in, Path exceptions, String what) throws Exception {
        Path out = dir.resolve("out-" + Math.abs((in + "|" + exceptions).hashCode()) + ".ndjson");
        JobOptions options = JobOptions.defaults();
        if (exceptions != null) options = options.with(ExceptionOptions.FILE, exceptions.toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        ReplayJob.Summary summary = ReplayJob.run(env, in, out, options);
        System.out.println("replay " + what + ": " + summary.alertsByRule + " " + summary.hiddenByException);
        if (exceptions != null) assertTrue(!summary.hiddenByException.isEmpty(), "replay reports what the exceptions hid");
        Map<String, List<String>> byRule = new TreeMap<>();
        for (String rule : RULES) byRule.put(rule, new ArrayList<>());
        for (String line : Files.readAllLines(out)) {
            JsonNode alert = JSON.readTree(line);
            if (alert.at("/azure/tenant_id").asText().equals(ELSEWHERE)) continue;
            byRule.get(alert.at("/rule/id").asText()).add(line);
        }
        return byRule;
    }

    /** The line with each sign-in that {@code hidden} names moved to the tenant {@link #ELSEWHERE}. */
    private static String moveHidden(String line, int offset, SignInParser parser, BiPredicate<SignIn, Integer> hidden) throws Exception {
        ParsedMessage m = parser.parse(line.getBytes(StandardCharsets.UTF_8), "t", 0, offset, 0);
        Set<Integer> records = new HashSet<>();
        for (int i = 0; i < m.signIns.size(); i++) {
            if (hidden.test(m.signIns.get(i), i)) records.add(m.recordIndexes[i]);
        }
        if (records.isEmpty()) return line;
        JsonNode root = JSON.readTree(line);
        // an envelope {"records": [...]}, a bare array of records, or one bare record
        JsonNode array = root.isArray() ? root : root.has("records") ? root.get("records") : null;
        for (int index : records) {
            JsonNode record = array == null ? root : array.get(index); // a bare record has index -1
            assertTrue(record != null && record.isObject() && (array != null || index <= 0), "record " + index + " of line " + offset);
            ((ObjectNode) record).put("tenantId", ELSEWHERE);
        }
        return JSON.writeValueAsString(root);
    }

    private static String exception(String id, List<String> rules, String match) throws Exception {
        return "{\"id\":\"" + id + "\",\"rules\":" + JSON.writeValueAsString(rules) + "," + match
                + ",\"comment\":\"test\",\"created_by\":\"ExceptionsAsIfAbsentITCase\"}";
    }

    private static String first(JsonNode n) {
        return n.isArray() ? n.get(0).asText() : n.asText();
    }

    private static String slash24(String ipv4) {
        String[] p = ipv4.split("\\.");
        assertEquals(4, p.length, "an IPv4 spray address: " + ipv4);
        return p[0] + "." + p[1] + "." + p[2] + ".0/24";
    }

    /** Section 9's matching, written independently of the job's exceptions package. */
    private static final class Reference {
        final Set<String> rules = new HashSet<>();
        final String ip;
        final String user;
        final long from;
        final long until;

        Reference(JsonNode e) {
            e.get("rules").forEach(r -> rules.add(r.asText()));
            JsonNode ipNode = e.has("source.ip") ? e.get("source.ip") : e.at("/source/ip");
            ip = ipNode.isMissingNode() ? null : ipNode.asText();
            user = e.has("user.name") ? e.get("user.name").asText().toLowerCase(Locale.ROOT) : null;
            from = e.has("valid_from") ? Instant.parse(e.get("valid_from").asText()).toEpochMilli() : Long.MIN_VALUE;
            until = e.has("expires") ? Instant.parse(e.get("expires").asText()).toEpochMilli() : Long.MAX_VALUE;
        }

        boolean hides(SignIn s, String rule) {
            if (!rules.contains("*") && !rules.contains(rule)) return false;
            if (s.timestamp < from || s.timestamp >= until) return false;
            if (ip != null && (s.ipAddress == null || !inBlock(s.ipAddress, ip))) return false;
            if (user != null) {
                if (s.userPrincipalName == null) return false;
                String upn = s.userPrincipalName.toLowerCase(Locale.ROOT);
                if (user.startsWith("*@")) {
                    if (upn.lastIndexOf('@') < 0 || !upn.substring(upn.lastIndexOf('@') + 1).equals(user.substring(2))) return false;
                } else if (!upn.equals(user)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean inBlock(String address, String block) {
            String[] parts = block.split("/");
            boolean v6 = parts[0].contains(":");
            if (v6 != address.contains(":")) return false;
            int bits = v6 ? 128 : 32;
            int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : bits;
            try {
                BigInteger a = number(address, bits);
                BigInteger n = number(parts[0], bits);
                return a.shiftRight(bits - prefix).equals(n.shiftRight(bits - prefix));
            } catch (Exception e) {
                return false;
            }
        }

        private static BigInteger number(String literal, int bits) throws Exception {
            byte[] raw = InetAddress.getByName(literal).getAddress();
            if (raw.length * 8 != bits) throw new IllegalArgumentException("mapped address " + literal);
            return new BigInteger(1, raw);
        }
    }
}
