package io.entrawatch.detect.rareapp;

import io.entrawatch.config.EventTimeOptions;
import io.entrawatch.config.RareAppOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.TestRecords.Record;
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
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Detection B with Flink's operator harnesses: raw records are parsed, pass the ingest gate (lateness)
 * and the detection's filter, then drive {@link RareAppEvaluator} with the watermark a
 * bounded-out-of-orderness source would emit.
 */
class RareAppEvaluatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long HOUR = 60 * MIN;
    static final long DAY = 24 * HOUR;
    static final String APP = "00000002-0000-0ff1-ce00-000000000000";

    /** One partition's messages through the gate and the evaluator; the harnesses stay open between steps. */
    static final class Scenario implements AutoCloseable {
        final JobOptions options;
        final RareAppDetection detection;
        final SignInParser parser;
        final OneInputStreamOperatorTestHarness<ParsedMessage, SignIn> gate;
        final KeyedOneInputStreamOperatorTestHarness<RareAppKey, SignIn, Alert> evaluator;
        final List<DeadLetter> deadLetters = new ArrayList<>();
        org.apache.flink.runtime.state.StateBackend backend;
        long offset, maxTs = Long.MIN_VALUE;

        Scenario(JobOptions options) throws Exception {
            this(options, null);
        }

        /** With {@code backend} null: Flink's default heap backend. */
        Scenario(JobOptions options, org.apache.flink.runtime.state.StateBackend backend) throws Exception {
            this.options = options;
            this.detection = RareAppDetection.FACTORY.create(options);
            this.parser = DetectionPipeline.parser(options);
            gate = ProcessFunctionTestHarnesses.forProcessFunction(new IngestGate(List.of(detection),
                    options.get(EventTimeOptions.MAX_OUT_OF_ORDERNESS).toMillis(), 4096));
            evaluator = new KeyedOneInputStreamOperatorTestHarness<>(
                    new org.apache.flink.streaming.api.operators.KeyedProcessOperator<>(new RareAppEvaluator(detection)),
                    detection::keyOf, TypeInformation.of(RareAppKey.class));
            this.backend = backend;
            if (backend != null) evaluator.setStateBackend(backend);
            evaluator.open();
        }

        Scenario() throws Exception {
            this(JobOptions.defaults());
        }

        /** One Event Hubs message, then the source's watermark after it. */
        Scenario send(Record... records) throws Exception {
            ParsedMessage m = parser.parse(TestRecords.envelope(List.of(records)).getBytes(StandardCharsets.UTF_8), "hub", 0,
                    offset++, 0);
            gate.processElement(m, m.maxTimestamp);
            for (SignIn s : gate.extractOutputValues()) {
                if (detection.countsOnTime(s)) evaluator.processElement(s, s.timestamp);
            }
            gate.getOutput().clear();
            if (gate.getSideOutput(OutputTags.DEAD_LETTERS) != null) {
                gate.getSideOutput(OutputTags.DEAD_LETTERS).forEach(x -> deadLetters.add(x.getValue()));
                gate.getSideOutput(OutputTags.DEAD_LETTERS).clear();
            }
            maxTs = Math.max(maxTs, m.maxTimestamp);
            evaluator.processWatermark(new Watermark(maxTs - options.get(EventTimeOptions.MAX_OUT_OF_ORDERNESS).toMillis() - 1));
            return this;
        }

        /**
         * Keyed state entries (one per pair and state): the harness's count on the heap backend; on RocksDB,
         * which the harness cannot count, the keys that have each state.
         */
        long stateEntries() throws Exception {
            if (backend == null) return evaluator.numKeyedStateEntries();
            var keyed = ((org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>) evaluator.getOperator())
                    .getKeyedStateBackend();
            long n = 0;
            for (String state : List.of("history", "open-intervals")) {
                try (var keys = keyed.getKeys(state, org.apache.flink.runtime.state.VoidNamespace.INSTANCE)) {
                    n += keys.count();
                }
            }
            return n;
        }

        Scenario watermark(long wm) throws Exception {
            evaluator.processWatermark(new Watermark(wm));
            return this;
        }

        List<Alert> rawAlerts() {
            return evaluator.extractOutputValues();
        }

        List<JsonNode> alerts() throws Exception {
            List<JsonNode> out = new ArrayList<>();
            for (Alert a : rawAlerts()) out.add(JSON.readTree(a.document));
            return out;
        }

        /** "tenant-prefix user app @T count" per alert, in output order. */
        List<String> summary() throws Exception {
            List<String> out = new ArrayList<>();
            for (JsonNode a : alerts()) {
                out.add(a.at("/azure/tenant_id").asText().substring(0, 4) + " "
                        + a.at("/azure/signinlogs/properties/user_principal_name").asText() + " "
                        + a.at("/azure/signinlogs/properties/app_id").asText() + " @" + a.at("/@timestamp").asText()
                        + " " + a.at("/detection/failed_count").asLong());
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            gate.close();
            evaluator.close();
        }
    }

    /** A failure detection B keeps: interactive user sign-in, 50126, non-Microsoft ASN. */
    static Record failure(String upn, long ts) {
        return TestRecords.sprayFailure(upn, ts).category(Categories.SIGN_IN_LOGS).interactive(true)
                .auth("multiFactorAuthentication");
    }

    static Record[] failures(String upn, long... ts) {
        Record[] r = new Record[ts.length];
        for (int i = 0; i < ts.length; i++) r[i] = failure(upn, ts[i]);
        return r;
    }

    static String at(long ts) {
        return java.time.Instant.ofEpochMilli(ts).toString();
    }

    @Test
    void shouldAlertAtTheHourEndForOneTwoOrThreeFailures() throws Exception {
        for (int n = 1; n <= 3; n++) {
            try (Scenario s = new Scenario()) {
                for (int i = 0; i < n; i++) s.send(failure("bob@contoso.com", T0 + 10 * MIN + i * MIN));
                s.watermark(T0 + HOUR - 2);
                assertEquals(List.of(), s.rawAlerts(), "nothing before the watermark reaches the hour end");
                s.watermark(T0 + HOUR - 1);
                List<JsonNode> alerts = s.alerts();
                assertEquals(1, alerts.size(), n + " failures");
                JsonNode a = alerts.get(0);
                assertEquals("2025-11-14T02:00:00Z", a.at("/@timestamp").asText());
                assertEquals("alert", a.at("/event/kind").asText());
                assertEquals(RareAppDetection.RULE.id, a.at("/rule/id").asText());
                assertEquals("ce47ec2c-fe13-11ef-9ee5-f661ea17fbcd", a.at("/rule/id").asText());
                assertEquals("Azure Entra Unusual Client App Authentication Requests on Behalf of Principal Users",
                        a.at("/rule/name").asText());
                assertEquals("[\"T1078.004\",\"T1110.003\"]", a.at("/threat/technique/id").toString());
                assertEquals(TestRecords.TENANT, a.at("/azure/tenant_id").asText());
                assertEquals("2025-10-31T02:00:00Z", a.at("/detection/window/start").asText(), "T - 14 d");
                assertEquals("2025-11-14T02:00:00Z", a.at("/detection/window/end").asText());
                assertEquals("bob@contoso.com", a.at("/azure/signinlogs/properties/user_principal_name").asText());
                assertEquals(APP, a.at("/azure/signinlogs/properties/app_id").asText());
                assertEquals("Office 365 Exchange Online", a.at("/azure/signinlogs/properties/app_display_name").asText());
                assertTrue(a.at("/detection/failed_count").isIntegralNumber());
                assertEquals(n, a.at("/detection/failed_count").asLong());
                assertTrue(a.at("/detection/investigation_guide").asText().length() > 50);
                assertTrue(a.at("/rule/description").asText().length() > 50);
            }
        }
    }

    @Test
    void shouldNotAlertForFourFailures() throws Exception {
        try (Scenario s = new Scenario()) {
            s.send(failures("bob@contoso.com", T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN, T0 + 59 * MIN));
            s.watermark(T0 + 3 * HOUR);
            assertEquals(List.of(), s.rawAlerts());
        }
    }

    @Test
    void lookbackIsExactlyTheFourteenDaysBeforeT() throws Exception {
        JobOptions noSuppression = JobOptions.defaults().with(RareAppOptions.SUPPRESSION, "0");
        // 3 failures at exactly T - 14 d still count for T: 3 + 1 = 4, no alert at T
        try (Scenario s = new Scenario(noSuppression)) {
            s.send(failures("bob@contoso.com", T0, T0, T0));
            s.send(failure("bob@contoso.com", T0 + 14 * DAY - 30 * MIN));
            s.watermark(T0 + 15 * DAY);
            assertEquals(List.of("1111 bob@contoso.com " + APP + " @2025-11-14T02:00:00Z 3"), s.summary(),
                    "the 3 failures alert at their own hour; the one at T0 + 14 d - 30 min sees 4");
        }
        // 3 failures 1 ms before T - 14 d are outside [T - 14 d, T): 1, alert
        try (Scenario s = new Scenario(noSuppression)) {
            s.send(failures("bob@contoso.com", T0 - 1, T0 - 1, T0 - 1));
            s.send(failure("bob@contoso.com", T0 + 14 * DAY - 30 * MIN));
            s.watermark(T0 + 15 * DAY);
            assertEquals(List.of("1111 bob@contoso.com " + APP + " @2025-11-14T01:00:00Z 3",
                    "1111 bob@contoso.com " + APP + " @2025-11-28T01:00:00Z 1"), s.summary());
        }
    }

    @Test
    void suppressionLastsSAndASuppressedEvaluationDoesNotExtendIt() throws Exception {
        try (Scenario s = new Scenario()) { // S = L = 14 d
            s.send(failure("bob@contoso.com", T0 + 10 * MIN));                  // alert at 02:00, count 1
            s.send(failure("bob@contoso.com", T0 + 14 * DAY - 30 * MIN));       // T = 02:00 + 14 d - 1 h: suppressed (2)
            s.send(failure("bob@contoso.com", T0 + 14 * DAY + 30 * MIN));       // T = 02:00 + 14 d: alert again (2)
            s.watermark(T0 + 15 * DAY);
            assertEquals(List.of("1111 bob@contoso.com " + APP + " @2025-11-14T02:00:00Z 1",
                    "1111 bob@contoso.com " + APP + " @2025-11-28T02:00:00Z 2"), s.summary());
        }
        try (Scenario s = new Scenario(JobOptions.defaults().with(RareAppOptions.SUPPRESSION, "6 h"))) {
            s.send(failure("bob@contoso.com", T0 + 10 * MIN));                  // alert at 02:00 (1)
            s.send(failure("bob@contoso.com", T0 + 5 * HOUR + 10 * MIN));       // 07:00 in (02:00, 08:00): suppressed
            s.send(failure("bob@contoso.com", T0 + 6 * HOUR + 10 * MIN));       // 08:00 = 02:00 + 6 h: alert (3)
            s.watermark(T0 + DAY);
            assertEquals(List.of("1111 bob@contoso.com " + APP + " @2025-11-14T02:00:00Z 1",
                    "1111 bob@contoso.com " + APP + " @2025-11-14T08:00:00Z 3"), s.summary());
        }
        try (Scenario s = new Scenario(JobOptions.defaults().with(RareAppOptions.SUPPRESSION, "0"))) {
            s.send(failure("bob@contoso.com", T0 + 10 * MIN));
            s.send(failure("bob@contoso.com", T0 + HOUR + 10 * MIN));
            s.watermark(T0 + DAY);
            assertEquals(List.of("1111 bob@contoso.com " + APP + " @2025-11-14T02:00:00Z 1",
                    "1111 bob@contoso.com " + APP + " @2025-11-14T03:00:00Z 2"), s.summary(), "S = 0: every evaluation");
        }
    }

    @Test
    void suppressionIsValidated() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> RareAppDetection.FACTORY.create(
                JobOptions.defaults().with(RareAppOptions.SUPPRESSION, "15 d")));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> RareAppDetection.FACTORY.create(
                JobOptions.defaults().with(RareAppOptions.LOOKBACK, "90 min")));
        assertEquals(6 * HOUR, RareAppDetection.FACTORY.create(JobOptions.defaults().with(RareAppOptions.SUPPRESSION, "6 h"))
                .suppressionMillis());
    }

    @Test
    void signInsAtOrAfterTAreNotCountedForT() throws Exception {
        try (Scenario s = new Scenario(JobOptions.defaults().with(RareAppOptions.SUPPRESSION, "0"))) {
            s.send(failures("bob@contoso.com", T0 + HOUR + 3 * MIN, T0 + HOUR)); // 02:03 and 02:00 first (watermark 01:58)
            s.send(failure("bob@contoso.com", T0 + HOUR - 1));                     // 01:59:59.999, on time
            s.watermark(T0 + DAY);
            assertEquals(List.of("1111 bob@contoso.com " + APP + " @2025-11-14T02:00:00Z 1",
                    "1111 bob@contoso.com " + APP + " @2025-11-14T03:00:00Z 3"), s.summary());
        }
    }

    @Test
    void aPairSeenOnlyFromMicrosoftsAsnIsNotCounted() throws Exception {
        try (Scenario s = new Scenario()) {
            s.send(failure("bob@contoso.com", T0 + MIN).asn(8075L), failure("bob@contoso.com", T0 + 2 * MIN).asn(8075L));
            s.watermark(T0 + DAY);
            assertEquals(List.of(), s.rawAlerts());
        }
        try (Scenario s = new Scenario()) {
            s.send(failures("bob@contoso.com", T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN));
            for (Record r : failures("bob@contoso.com", T0 + 4 * MIN, T0 + 5 * MIN)) s.send(r.asn(8075L));
            s.send(failure("bob@contoso.com", T0 + 6 * MIN).asn(null)); // unknown organisation is kept
            s.watermark(T0 + DAY);
            assertEquals(List.of(), s.rawAlerts(), "3 + 1 unknown-ASN = 4; the 8075 ones do not count");
        }
        try (Scenario s = new Scenario()) {
            s.send(failures("bob@contoso.com", T0 + MIN, T0 + 2 * MIN));
            for (Record r : failures("bob@contoso.com", T0 + 4 * MIN, T0 + 5 * MIN)) s.send(r.asn(8075L));
            s.watermark(T0 + DAY);
            assertEquals(List.of("1111 bob@contoso.com " + APP + " @2025-11-14T02:00:00Z 2"), s.summary());
        }
    }

    @Test
    void upnCaseIsOneUser() throws Exception {
        try (Scenario s = new Scenario()) {
            s.send(failure("Bob@Contoso.com", T0 + MIN), failure("BOB@CONTOSO.COM", T0 + 2 * MIN));
            s.send(failure("bob@contoso.com", T0 + 3 * MIN), failure("bOb@contoso.com", T0 + 4 * MIN));
            s.watermark(T0 + DAY);
            assertEquals(List.of(), s.rawAlerts(), "four failures of one user, whatever the case");
        }
        try (Scenario s = new Scenario()) {
            s.send(failure("Bob@Contoso.com", T0 + MIN), failure("BOB@CONTOSO.COM", T0 + 2 * MIN));
            s.watermark(T0 + DAY);
            assertEquals(List.of("1111 bob@contoso.com " + APP + " @2025-11-14T02:00:00Z 2"), s.summary());
        }
    }

    @Test
    void tenantsAndAppsAreSeparatePairs() throws Exception {
        try (Scenario s = new Scenario()) {
            s.send(failures("bob@contoso.com", T0 + MIN, T0 + 2 * MIN));
            s.send(failure("bob@contoso.com", T0 + 3 * MIN).tenant(TestRecords.OTHER_TENANT),
                    failure("bob@contoso.com", T0 + 4 * MIN).tenant(TestRecords.OTHER_TENANT));
            s.send(failure("bob@contoso.com", T0 + 5 * MIN).app("04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Microsoft Azure CLI"));
            s.watermark(T0 + DAY);
            List<String> summary = new ArrayList<>(s.summary());
            java.util.Collections.sort(summary);
            assertEquals(List.of("1111 bob@contoso.com 00000002-0000-0ff1-ce00-000000000000 @2025-11-14T02:00:00Z 2",
                    "1111 bob@contoso.com 04b07795-8ddb-461a-bbee-02f9e1bf7b46 @2025-11-14T02:00:00Z 1",
                    "2222 bob@contoso.com 00000002-0000-0ff1-ce00-000000000000 @2025-11-14T02:00:00Z 2"), summary);
            List<Alert> raw = s.rawAlerts();
            assertEquals(3, raw.stream().map(a -> a.id).distinct().count(), "one id per pair and T");
        }
    }

    @Test
    void duplicatesCountOnce() throws Exception {
        Record[] three = failures("bob@contoso.com", T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN);
        try (Scenario s = new Scenario()) {
            s.send(three);
            s.send(three); // the same records (same properties.id and category) re-delivered
            s.send(three[0]);
            s.watermark(T0 + DAY);
            assertEquals(List.of("1111 bob@contoso.com " + APP + " @2025-11-14T02:00:00Z 3"), s.summary());
        }
        try (Scenario s = new Scenario()) {
            s.send(three);
            s.send(failure("bob@contoso.com", T0 + 2 * MIN).id(three[0].id).category(Categories.NON_INTERACTIVE));
            s.watermark(T0 + DAY);
            assertEquals(List.of(), s.rawAlerts(), "same id, other category: another record, 4");
        }
        try (Scenario s = new Scenario()) {
            s.send(failure("bob@contoso.com", T0 + MIN).id(null), failure("bob@contoso.com", T0 + MIN).id(null));
            s.watermark(T0 + DAY);
            assertEquals(List.of("1111 bob@contoso.com " + APP + " @2025-11-14T02:00:00Z 2"), s.summary(),
                    "records without an id cannot be de-duplicated: each counts");
        }
    }

    @Test
    void lateRecordsAreRoutedAndNeverCounted() throws Exception {
        try (Scenario s = new Scenario(JobOptions.defaults().with(RareAppOptions.SUPPRESSION, "0"))) {
            s.send(failure("bob@contoso.com", T0 + 10 * MIN));            // 01:10 -> alert at 02:00 (1)
            s.send(failure("bob@contoso.com", T0 + 70 * MIN));            // 02:10, watermark 02:05
            s.send(failure("bob@contoso.com", T0 + 50 * MIN));            // 01:50: its evaluation (02:00) is past: late
            s.watermark(T0 + DAY);
            assertEquals(List.of("1111 bob@contoso.com " + APP + " @2025-11-14T02:00:00Z 1",
                    "1111 bob@contoso.com " + APP + " @2025-11-14T03:00:00Z 2"), s.summary(),
                    "the late 01:50 failure is not in the 03:00 lookback either");
            assertEquals(1, s.deadLetters.size());
            assertEquals(DeadLetter.LATE, s.deadLetters.get(0).kind);
            assertTrue(s.deadLetters.get(0).reason.contains("rare-app (window ended 2025-11-14T02:00:00Z)"),
                    s.deadLetters.get(0).reason);
        }
    }

    @Test
    void lateAtTheOperatorIsDeadLetteredToo() throws Exception {
        try (Scenario s = new Scenario()) {
            s.send(failure("bob@contoso.com", T0 + 10 * MIN));
            s.watermark(T0 + 3 * HOUR); // as if another partition moved the watermark on
            SignIn late = TestRecords.signIn("bob@contoso.com", T0 + 20 * MIN);
            late.category = Categories.SIGN_IN_LOGS;
            s.evaluator.processElement(late, late.timestamp);
            assertEquals(1, s.evaluator.getSideOutput(OutputTags.DEAD_LETTERS).size());
            assertEquals(1, s.rawAlerts().size());
        }
    }

    @Test
    void warmUpLearnsWithoutAlertingOrSuppressing() throws Exception {
        JobOptions warmUp = JobOptions.defaults().with(RareAppOptions.ALERT_FROM, "2025-11-14T04:00:00Z");
        try (Scenario s = new Scenario(warmUp)) {
            s.send(failure("bob@contoso.com", T0 + 10 * MIN));            // evaluation 02:00 < 04:00: learned only
            s.send(failures("eve@contoso.com", T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN, T0 + 4 * MIN)); // eve: 4 in warm-up
            s.send(failure("new@contoso.com", T0 + 2 * HOUR + 10 * MIN)); // evaluation 04:00 = alert-from: alerts
            s.send(failure("bob@contoso.com", T0 + 3 * HOUR + 10 * MIN)); // evaluation 05:00: 2, alerts
            s.send(failure("eve@contoso.com", T0 + 3 * HOUR + 10 * MIN)); // eve: 5 with history: no alert
            s.watermark(T0 + DAY);
            assertEquals(List.of("1111 new@contoso.com " + APP + " @2025-11-14T04:00:00Z 1",
                    "1111 bob@contoso.com " + APP + " @2025-11-14T05:00:00Z 2"), s.summary());
        }
        try (Scenario s = new Scenario()) { // the same without warm-up: the start-up flood
            s.send(failure("bob@contoso.com", T0 + 10 * MIN));
            s.send(failures("eve@contoso.com", T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN, T0 + 4 * MIN));
            s.watermark(T0 + DAY);
            assertEquals(1, s.rawAlerts().size());
        }
    }

    @Test
    void appDisplayNameIsTheLatestSignInsAndAMissingAppIdIsItsOwnPair() throws Exception {
        try (Scenario s = new Scenario()) {
            s.send(failure("bob@contoso.com", T0 + 30 * MIN).app("app-1", "New Name"),
                    failure("bob@contoso.com", T0 + 10 * MIN).app("app-1", "Old Name"));
            s.send(failure("bob@contoso.com", T0 + 20 * MIN).app(null, "Nameless"));
            s.watermark(T0 + DAY);
            List<JsonNode> alerts = s.alerts();
            assertEquals(2, alerts.size());
            JsonNode named = alerts.stream().filter(a -> !a.at("/azure/signinlogs/properties/app_id").isNull()).findFirst().get();
            assertEquals("New Name", named.at("/azure/signinlogs/properties/app_display_name").asText());
            assertEquals(2, named.at("/detection/failed_count").asLong());
            JsonNode unknown = alerts.stream().filter(a -> a.at("/azure/signinlogs/properties/app_id").isNull()).findFirst().get();
            assertEquals(1, unknown.at("/detection/failed_count").asLong());
            assertTrue(unknown.at("/message").asText().contains("unknown app"), unknown.at("/message").asText());
        }
        try (Scenario s = new Scenario()) {
            s.send(failure("bob@contoso.com", T0 + 30 * MIN).app("app-1", "A"),
                    failure("bob@contoso.com", T0 + 30 * MIN).app("app-1", "B"));
            s.watermark(T0 + DAY);
            assertEquals("B", s.alerts().get(0).at("/azure/signinlogs/properties/app_display_name").asText(),
                    "same instant: the lexicographically largest name, whatever the arrival order");
        }
    }

    @Test
    void onlyUserSignInFailuresWithAUpnAreKept() throws Exception {
        for (java.util.function.Consumer<Record> spoil : List.<java.util.function.Consumer<Record>>of(
                r -> r.category(Categories.SERVICE_PRINCIPAL), r -> r.category(Categories.MANAGED_IDENTITY),
                r -> r.errorCode(50140), r -> r.errorCode(0), r -> r.upn(null))) {
            try (Scenario s = new Scenario()) {
                Record r = failure("bob@contoso.com", T0 + MIN);
                spoil.accept(r);
                s.send(r);
                s.watermark(T0 + DAY);
                assertEquals(List.of(), s.rawAlerts());
            }
        }
        try (Scenario s = new Scenario()) {
            s.send(failure("bob@contoso.com", T0 + MIN).category(Categories.NON_INTERACTIVE).interactive(false)
                    .auth("singleFactorAuthentication").errorCode(50053));
            s.watermark(T0 + DAY);
            assertEquals(1, s.rawAlerts().size(), "non-interactive user sign-ins count too");
        }
    }

    @Test
    void stateStaysBoundedAndIsGoneAfterTheLookback() throws Exception {
        stateStaysBoundedAndIsGoneAfterTheLookback(null);
    }

    @Test
    void stateStaysBoundedAndIsGoneAfterTheLookbackOnRocksDb() throws Exception {
        stateStaysBoundedAndIsGoneAfterTheLookback(new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend(true));
    }

    private void stateStaysBoundedAndIsGoneAfterTheLookback(org.apache.flink.runtime.state.StateBackend backend) throws Exception {
        try (Scenario s = new Scenario(JobOptions.defaults(), backend)) {
            // a device failing every hour for 20 days: its history stays at most threshold + 1 intervals
            s.send(failure("once@contoso.com", T0 + 7 * MIN - 1));
            long last = 0;
            for (int h = 0; h < 20 * 24; h++) {
                last = T0 + h * HOUR + 7 * MIN;
                s.send(failure("stale@contoso.com", last));
                assertTrue(s.stateEntries() <= 4, "two pairs, each a history and at most one open interval: "
                        + s.stateEntries());
            }
            var operator = (org.apache.flink.streaming.api.operators.KeyedProcessOperator<?, ?, ?>) s.evaluator.getOperator();
            operator.setCurrentKey(new RareAppKey(TestRecords.TENANT, "stale@contoso.com", APP));
            PairHistory history = ((RareAppEvaluator) operator.getUserFunction()).history.value();
            assertEquals(4, history.starts.length, "480 hours of failures, 4 interval counts remembered");
            List<String> summary = new ArrayList<>(s.summary());
            java.util.Collections.sort(summary);
            assertEquals(List.of("1111 once@contoso.com " + APP + " @2025-11-14T02:00:00Z 1",
                    "1111 stale@contoso.com " + APP + " @2025-11-14T02:00:00Z 1"), summary);
            long lastEnd = (last / HOUR + 1) * HOUR;
            s.watermark(lastEnd - 1); // every interval evaluated
            assertEquals(1, s.stateEntries(), "once@ forgotten 14 d after its hour, stale@ has its history");
            assertEquals(1, s.evaluator.numEventTimeTimers(), "stale@'s cleanup timer");
            s.watermark(lastEnd + 14 * DAY - 1);
            assertEquals(1, s.stateEntries(), "not before the lookback has passed");
            s.watermark(lastEnd + 14 * DAY);
            assertEquals(0, s.stateEntries(), "silent for 14 d: nothing left");
            assertEquals(0, s.evaluator.numEventTimeTimers());
        }
    }

    @Test
    void stateAndKeyAreFlinkPojos() {
        PojoTestUtils.assertSerializedAsPojo(RareAppKey.class);
        PojoTestUtils.assertSerializedAsPojo(OpenHour.class);
        PojoTestUtils.assertSerializedAsPojo(PairHistory.class);
    }
}
