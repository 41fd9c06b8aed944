package io.entrawatch.detect.validcreds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.TestRecords;
import io.entrawatch.config.EventTimeOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.ValidCredentialsOptions;
import io.entrawatch.detect.AlertDocuments;
import io.entrawatch.ingest.IngestGate;
import io.entrawatch.ingest.ParsedMessage;
import io.entrawatch.ingest.SignInParser;
import io.entrawatch.model.Alert;
import io.entrawatch.model.Categories;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.OutputTags;
import io.entrawatch.model.SignIn;
import io.entrawatch.pipeline.DetectionPipeline;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.OTHER_TENANT;
import static io.entrawatch.TestRecords.T0;
import static io.entrawatch.TestRecords.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Detection D with Flink's operator harnesses, through the production wiring of
 * {@link ValidCredentialsDetection#addTo}: raw records are parsed, pass the ingest gate (lateness) and
 * D's on-time filter, drive {@link SpraySourceCounter} keyed by {@code stage1KeyOf}; its spray sources
 * go to {@link ValidCredentialsEvaluator} (keyed by {@code SpraySource::key}) before the watermark, as
 * the network does, next to the sign-ins of {@code stage2Input()} keyed by {@code stage2KeyOf}.
 */
class ValidCredentialsHarnessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ATTACKER = "198.51.100.23";
    private static final String OTHER_IP = "198.51.100.99";
    private static final long DAY = 24 * 60 * MIN;
    /** The spray window used by most tests: [01:10, 01:20). */
    private static final long W = T0 + 10 * MIN;

    /** A wrong password (50126) of {@code upn} from {@code ip}, interactive. */
    static TestRecords.Record guess(String upn, long ts, String ip) {
        return TestRecords.sprayFailure(upn, ts).ip(ip).category(Categories.SIGN_IN_LOGS).interactive(true);
    }

    /** A full success of {@code upn} from {@code ip}. */
    static TestRecords.Record success(String upn, long ts, String ip) {
        return guess(upn, ts, ip).errorCode(null);
    }

    /** A valid password stopped by MFA (50074). */
    static TestRecords.Record mfaBlocked(String upn, long ts, String ip) {
        return guess(upn, ts, ip).errorCode(50074);
    }

    static List<TestRecords.Record> spray(int users, long ts, String ip) {
        return IntStream.range(0, users).mapToObj(i -> guess("victim" + i + "@contoso.com", ts + i * 1000L, ip))
                .collect(Collectors.toList());
    }

    static List<TestRecords.Record> list(List<TestRecords.Record> a, TestRecords.Record... more) {
        List<TestRecords.Record> l = new ArrayList<>(a);
        l.addAll(List.of(more));
        return l;
    }

    /** The two stages wired as addTo wires them, fed one Event Hubs partition in order. */
    static final class Scenario implements AutoCloseable {
        final ValidCredentialsDetection d;
        final SignInParser parser;
        final long outOfOrderness;
        final OneInputStreamOperatorTestHarness<ParsedMessage, SignIn> gate;
        final KeyedOneInputStreamOperatorTestHarness<SprayWindowKey, SignIn, SpraySource> stage1;
        final KeyedTwoInputStreamOperatorTestHarness<AddressKey, SpraySource, SignIn, Alert> stage2;
        final FlatMapFunction<SignIn, SignIn> stage2Input;
        final List<Alert> rawAlerts = new ArrayList<>();
        final List<JsonNode> alerts = new ArrayList<>();
        final List<SpraySource> sources = new ArrayList<>();
        long offset;
        long maxTs = Long.MIN_VALUE;

        Scenario() throws Exception {
            this(JobOptions.defaults());
        }

        Scenario(JobOptions options) throws Exception {
            d = ValidCredentialsDetection.FACTORY.create(options);
            parser = DetectionPipeline.parser(options);
            outOfOrderness = options.get(EventTimeOptions.MAX_OUT_OF_ORDERNESS).toMillis();
            gate = ProcessFunctionTestHarnesses.forProcessFunction(new IngestGate(List.of(d), outOfOrderness, 4096));
            stage1 = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new SpraySourceCounter(d), d::stage1KeyOf,
                    TypeInformation.of(SprayWindowKey.class));
            stage2 = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(new ValidCredentialsEvaluator(d), SpraySource::key,
                    d::stage2KeyOf, TypeInformation.of(AddressKey.class));
            stage2Input = d.stage2Input();
        }

        /** One Event Hubs message; the watermark follows the partition's newest sign-in. */
        Scenario send(List<TestRecords.Record> records) throws Exception {
            ParsedMessage m = parser.parse(TestRecords.envelope(records).getBytes(StandardCharsets.UTF_8), "hub", 0, offset++, 0);
            assertTrue(m.deadLetters.isEmpty(), m.deadLetters.toString());
            gate.processElement(m, m.maxTimestamp);
            for (SignIn s : gate.extractOutputValues()) {
                if (!d.countsOnTime(s)) continue; // topology.onTime
                stage1.processElement(s, s.timestamp);
                List<SignIn> projected = new ArrayList<>();
                stage2Input.flatMap(s, new ListCollector<>(projected));
                for (SignIn p : projected) stage2.processElement2(p, p.timestamp);
            }
            gate.getOutput().clear();
            maxTs = Math.max(maxTs, m.maxTimestamp);
            return watermark(maxTs - outOfOrderness - 1);
        }

        Scenario send(TestRecords.Record... records) throws Exception {
            return send(List.of(records));
        }

        /** Stage 1's watermark, its spray sources to stage 2, then the watermark to stage 2 (a network channel's order). */
        Scenario watermark(long wm) throws Exception {
            stage1.processWatermark(new Watermark(wm));
            for (SpraySource f : stage1.extractOutputValues()) {
                stage2.processElement1(f, f.windowStart);
                sources.add(f);
            }
            stage1.getOutput().clear();
            stage2.processBothWatermarks(new Watermark(wm));
            for (Alert a : stage2.extractOutputValues()) {
                rawAlerts.add(a);
                alerts.add(JSON.readTree(a.document));
            }
            stage2.getOutput().clear();
            return this;
        }

        Scenario end() throws Exception {
            return watermark(Long.MAX_VALUE);
        }

        int state() {
            return stage1.numKeyedStateEntries() + stage2.numKeyedStateEntries();
        }

        int timers() {
            return stage1.numEventTimeTimers() + stage2.numEventTimeTimers();
        }

        List<DeadLetter> deadLetters() {
            List<DeadLetter> l = new ArrayList<>();
            if (gate.getSideOutput(OutputTags.DEAD_LETTERS) != null) gate.getSideOutput(OutputTags.DEAD_LETTERS).forEach(x -> l.add(x.getValue()));
            return l;
        }

        @Override
        public void close() throws Exception {
            gate.close();
            stage1.close();
            stage2.close();
        }
    }

    static Scenario run(List<List<TestRecords.Record>> messages) throws Exception {
        Scenario s = new Scenario();
        for (List<TestRecords.Record> m : messages) s.send(m);
        s.end();
        assertEquals(0, s.state(), "no state is left once every window and reach has ended");
        assertEquals(0, s.timers());
        s.close();
        return s;
    }

    private static List<String> texts(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asText()));
        return l;
    }

    @Test
    void fourFailedUsersAreNoSpraySourceFiveAre() throws Exception {
        Scenario four = run(List.of(list(spray(4, W + MIN, ATTACKER), success("victim0@contoso.com", W + 8 * MIN, ATTACKER))));
        assertEquals(0, four.sources.size());
        assertEquals(0, four.alerts.size());

        Scenario five = run(List.of(list(spray(5, W + MIN, ATTACKER), success("victim0@contoso.com", W + 8 * MIN, ATTACKER))));
        assertEquals(1, five.sources.size());
        assertEquals(1, five.alerts.size());
        assertEquals(5, five.alerts.get(0).at("/detection/spray/failed_user_count").asLong());
        assertEquals(1, five.alerts.get(0).at("/detection/spray/valid_user_count").asLong());
    }

    @Test
    void failedUsersEqualToValidUsersAreNoSpraySource() throws Exception {
        List<TestRecords.Record> equal = new ArrayList<>(spray(5, W + MIN, ATTACKER));
        for (int i = 0; i < 5; i++) equal.add(success("staff" + i + "@contoso.com", W + 6 * MIN + i * 1000L, ATTACKER));
        Scenario e = run(List.of(equal));
        assertEquals(0, e.sources.size(), "5 failed, 5 valid: not more failed than valid");
        assertEquals(0, e.alerts.size());

        List<TestRecords.Record> fewer = new ArrayList<>(spray(5, W + MIN, ATTACKER));
        for (int i = 0; i < 4; i++) fewer.add(success("staff" + i + "@contoso.com", W + 6 * MIN + i * 1000L, ATTACKER));
        Scenario f = run(List.of(fewer));
        assertEquals(1, f.sources.size(), "5 failed, 4 valid");
        assertEquals(4, f.alerts.size(), "every valid-credential user of the spray's own window is a hit");
    }

    @Test
    void aHitInTheSpraysOwnWindowBeforeTheFirstFailureAlerts() throws Exception {
        Scenario s = run(List.of(List.of(mfaBlocked("victim3@contoso.com", W, ATTACKER)), spray(6, W + 5 * MIN, ATTACKER)));
        assertEquals(1, s.alerts.size());
        JsonNode a = s.alerts.get(0);
        assertEquals("2025-11-14T01:10:00Z", a.at("/detection/window/start").asText());
        assertEquals("2025-11-14T01:10:00Z", a.at("/detection/spray/window/start").asText());
        assertEquals("2025-11-14T01:10:00Z", a.at("/event/start").asText());
    }

    @Test
    void theReachEndsExclusivelyTwentyFourHoursAfterTheSprayWindow() throws Exception {
        long reachEnd = W + 10 * MIN + DAY;
        Scenario inside = run(List.of(spray(5, W + MIN, ATTACKER), List.of(success("victim1@contoso.com", reachEnd - 1, ATTACKER))));
        assertEquals(1, inside.alerts.size(), "1 ms before w.end + 24 h is a hit");
        JsonNode a = inside.alerts.get(0);
        assertEquals(AlertDocuments.iso(reachEnd), a.at("/@timestamp").asText());
        assertEquals("2025-11-14T01:10:00Z", a.at("/detection/spray/window/start").asText());
        assertEquals("2025-11-14T01:20:00Z", a.at("/detection/spray/window/end").asText());

        Scenario at = run(List.of(spray(5, W + MIN, ATTACKER), List.of(success("victim1@contoso.com", reachEnd, ATTACKER))));
        assertEquals(0, at.alerts.size(), "w.end + 24 h itself is outside the reach");
    }

    @Test
    void aValidSignInBeforeTheFirstSprayWindowIsNoHit() throws Exception {
        Scenario s = run(List.of(List.of(success("victim1@contoso.com", W - 1, ATTACKER)), spray(5, W + MIN, ATTACKER)));
        assertEquals(1, s.sources.size());
        assertEquals(0, s.alerts.size(), "w.start <= t is required");
    }

    @Test
    void microsoftsAddressesAreNotCounted() throws Exception {
        List<TestRecords.Record> fromAzure = new ArrayList<>();
        for (TestRecords.Record r : spray(8, W + MIN, ATTACKER)) fromAzure.add(r.asn(8075L));
        fromAzure.add(success("victim0@contoso.com", W + 8 * MIN, ATTACKER).asn(8075L));
        Scenario s = run(List.of(fromAzure));
        assertEquals(0, s.sources.size());
        assertEquals(0, s.alerts.size());

        // a spray from an unknown network is kept; the hit from Microsoft's ASN is not counted
        List<TestRecords.Record> mixed = new ArrayList<>();
        for (TestRecords.Record r : spray(5, W + MIN, ATTACKER)) mixed.add(r.asn(null));
        mixed.add(success("victim0@contoso.com", W + 8 * MIN, ATTACKER).asn(8075L));
        mixed.add(success("victim1@contoso.com", W + 8 * MIN, ATTACKER).asn(null));
        Scenario m = run(List.of(mixed));
        assertEquals(1, m.alerts.size());
        assertEquals("victim1@contoso.com", m.alerts.get(0).at("/user/name").asText());
    }

    @Test
    void ipv6AddressesAreComparedLowerCased() throws Exception {
        List<TestRecords.Record> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) records.add(guess("victim" + i + "@contoso.com", W + MIN, i % 2 == 0 ? "2001:DB8::A" : "2001:db8::a"));
        records.add(success("victim2@contoso.com", W + 9 * MIN, "2001:Db8::a"));
        Scenario s = run(List.of(records));
        assertEquals(1, s.alerts.size());
        assertEquals("2001:db8::a", s.alerts.get(0).at("/source/ip").asText());
        assertEquals("[\"2001:db8::a\"]", s.alerts.get(0).at("/related/ip").toString());
    }

    @Test
    void upnCaseVariantsAreOneUser() throws Exception {
        List<TestRecords.Record> records = new ArrayList<>(spray(4, W + MIN, ATTACKER));
        records.add(guess("VICTIM0@Contoso.COM", W + 2 * MIN, ATTACKER));
        records.add(guess("Victim1@contoso.com", W + 2 * MIN, ATTACKER));
        records.add(success("victim0@contoso.com", W + 3 * MIN, ATTACKER));
        assertEquals(0, run(List.of(records)).sources.size(), "4 users however they are spelled");

        records.add(guess("victim4@contoso.com", W + 4 * MIN, ATTACKER));
        records.add(success("VICTIM0@CONTOSO.COM", W + 5 * MIN, ATTACKER));
        Scenario s = run(List.of(records));
        assertEquals(1, s.alerts.size());
        JsonNode a = s.alerts.get(0);
        assertEquals("victim0@contoso.com", a.at("/user/name").asText());
        assertEquals(2, a.at("/detection/hit_count").asLong(), "two records (different ids) of one user");
        assertEquals(1, a.at("/detection/spray/valid_user_count").asLong());
    }

    @Test
    void duplicatedRecordsCountOnce() throws Exception {
        List<TestRecords.Record> records = new ArrayList<>(spray(4, W + MIN, ATTACKER));
        records.addAll(spray(4, W + MIN, ATTACKER).stream().map(r -> r.id("dup-" + r.upn)).collect(Collectors.toList()));
        TestRecords.Record hit = success("victim0@contoso.com", W + 6 * MIN, ATTACKER).id("hit-1");
        TestRecords.Record again = success("victim0@contoso.com", W + 6 * MIN, ATTACKER).id("hit-1");
        Scenario four = run(List.of(list(records, hit), List.of(again)));
        assertEquals(0, four.sources.size(), "re-delivered failures add no user");

        List<TestRecords.Record> five = new ArrayList<>(spray(5, W + MIN, ATTACKER));
        TestRecords.Record other = success("victim0@contoso.com", W + 7 * MIN, ATTACKER).id("hit-2");
        TestRecords.Record otherTable = success("victim0@contoso.com", W + 7 * MIN, ATTACKER).id("hit-2")
                .category(Categories.NON_INTERACTIVE);
        Scenario s = run(List.of(list(five, hit, again, other), List.of(again, otherTable)));
        assertEquals(1, s.alerts.size());
        assertEquals(3, s.alerts.get(0).at("/detection/hit_count").asLong(),
                "hit-1 once, hit-2 once per category (category + properties.id is the identity)");
    }

    @Test
    void aLateHitCountsForNothing() throws Exception {
        Scenario s = new Scenario();
        s.send(spray(5, W + MIN, ATTACKER));
        s.send(TestRecords.sprayFailure("clock@contoso.com", W + 20 * MIN).errorCode(null).ip(OTHER_IP)); // moves event time
        s.send(success("victim0@contoso.com", W + 9 * MIN, ATTACKER)); // its window [01:10, 01:20) has closed
        s.end();
        assertEquals(0, s.alerts.size());
        assertEquals(1, s.deadLetters().size());
        assertEquals(DeadLetter.LATE, s.deadLetters().get(0).kind);
        assertEquals(0, s.state());
        s.close();
    }

    @Test
    void aFullSuccessIsCriticalAnMfaBlockedPasswordIsHigh() throws Exception {
        Scenario s = run(List.of(list(spray(6, W + MIN, ATTACKER),
                        mfaBlocked("victim1@contoso.com", W + 7 * MIN, ATTACKER).app("app-1", "Azure Portal"),
                        guess("victim1@contoso.com", W + 7 * MIN, ATTACKER).errorCode(53003).app("app-2", "Microsoft Teams")),
                List.of(success("victim2@contoso.com", W + 30 * MIN, ATTACKER).app("app-3", "Microsoft Office"),
                        mfaBlocked("victim2@contoso.com", W + 31 * MIN, ATTACKER).app("app-3", "")),
                List.of(TestRecords.sprayFailure("clock@contoso.com", W + 60 * MIN).errorCode(null).ip(OTHER_IP))));
        assertEquals(2, s.alerts.size());
        JsonNode high = s.alerts.get(0);
        assertEquals(ValidCredentialsDetection.RULE.id, high.at("/rule/id").asText());
        assertEquals("a4877234-e82e-43a5-88d0-e00d5caceed8", high.at("/rule/id").asText());
        assertEquals("Azure Entra Valid Credentials from a Password Spray Source", high.at("/rule/name").asText());
        assertEquals("[\"T1078.004\",\"T1110.003\"]", high.at("/threat/technique/id").toString());
        assertEquals("alert", high.at("/event/kind").asText());
        assertEquals(TENANT, high.at("/azure/tenant_id").asText());
        assertEquals("2025-11-14T01:20:00Z", high.at("/@timestamp").asText());
        assertEquals("2025-11-14T01:10:00Z", high.at("/detection/window/start").asText());
        assertEquals("2025-11-14T01:20:00Z", high.at("/detection/window/end").asText());
        assertEquals(ATTACKER, high.at("/source/ip").asText());
        assertTrue(high.at("/source/ip").isTextual());
        assertEquals("victim1@contoso.com", high.at("/user/name").asText());
        assertTrue(high.at("/user/name").isTextual());
        assertEquals(2, high.at("/detection/hit_count").asLong());
        assertTrue(high.at("/detection/hit_count").isIntegralNumber());
        assertEquals("[50074,53003]", high.at("/detection/result_codes").toString());
        assertEquals("failure", high.at("/event/outcome").asText());
        assertEquals("high", high.at("/detection/severity").asText());
        assertEquals(73, high.at("/event/severity").asInt());
        assertEquals(73, high.at("/event/risk_score").asInt());
        assertEquals("2025-11-14T01:17:00Z", high.at("/event/start").asText());
        assertEquals("2025-11-14T01:17:00Z", high.at("/event/end").asText());
        assertEquals("[\"Azure Portal\",\"Microsoft Teams\"]", high.at("/azure/signinlogs/properties/app_display_name").toString());
        assertEquals("2025-11-14T01:10:00Z", high.at("/detection/spray/window/start").asText());
        assertEquals("2025-11-14T01:20:00Z", high.at("/detection/spray/window/end").asText());
        assertEquals(6, high.at("/detection/spray/failed_user_count").asLong());
        assertEquals(1, high.at("/detection/spray/valid_user_count").asLong());
        assertEquals(List.of("victim0@contoso.com", "victim1@contoso.com", "victim2@contoso.com", "victim3@contoso.com",
                "victim4@contoso.com", "victim5@contoso.com"), texts(high.at("/detection/spray/user_names")));
        assertTrue(high.at("/detection/investigation_guide").asText().contains("reset the password"));
        assertEquals(s.rawAlerts.get(0).id, AlertDocuments.documentId(ValidCredentialsDetection.RULE.id, TENANT, ATTACKER,
                "victim1@contoso.com", W));

        JsonNode critical = s.alerts.get(1);
        assertEquals("victim2@contoso.com", critical.at("/user/name").asText());
        assertEquals("2025-11-14T01:50:00Z", critical.at("/@timestamp").asText());
        assertEquals("success", critical.at("/event/outcome").asText());
        assertEquals("critical", critical.at("/detection/severity").asText());
        assertEquals(99, critical.at("/event/severity").asInt());
        assertEquals(99, critical.at("/event/risk_score").asInt());
        assertEquals("[0,50074]", critical.at("/detection/result_codes").toString());
        assertEquals("[\"Microsoft Office\"]", critical.at("/azure/signinlogs/properties/app_display_name").toString(),
                "empty app names are left out");
        assertEquals("2025-11-14T01:40:00Z", critical.at("/event/start").asText());
        assertEquals("2025-11-14T01:41:00Z", critical.at("/event/end").asText());
        assertEquals("2025-11-14T01:10:00Z", critical.at("/detection/spray/window/start").asText());
    }

    @Test
    void suppressionSilencesTheTripleForTwentyFourHoursWithoutExtendingIt() throws Exception {
        // sprays every 12 h keep the address a spray source; the user's hits at +0, +12 h, +24 h, +36 h
        List<List<TestRecords.Record>> messages = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            long at = W + k * DAY / 2;
            messages.add(list(spray(5, at + MIN, ATTACKER), success("victim0@contoso.com", at + 8 * MIN, ATTACKER)));
        }
        Scenario s = run(messages);
        assertEquals(List.of("2025-11-14T01:20:00Z", "2025-11-15T01:20:00Z"),
                s.alerts.stream().map(a -> a.at("/@timestamp").asText()).collect(Collectors.toList()),
                "+12 h is suppressed (and does not extend it), +24 h = T + S alerts, +36 h is suppressed again");

        Scenario off = new Scenario(JobOptions.defaults().with(ValidCredentialsOptions.SUPPRESSION, "0 s"));
        for (List<TestRecords.Record> m : messages) off.send(m);
        off.end();
        assertEquals(4, off.alerts.size(), "suppression 0 is off");
        assertEquals(0, off.state());
        off.close();
    }

    @Test
    void oneUserFromTwoAddressesAlertsForEach() throws Exception {
        Scenario s = run(List.of(list(spray(5, W + MIN, ATTACKER), success("victim0@contoso.com", W + 8 * MIN, ATTACKER)),
                List.of(success("victim0@contoso.com", W + 9 * MIN, OTHER_IP)),
                list(spray(5, W + 11 * MIN, OTHER_IP), success("victim0@contoso.com", W + 12 * MIN, OTHER_IP))));
        assertEquals(List.of(ATTACKER + " 2025-11-14T01:20:00Z", OTHER_IP + " 2025-11-14T01:30:00Z"),
                s.alerts.stream().map(a -> a.at("/source/ip").asText() + " " + a.at("/@timestamp").asText()).collect(Collectors.toList()),
                "the success from the other address before it sprayed is no hit; suppression is per address");
    }

    @Test
    void tenantsAreSeparate() throws Exception {
        Scenario s = run(List.of(list(spray(5, W + MIN, ATTACKER),
                success("victim0@contoso.com", W + 8 * MIN, ATTACKER).tenant(OTHER_TENANT),
                guess("x1@fabrikam.com", W + MIN, ATTACKER).tenant(OTHER_TENANT),
                guess("x2@fabrikam.com", W + MIN, ATTACKER).tenant(OTHER_TENANT))));
        assertEquals(1, s.sources.size());
        assertEquals(0, s.alerts.size(), "the address sprayed in the first tenant only");

        List<TestRecords.Record> both = new ArrayList<>(spray(5, W + MIN, ATTACKER));
        for (TestRecords.Record r : spray(5, W + MIN, ATTACKER)) both.add(r.tenant(OTHER_TENANT));
        both.add(success("victim0@contoso.com", W + 8 * MIN, ATTACKER).tenant(OTHER_TENANT));
        Scenario t = run(List.of(both));
        assertEquals(1, t.alerts.size());
        assertEquals(OTHER_TENANT, t.alerts.get(0).at("/azure/tenant_id").asText());
    }

    @Test
    void stateEndsTwentyFourHoursAfterTheLastSprayWindowAndNeverStaysForAnAddressThatDidNotSpray() throws Exception {
        try (Scenario s = new Scenario(JobOptions.defaults().with(ValidCredentialsOptions.SUPPRESSION, "0 s"))) {
            List<TestRecords.Record> busy = new ArrayList<>();
            for (int i = 0; i < 50; i++) busy.add(success("staff" + i + "@contoso.com", W + MIN + i, OTHER_IP));
            for (int i = 0; i < 4; i++) busy.add(guess("staff" + i + "@contoso.com", W + 2 * MIN, OTHER_IP));
            s.send(list(busy));
            s.send(list(spray(5, W + 3 * MIN, ATTACKER), success("victim0@contoso.com", W + 4 * MIN, ATTACKER)));
            s.watermark(W + 10 * MIN - 1); // the window fires
            assertEquals(1, s.alerts.size());
            int sprayOnly = s.stage2.numKeyedStateEntries();
            assertEquals(1, sprayOnly, "only the attacker's spray window is left: nothing of the busy address");
            assertEquals(0, s.stage1.numKeyedStateEntries());
            s.watermark(W + 10 * MIN + 24 * 60 * MIN - 2);
            assertEquals(1, s.stage2.numKeyedStateEntries(), "the reach is still open");
            s.watermark(W + 10 * MIN + 24 * 60 * MIN - 1);
            assertEquals(0, s.state(), "24 h after the last spray window, nothing is left");
            assertEquals(0, s.timers());
        }
        try (Scenario s = new Scenario()) {
            s.send(list(spray(5, W + 3 * MIN, ATTACKER), success("victim0@contoso.com", W + 4 * MIN, ATTACKER)));
            s.send(success("victim0@contoso.com", W + 24 * 60 * MIN - 10 * MIN, ATTACKER)); // suppressed, does not extend
            s.watermark(W + 10 * MIN + 24 * 60 * MIN - 1);
            assertEquals(1, s.alerts.size());
            assertEquals(0, s.state(), "the suppression ended with the reach");
            assertEquals(0, s.timers());
        }
    }

    @Test
    void theSprayEvidenceKeepsTheHundredSmallestFailedUsersAndCountsThemAll() throws Exception {
        List<TestRecords.Record> records = new ArrayList<>();
        for (int i = 0; i < 120; i++) records.add(guess(String.format("u%03d@contoso.com", 119 - i), W + MIN + i, ATTACKER));
        records.add(success("u007@contoso.com", W + 9 * MIN, ATTACKER));
        Scenario s = run(List.of(records));
        assertEquals(1, s.alerts.size());
        JsonNode a = s.alerts.get(0);
        assertEquals(120, a.at("/detection/spray/failed_user_count").asLong());
        List<String> names = texts(a.at("/detection/spray/user_names"));
        assertEquals(100, names.size());
        assertEquals("u000@contoso.com", names.get(0));
        assertEquals("u099@contoso.com", names.get(99));
    }

    @Test
    void optionsAreValidated() {
        JobOptions o = JobOptions.defaults();
        List<Object[]> bad = List.of(new Object[] {ValidCredentialsOptions.REACH, "25 min"},
                new Object[] {ValidCredentialsOptions.REACH, "0 s"}, new Object[] {ValidCredentialsOptions.WINDOW, "0 s"},
                new Object[] {ValidCredentialsOptions.FAILED_USER_THRESHOLD, "0"});
        for (Object[] b : bad) {
            io.entrawatch.config.Option<?> option = (io.entrawatch.config.Option<?>) b[0];
            JobOptions with = o.with(option, (String) b[1]);
            try {
                ValidCredentialsDetection.FACTORY.create(with);
                throw new AssertionError(option.name + "=" + b[1] + " was accepted");
            } catch (IllegalArgumentException expected) {
                // rejected
            }
        }
        ValidCredentialsDetection d = ValidCredentialsDetection.FACTORY.create(o);
        assertEquals(Duration.ofHours(24).toMillis(), d.suppressionMillis());
        assertEquals(Duration.ofHours(24).toMillis(), d.reachMillis());
        assertEquals(Duration.ofMinutes(10).toMillis(), d.windowMillis());
        assertEquals(5, d.failedUserThreshold());
        assertEquals(7 * DAY, ValidCredentialsDetection.FACTORY.create(o.with(ValidCredentialsOptions.SUPPRESSION, "7 d"))
                .suppressionMillis(), "no upper bound");
    }
}
