package io.entrawatch.detect.sso;

import io.entrawatch.config.EventTimeOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.TestRecords;
import io.entrawatch.config.JobOptions;
import io.entrawatch.ingest.IngestGate;
import io.entrawatch.ingest.ParsedMessage;
import io.entrawatch.ingest.SignInParser;
import io.entrawatch.model.Alert;
import io.entrawatch.model.Categories;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.OutputTags;
import io.entrawatch.model.SignIn;
import io.entrawatch.pipeline.DetectionPipeline;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.OTHER_TENANT;
import static io.entrawatch.TestRecords.T0;
import static io.entrawatch.TestRecords.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Detection C with Flink's operator harnesses: raw records are parsed, pass the ingest gate (for
 * lateness) and C's filters, drive {@link SsoStage1Counter}; its flags go to {@link SsoStage2Joiner}
 * before the watermark, as the network does.
 */
class SsoSprayHarnessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SIGNIN_LOGS = "SigninLogs";
    private static final String NON_INTERACTIVE = "AADNonInteractiveUserSignInLogs";
    private static final String ATTACKER = "198.51.100.23";
    private final JobOptions options = JobOptions.defaults();
    private final SeamlessSsoSprayDetection sso = SeamlessSsoSprayDetection.FACTORY.create(options);
    private final SignInParser parser = DetectionPipeline.parser(options);
    private final long outOfOrderness = options.get(EventTimeOptions.MAX_OUT_OF_ORDERNESS).toMillis();

    /** A raw record: a Seamless SSO failure (81016) by default, non-interactive. */
    static ObjectNode record(String upn, long ts, String ip, String resultType) {
        int code = Integer.parseInt(resultType);
        ObjectNode r = TestRecords.sprayFailure(upn, ts).ip(ip).errorCode(code).auth("singleFactorAuthentication").node();
        ObjectNode p = (ObjectNode) r.get("properties");
        if (code == 0) {
            r.remove("resultDescription");
        } else {
            r.put("resultDescription", "Error " + resultType);
        }
        r.put("resultSignature", code == 0 ? "SUCCESS" : "None");
        p.put("userAgent", "agent/" + Math.floorMod(upn == null ? 0 : upn.hashCode(), 3));
        if (upn == null) p.remove("userPrincipalName");
        return r;
    }

    static ObjectNode ssoFailure(String upn, long ts, String ip) {
        return record(upn, ts, ip, "81016");
    }

    static ObjectNode interactive(ObjectNode r) {
        r.put("category", Categories.SIGN_IN_LOGS);
        ((ObjectNode) r.get("properties")).put("isInteractive", true);
        return r;
    }

    static ObjectNode tenant(ObjectNode r, String tenant) {
        r.put("tenantId", tenant);
        r.put("resourceId", "/tenants/" + tenant + "/providers/Microsoft.aadiam");
        return r;
    }

    static List<ObjectNode> accounts(int n, long ts, String ip) {
        return IntStream.range(0, n).mapToObj(i -> ssoFailure("acct" + i + "@contoso.com", ts + i * 1000L, ip))
                .collect(Collectors.toList());
    }

    static String envelope(List<ObjectNode> records) {
        return "{\"records\":[" + records.stream().map(ObjectNode::toString).collect(Collectors.joining(",")) + "]}";
    }

    /** Output of one scenario. */
    static final class Result {
        final List<JsonNode> alerts = new ArrayList<>();
        final List<Alert> rawAlerts = new ArrayList<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();
        int stage1StateAtEnd;
        int stage2StateAtEnd;
        int flags;

        /** tenant|resultType|ip|table -> alert */
        TreeMap<String, JsonNode> byKey() {
            TreeMap<String, JsonNode> m = new TreeMap<>();
            for (JsonNode a : alerts) {
                m.put(a.at("/azure/tenant_id").asText() + "|" + a.at("/azure/signinlogs/result_type").asText() + "|"
                        + a.at("/source/ip").asText() + "|" + a.at("/detection/table").asText() + "|"
                        + a.at("/detection/window/start").asText(), a);
            }
            return m;
        }
    }

    /** Each inner list is one Event Hubs message; messages arrive in order on one partition. */
    Result run(List<List<ObjectNode>> messages) throws Exception {
        Result r = new Result();
        FlatMapFunction<SignIn, SignIn> stage2Input = sso.stage2Input();
        try (OneInputStreamOperatorTestHarness<ParsedMessage, SignIn> gate = ProcessFunctionTestHarnesses.forProcessFunction(
                     new IngestGate(List.of(sso), outOfOrderness, 4096));
             KeyedOneInputStreamOperatorTestHarness<SsoHourKey, SignIn, SsoFlag> stage1 =
                     ProcessFunctionTestHarnesses.forKeyedProcessFunction(new SsoStage1Counter(sso), sso::stage1KeyOf,
                             TypeInformation.of(SsoHourKey.class));
             KeyedTwoInputStreamOperatorTestHarness<SsoIpKey, SsoFlag, SignIn, Alert> stage2 =
                     ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(new SsoStage2Joiner(sso), SsoFlag::key,
                             sso::stage2KeyOf, TypeInformation.of(SsoIpKey.class))) {
            long offset = 0;
            long maxTs = Long.MIN_VALUE;
            for (List<ObjectNode> message : messages) {
                ParsedMessage m = parser.parse(envelope(message).getBytes(StandardCharsets.UTF_8), "hub", 0, offset++, 0);
                assertTrue(m.deadLetters.isEmpty(), m.deadLetters.toString());
                gate.processElement(m, m.maxTimestamp);
                // the production wiring of SeamlessSsoSprayDetection.addTo: the on-time filter, stage 1's filter,
                // and stage 2's projecting input step
                for (SignIn s : gate.extractOutputValues()) {
                    if (!sso.countsOnTime(s)) continue;
                    if (sso.keepsForStage1(s)) stage1.processElement(s, s.timestamp);
                    List<SignIn> projected = new ArrayList<>();
                    stage2Input.flatMap(s, new ListCollector<>(projected));
                    for (SignIn p : projected) stage2.processElement2(p, p.timestamp);
                }
                gate.getOutput().clear();
                maxTs = Math.max(maxTs, m.maxTimestamp);
                advance(stage1, stage2, maxTs - outOfOrderness - 1, r);
            }
            advance(stage1, stage2, Long.MAX_VALUE, r); // end of input fires every hour
            for (Alert a : stage2.extractOutputValues()) {
                r.rawAlerts.add(a);
                r.alerts.add(JSON.readTree(a.document));
            }
            if (gate.getSideOutput(OutputTags.DEAD_LETTERS) != null) {
                gate.getSideOutput(OutputTags.DEAD_LETTERS).forEach(x -> r.deadLetters.add(x.getValue()));
            }
            r.stage1StateAtEnd = stage1.numKeyedStateEntries();
            r.stage2StateAtEnd = stage2.numKeyedStateEntries();
            assertEquals(0, stage1.numEventTimeTimers());
            assertEquals(0, stage2.numEventTimeTimers());
        }
        return r;
    }

    /** Stage 1's watermark, its flags to stage 2, then the watermark to stage 2: the order of a network channel. */
    private static void advance(KeyedOneInputStreamOperatorTestHarness<SsoHourKey, SignIn, SsoFlag> stage1,
            KeyedTwoInputStreamOperatorTestHarness<SsoIpKey, SsoFlag, SignIn, Alert> stage2, long watermark, Result r)
            throws Exception {
        stage1.processWatermark(new Watermark(watermark));
        for (SsoFlag f : stage1.extractOutputValues()) {
            stage2.processElement1(f, f.hourStart);
            r.flags++;
        }
        stage1.getOutput().clear();
        stage2.processBothWatermarks(new Watermark(watermark));
    }

    private static List<String> texts(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asText()));
        return l;
    }

    @Test
    void shouldNotFlagFiveAccountsButFlagSix() throws Exception {
        Result five = run(List.of(accounts(5, T0 + 3 * MIN, ATTACKER)));
        assertEquals(0, five.alerts.size(), "5 accounts is not more than 5");
        assertEquals(0, five.flags);
        assertEquals(0, five.stage1StateAtEnd + five.stage2StateAtEnd, "no state left without an alert");

        Result six = run(List.of(accounts(6, T0 + 3 * MIN, ATTACKER)));
        assertEquals(1, six.alerts.size());
        JsonNode a = six.alerts.get(0);
        assertEquals("2025-11-14T02:00:00Z", a.at("/@timestamp").asText());
        assertEquals("alert", a.at("/event/kind").asText());
        assertEquals(SeamlessSsoSprayDetection.RULE.id, a.at("/rule/id").asText());
        assertEquals("Password spray attack against Microsoft Entra ID Seamless SSO", a.at("/rule/name").asText());
        assertEquals("1.0.4", a.at("/rule/version").asText());
        assertEquals("[\"T1110\"]", a.at("/threat/technique/id").toString());
        assertEquals("medium", a.at("/detection/severity").asText());
        assertEquals(TENANT, a.at("/azure/tenant_id").asText());
        assertEquals("2025-11-14T01:00:00Z", a.at("/detection/window/start").asText());
        assertEquals("2025-11-14T02:00:00Z", a.at("/detection/window/end").asText());
        assertEquals(ATTACKER, a.at("/source/ip").asText());
        assertEquals("81016", a.at("/azure/signinlogs/result_type").asText());
        assertTrue(a.at("/azure/signinlogs/result_type").isTextual());
        assertEquals(NON_INTERACTIVE, a.at("/detection/table").asText());
        assertEquals(6, a.at("/detection/distinct_accounts").asLong());
        assertTrue(a.at("/detection/distinct_accounts").isIntegralNumber());
        assertEquals("2025-11-14T01:03:00Z", a.at("/event/start").asText());
        assertEquals("2025-11-14T01:03:05Z", a.at("/event/end").asText());
        assertEquals(List.of("acct0@contoso.com", "acct1@contoso.com", "acct2@contoso.com", "acct3@contoso.com",
                "acct4@contoso.com", "acct5@contoso.com"), texts(a.at("/user/name")));
        List<String> agents = texts(a.at("/user_agent/original"));
        assertEquals(agents.stream().sorted().distinct().collect(Collectors.toList()), agents, "sorted, distinct");
        assertFalse(agents.isEmpty());
        assertEquals("Error 81016", a.at("/azure/signinlogs/result_description").asText());
        assertEquals("None", a.at("/azure/signinlogs/result_signature").asText());
        assertEquals("acct0", a.at("/detection/account_name").asText());
        assertEquals("contoso.com", a.at("/user/domain").asText());
        assertEquals("[{\"type\":\"account\",\"full_name\":\"acct0@contoso.com\",\"name\":\"acct0\",\"upn_suffix\":\"contoso.com\"},"
                + "{\"type\":\"ip\",\"address\":\"" + ATTACKER + "\"}]", a.at("/detection/entities").toString());
        assertTrue(a.at("/detection/investigation_guide").asText().length() > 50);
        assertEquals(six.rawAlerts.get(0).id, io.entrawatch.detect.AlertDocuments.documentId(SeamlessSsoSprayDetection.RULE.id,
                TENANT, "81016", ATTACKER, NON_INTERACTIVE, T0));
        assertEquals(0, six.stage1StateAtEnd + six.stage2StateAtEnd, "the hour's state is gone once it fired");
    }

    @Test
    void upnCaseAndAccountlessRecordsDoNotInflateTheCount() throws Exception {
        List<ObjectNode> records = accounts(5, T0 + MIN, ATTACKER);
        records.add(ssoFailure("ACCT0@Contoso.COM", T0 + 2 * MIN, ATTACKER));
        records.add(ssoFailure(null, T0 + 2 * MIN, ATTACKER));
        assertEquals(0, run(List.of(records)).alerts.size());
    }

    @Test
    void hoursAreAlignedAndEndExclusive() throws Exception {
        long lastMs = T0 + 60 * MIN - 1;  // 01:59:59.999
        long next = T0 + 60 * MIN;        // 02:00:00.000
        List<ObjectNode> straddle = new ArrayList<>();
        for (int i = 0; i < 3; i++) straddle.add(ssoFailure("acct" + i + "@contoso.com", lastMs, ATTACKER));
        for (int i = 3; i < 6; i++) straddle.add(ssoFailure("acct" + i + "@contoso.com", next, ATTACKER));
        assertEquals(0, run(List.of(straddle)).alerts.size(), "3 + 3 accounts across the boundary: no hour has 6");

        List<ObjectNode> inside = new ArrayList<>();
        for (int i = 0; i < 3; i++) inside.add(ssoFailure("acct" + i + "@contoso.com", T0, ATTACKER));
        for (int i = 3; i < 6; i++) inside.add(ssoFailure("acct" + i + "@contoso.com", lastMs, ATTACKER));
        inside.add(ssoFailure("next.hour@contoso.com", next, ATTACKER)); // same IP, next hour: not in the alert
        Result r = run(List.of(inside));
        assertEquals(1, r.alerts.size(), "01:00:00.000 and 01:59:59.999 share an hour");
        JsonNode a = r.alerts.get(0);
        assertEquals("2025-11-14T01:00:00Z", a.at("/event/start").asText());
        assertEquals("2025-11-14T01:59:59.999Z", a.at("/event/end").asText());
        assertFalse(a.at("/user/name").toString().contains("next.hour"));
    }

    @Test
    void otherResultTypesAreIgnoredByStageOneButJoinedByStageTwo() throws Exception {
        List<ObjectNode> records = accounts(5, T0 + MIN, ATTACKER);
        records.add(record("wrong.password@contoso.com", T0 + 2 * MIN, ATTACKER, "50126"));
        records.add(record("other.prefix@contoso.com", T0 + 2 * MIN, ATTACKER, "181016"));
        assertEquals(0, run(List.of(records)).alerts.size(), "50126 and 181016 are not Seamless SSO errors");

        List<ObjectNode> six = accounts(6, T0 + MIN, ATTACKER);
        six.add(record("wrong.password@contoso.com", T0 + 50 * MIN, ATTACKER, "50126"));
        Result r = run(List.of(six));
        assertEquals(1, r.alerts.size());
        JsonNode a = r.alerts.get(0);
        assertEquals(6, a.at("/detection/distinct_accounts").asLong(), "stage 1 counts only 81...");
        assertTrue(texts(a.at("/user/name")).contains("wrong.password@contoso.com"), "stage 2 takes any result");
        assertEquals(7, a.at("/user/name").size());
        assertEquals("2025-11-14T01:50:00Z", a.at("/event/end").asText());
        assertEquals("Error 50126", a.at("/azure/signinlogs/result_description").asText(), "the smallest value seen");
    }

    @Test
    void interactiveStageOneRecordsDoNotCount() throws Exception {
        List<ObjectNode> records = accounts(5, T0 + MIN, ATTACKER);
        records.add(interactive(ssoFailure("sixth@contoso.com", T0 + 2 * MIN, ATTACKER)));
        Result r = run(List.of(records));
        assertEquals(0, r.alerts.size(), "stage 1 reads only NonInteractiveUserSignInLogs");
    }

    @Test
    void anAddressThatAlsoSignsInSuccessfullyHasItsRowsInBothTables() throws Exception {
        List<ObjectNode> records = accounts(6, T0 + MIN, ATTACKER);
        records.add(interactive(record("acct0@contoso.com", T0 + 30 * MIN, ATTACKER, "0")));
        records.add(interactive(record(null, T0 + 31 * MIN, ATTACKER, "0"))); // no UPN: times and agents only
        records.add(interactive(record("someone@contoso.com", T0 + 30 * MIN, "192.0.2.1", "0"))); // another IP
        Result r = run(List.of(records));
        TreeMap<String, JsonNode> alerts = r.byKey();
        assertEquals(List.of(TENANT + "|81016|" + ATTACKER + "|" + NON_INTERACTIVE + "|2025-11-14T01:00:00Z",
                TENANT + "|81016|" + ATTACKER + "|" + SIGNIN_LOGS + "|2025-11-14T01:00:00Z"), new ArrayList<>(alerts.keySet()));
        JsonNode success = alerts.get(TENANT + "|81016|" + ATTACKER + "|" + SIGNIN_LOGS + "|2025-11-14T01:00:00Z");
        assertEquals(List.of("acct0@contoso.com"), texts(success.at("/user/name")));
        assertEquals("2025-11-14T01:30:00Z", success.at("/event/start").asText());
        assertEquals("2025-11-14T01:31:00Z", success.at("/event/end").asText(), "a sign-in without UPN counts in the times");
        assertEquals(List.of("agent/0", "agent/" + Math.floorMod("acct0@contoso.com".hashCode(), 3)).stream().distinct().sorted()
                .collect(Collectors.toList()), texts(success.at("/user_agent/original")));
        assertEquals(6, success.at("/detection/distinct_accounts").asLong());
        assertEquals("SUCCESS", success.at("/azure/signinlogs/result_signature").asText());
        assertTrue(success.at("/azure/signinlogs/result_description").isMissingNode(), "successes carry no description");
    }

    @Test
    void onlyTheHundredSmallestAddressesAreFlagged() throws Exception {
        List<ObjectNode> records = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        for (int i = 0; i < 150; i++) ips.add("10.0." + (i / 50) + "." + (i % 50 + 100));
        Collections.shuffle(ips, new Random(3));
        for (int i = 0; i < 150; i++) records.add(ssoFailure("acct" + (i % 6) + "@contoso.com", T0 + MIN + i, ips.get(i)));
        Result r = run(List.of(records));
        List<String> expected = ips.stream().sorted().limit(100).collect(Collectors.toList());
        List<String> flagged = r.alerts.stream().map(a -> a.at("/source/ip").asText()).sorted().collect(Collectors.toList());
        assertEquals(expected, flagged, "one alert for each of the 100 lexicographically smallest addresses");
        assertEquals(100, r.flags);
        assertEquals("10.0.0.100", flagged.get(0));
        assertFalse(flagged.contains("10.0.2.149"));
    }

    @Test
    void tenantsAreSeparate() throws Exception {
        List<ObjectNode> records = accounts(3, T0 + MIN, ATTACKER);
        IntStream.range(3, 6).forEach(i -> records.add(tenant(ssoFailure("acct" + i + "@contoso.com", T0 + MIN, ATTACKER), OTHER_TENANT)));
        assertEquals(0, run(List.of(records)).alerts.size(), "3 + 3 accounts in two tenants");

        List<ObjectNode> both = accounts(6, T0 + MIN, ATTACKER);
        both.add(tenant(record("guest@fabrikam.com", T0 + 5 * MIN, ATTACKER, "0"), OTHER_TENANT)); // same IP, other tenant
        Result r = run(List.of(both));
        assertEquals(1, r.alerts.size(), "the other tenant's sign-in from the same address is not joined");
        assertFalse(r.alerts.get(0).at("/user/name").toString().contains("guest@fabrikam.com"));

        List<ObjectNode> two = accounts(6, T0 + MIN, ATTACKER);
        accounts(6, T0 + MIN, ATTACKER).forEach(x -> two.add(tenant(x, OTHER_TENANT)));
        Result r2 = run(List.of(two));
        assertEquals(2, r2.alerts.size());
        assertTrue(!r2.rawAlerts.get(0).id.equals(r2.rawAlerts.get(1).id), "one id per tenant");
    }

    @Test
    void everyFlaggedResultTypeHasItsOwnAlert() throws Exception {
        List<ObjectNode> records = accounts(6, T0 + MIN, ATTACKER);
        IntStream.range(0, 6).forEach(i -> records.add(record("x" + i + "@contoso.com", T0 + 2 * MIN, ATTACKER, "81001")));
        Result r = run(List.of(records));
        TreeMap<String, JsonNode> alerts = r.byKey();
        assertEquals(2, alerts.size(), alerts.keySet().toString());
        assertEquals(12, alerts.firstEntry().getValue().at("/user/name").size(), "stage 2 rows are the address's, any result");
        assertEquals("81001", alerts.firstEntry().getValue().at("/azure/signinlogs/result_type").asText());
    }

    @Test
    void moreThanAHundredAccountsAreCountedExactlyAndListedBounded() throws Exception {
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < 250; i++) records.add(ssoFailure(String.format("u%03d@contoso.com", 249 - i), T0 + MIN + i, ATTACKER));
        JsonNode a = run(List.of(records)).alerts.get(0);
        assertEquals(250, a.at("/detection/distinct_accounts").asLong());
        assertEquals(100, a.at("/user/name").size());
        assertEquals("u000@contoso.com", a.at("/user/name/0").asText());
        assertEquals("u099@contoso.com", a.at("/user/name/99").asText());
    }

    @Test
    void duplicatesDoNotChangeTheResult() throws Exception {
        List<ObjectNode> records = accounts(6, T0 + MIN, ATTACKER);
        Result once = run(List.of(records));
        Result twice = run(List.of(records, records));
        assertEquals(once.rawAlerts, twice.rawAlerts, "same alert, same id, same document");
        assertEquals(1, once.alerts.size());
    }

    @Test
    void lateRecordIsRoutedAndCountedByNeitherStage() throws Exception {
        List<ObjectNode> early = accounts(5, T0 + MIN, ATTACKER);
        List<ObjectNode> ahead = List.of(record("benign@contoso.com", T0 + 66 * MIN, "192.0.2.9", "0")); // watermark 02:01
        List<ObjectNode> late = List.of(ssoFailure("sixth@contoso.com", T0 + 59 * MIN, ATTACKER));
        Result r = run(List.of(early, ahead, late));
        assertEquals(0, r.alerts.size(), "the sixth account arrived after the hour fired");
        assertEquals(1, r.deadLetters.size());
        DeadLetter d = r.deadLetters.get(0);
        assertEquals(DeadLetter.LATE, d.kind);
        assertTrue(d.reason.contains("sso-spray (window ended 2025-11-14T02:00:00Z)"), d.reason);

        List<ObjectNode> justBefore = List.of(record("benign@contoso.com", T0 + 65 * MIN - 1, "192.0.2.9", "0"));
        assertEquals(1, run(List.of(early, justBefore, late)).alerts.size(), "4:59.999 behind the newest is on time");
    }

    @Test
    void arrivalOrderWithinTheBoundDoesNotChangeTheAlerts() throws Exception {
        Random rnd = new Random(11);
        List<ObjectNode> records = new ArrayList<>();
        String[] ips = {ATTACKER, "198.51.100.4", "203.0.113.50", "2001:db8::1"};
        for (int h = 0; h < 3; h++) {
            for (int i = 0; i < 40; i++) {
                long ts = T0 + h * 60 * MIN + rnd.nextInt(60 * 60_000);
                String upn = "acct" + rnd.nextInt(h == 1 ? 5 : 9) + "@contoso.com"; // hour 1 is a near miss
                String ip = ips[rnd.nextInt(ips.length)];
                ObjectNode rec = rnd.nextInt(4) == 0 ? interactive(record(upn, ts, ip, rnd.nextBoolean() ? "0" : "50126"))
                        : ssoFailure(upn, ts, ip);
                if (rnd.nextInt(6) == 0) ((ObjectNode) rec.get("properties")).remove("userAgent");
                records.add(rec);
            }
        }
        records.sort((x, y) -> x.at("/properties/createdDateTime").asText().compareTo(y.at("/properties/createdDateTime").asText()));
        Result ordered = run(batches(records));
        assertTrue(ordered.alerts.size() >= 4, "the scenario alerts: " + ordered.alerts.size());
        for (int seed = 0; seed < 5; seed++) {
            List<ObjectNode> shuffled = shuffleWithin(records, 4 * MIN, new Random(seed));
            Result r = run(batches(shuffled));
            assertEquals(0, r.deadLetters.size(), "4 minutes of disorder is within the 5-minute bound");
            assertEquals(sorted(ordered.rawAlerts), sorted(r.rawAlerts), "seed " + seed);
        }
    }

    private static List<Alert> sorted(List<Alert> alerts) {
        List<Alert> l = new ArrayList<>(alerts);
        l.sort((a, b) -> a.id.compareTo(b.id));
        return l;
    }

    /** Arrival order: event time plus a random delay of up to {@code bound}. */
    static List<ObjectNode> shuffleWithin(List<ObjectNode> records, long bound, Random rnd) {
        return TestRecords.shuffleWithin(records, bound, rnd);
    }

    private static List<List<ObjectNode>> batches(List<ObjectNode> records) {
        List<List<ObjectNode>> out = new ArrayList<>();
        for (int i = 0; i < records.size(); i += 7) out.add(records.subList(i, Math.min(records.size(), i + 7)));
        return out;
    }
}
