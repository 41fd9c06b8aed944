package io.entrawatch.detect.spray;

import io.entrawatch.config.EventTimeOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.TestRecords.Record;
import io.entrawatch.TestRecords;
import io.entrawatch.config.JobOptions;
import io.entrawatch.detect.Detection;
import io.entrawatch.ingest.IngestGate;
import io.entrawatch.ingest.ParsedMessage;
import io.entrawatch.ingest.SignInParser;
import io.entrawatch.model.Alert;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.OutputTags;
import io.entrawatch.model.SignIn;
import io.entrawatch.pipeline.DetectionPipeline;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.T0;
import static io.entrawatch.TestRecords.sprayFailure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Detection A with Flink's operator harnesses: raw records are parsed, pass the ingest gate (its own
 * harness, for lateness) and the detection's filter, then drive {@link SprayWindowCounter} with
 * watermarks.
 */
class SprayWindowCounterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JobOptions options = JobOptions.defaults();
    private final PasswordSprayDetection spray = PasswordSprayDetection.FACTORY.create(options);
    private final SignInParser parser = DetectionPipeline.parser(options);

    /** Output of one scenario. */
    private static final class Result {
        final List<JsonNode> alerts = new ArrayList<>();
        final List<Alert> rawAlerts = new ArrayList<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();
        int keyedStateEntriesAtEnd;
    }

    /** Each inner list is one Event Hubs message; messages arrive in order on one partition. */
    private Result run(List<List<Record>> messages) throws Exception {
        Result r = new Result();
        try (OneInputStreamOperatorTestHarness<ParsedMessage, SignIn> gate =
                     ProcessFunctionTestHarnesses.forProcessFunction(new IngestGate(List.of(spray),
                             options.get(EventTimeOptions.MAX_OUT_OF_ORDERNESS).toMillis(), 4096));
             KeyedOneInputStreamOperatorTestHarness<SprayKey, SignIn, Alert> counter =
                     ProcessFunctionTestHarnesses.forKeyedProcessFunction(new SprayWindowCounter(spray), spray::keyOf,
                             TypeInformation.of(SprayKey.class))) {
            long offset = 0;
            long maxTs = Long.MIN_VALUE;
            for (List<Record> message : messages) {
                ParsedMessage m = parser.parse(TestRecords.envelope(message).getBytes(StandardCharsets.UTF_8), "hub", 0,
                        offset++, 0);
                gate.processElement(m, m.maxTimestamp);
                for (SignIn s : gate.extractOutputValues()) {
                    if (spray.countsOnTime(s)) counter.processElement(s, s.timestamp);
                }
                gate.getOutput().clear();
                maxTs = Math.max(maxTs, m.maxTimestamp);
                // the source's bounded-out-of-orderness watermark after this message
                counter.processWatermark(new Watermark(maxTs - options.get(EventTimeOptions.MAX_OUT_OF_ORDERNESS).toMillis() - 1));
            }
            counter.processWatermark(new Watermark(Long.MAX_VALUE)); // end of input fires every window
            for (Alert a : counter.extractOutputValues()) {
                r.rawAlerts.add(a);
                r.alerts.add(JSON.readTree(a.document));
            }
            if (gate.getSideOutput(OutputTags.DEAD_LETTERS) != null) {
                gate.getSideOutput(OutputTags.DEAD_LETTERS).forEach(x -> r.deadLetters.add(x.getValue()));
            }
            r.keyedStateEntriesAtEnd = counter.numKeyedStateEntries();
        }
        return r;
    }

    private static List<Record> users(int n, long ts) {
        return IntStream.range(0, n).mapToObj(i -> sprayFailure("user" + i + "@contoso.com", ts)).collect(Collectors.toList());
    }

    @Test
    void shouldAlertWhenThirtyDistinctUsersFailInOneWindow() throws Exception {
        Result r = run(List.of(users(30, T0 + 3 * MIN)));
        assertEquals(1, r.alerts.size());
        JsonNode a = r.alerts.get(0);
        assertEquals("2025-11-14T01:10:00Z", a.at("/@timestamp").asText());
        assertEquals("alert", a.at("/event/kind").asText());
        assertEquals(PasswordSprayDetection.RULE.id, a.at("/rule/id").asText());
        assertEquals(PasswordSprayDetection.RULE.name, a.at("/rule/name").asText());
        assertEquals("[\"T1078.004\",\"T1110.003\"]", a.at("/threat/technique/id").toString());
        assertEquals(TestRecords.TENANT, a.at("/azure/tenant_id").asText());
        assertEquals("2025-11-14T01:00:00Z", a.at("/detection/window/start").asText());
        assertEquals("2025-11-14T01:10:00Z", a.at("/detection/window/end").asText());
        assertEquals(50126, a.at("/azure/signinlogs/properties/status/error_code").asLong());
        assertEquals(30, a.at("/detection/unique_user_count").asLong());
        assertEquals(30, a.at("/user/name").size());
        assertEquals("user0@contoso.com", a.at("/user/name/0").asText());
        assertEquals("user10@contoso.com", a.at("/user/name/1").asText(), "lexicographic order");
        assertEquals("[\"203.0.113.7\"]", a.at("/source/ip").toString());
        assertTrue(a.at("/detection/investigation_guide").asText().length() > 50);
        assertEquals(0, r.keyedStateEntriesAtEnd, "the window's state is gone once it fired");
    }

    @Test
    void shouldNotAlertWithTwentyNineUsers() throws Exception {
        Result r = run(List.of(users(29, T0 + 3 * MIN)));
        assertEquals(0, r.alerts.size());
        assertEquals(0, r.keyedStateEntriesAtEnd, "no leak without an alert either");
    }

    @Test
    void windowsAreAlignedAndEndExclusive() throws Exception {
        List<Record> first = users(15, T0 + 10 * MIN - 1); // 01:09:59.999, window [01:00, 01:10)
        List<Record> second = IntStream.range(15, 30)
                .mapToObj(i -> sprayFailure("user" + i + "@contoso.com", T0 + 10 * MIN)) // 01:10:00.000, next window
                .collect(Collectors.toList());
        assertEquals(0, run(List.of(first, second)).alerts.size(), "15 + 15 across the boundary: no window has 30");
        List<Record> all = new ArrayList<>(first);
        all.addAll(IntStream.range(15, 30).mapToObj(i -> sprayFailure("user" + i + "@contoso.com", T0))
                .collect(Collectors.toList()));
        assertEquals(1, run(List.of(all)).alerts.size(), "01:00:00.000 and 01:09:59.999 share a window");
    }

    @Test
    void duplicatesDoNotChangeTheResult() throws Exception {
        List<Record> records = users(29, T0 + MIN);
        List<Record> redelivered = new ArrayList<>(records);
        records.forEach(rec -> redelivered.add(rec)); // the same records (same properties.id) again
        Result r = run(List.of(records, redelivered));
        assertEquals(0, r.alerts.size(), "29 users delivered twice are still 29");
        List<Record> thirty = users(30, T0 + MIN);
        Result once = run(List.of(thirty));
        Result twice = run(List.of(thirty, thirty));
        assertEquals(once.rawAlerts, twice.rawAlerts, "same alert, same id, same document");
    }

    @Test
    void upnCaseDoesNotInflateTheCount() throws Exception {
        List<Record> records = users(29, T0 + MIN);
        records.add(sprayFailure("USER0@Contoso.com", T0 + 2 * MIN));
        records.add(sprayFailure("User1@CONTOSO.COM", T0 + 2 * MIN));
        assertEquals(0, run(List.of(records)).alerts.size());
        records.add(sprayFailure("New.User@Contoso.com", T0 + 2 * MIN));
        Result r = run(List.of(records));
        assertEquals(1, r.alerts.size());
        assertTrue(r.alerts.get(0).at("/user/name").toString().contains("\"new.user@contoso.com\""), "lower-cased");
    }

    @Test
    void tenantsAndErrorCodesAreCountedSeparately() throws Exception {
        List<Record> records = new ArrayList<>(users(20, T0 + MIN));
        records.addAll(IntStream.range(20, 30).mapToObj(i -> sprayFailure("user" + i + "@contoso.com", T0 + MIN)
                .tenant(TestRecords.OTHER_TENANT)).collect(Collectors.toList()));
        assertEquals(0, run(List.of(records)).alerts.size(), "20 + 10 users in two tenants");
        List<Record> codes = new ArrayList<>(users(20, T0 + MIN));
        codes.addAll(IntStream.range(20, 30).mapToObj(i -> sprayFailure("user" + i + "@contoso.com", T0 + MIN)
                .errorCode(50053)).collect(Collectors.toList()));
        assertEquals(0, run(List.of(codes)).alerts.size(), "20 + 10 users under two error codes");
        List<Record> both = new ArrayList<>(users(30, T0 + MIN));
        both.addAll(IntStream.range(0, 30).mapToObj(i -> sprayFailure("user" + i + "@contoso.com", T0 + MIN)
                .tenant(TestRecords.OTHER_TENANT)).collect(Collectors.toList()));
        Result r = run(List.of(both));
        assertEquals(2, r.alerts.size());
        assertTrue(!r.rawAlerts.get(0).id.equals(r.rawAlerts.get(1).id), "one id per tenant");
    }

    @Test
    void microsoftAsnIsExcludedAndUnknownAsnIsKept() throws Exception {
        List<Record> fromMicrosoft = users(30, T0 + MIN);
        fromMicrosoft.forEach(rec -> rec.asn(8075L));
        assertEquals(0, run(List.of(fromMicrosoft)).alerts.size());
        List<Record> unknown = users(30, T0 + MIN);
        unknown.forEach(rec -> rec.asn(null));
        assertEquals(1, run(List.of(unknown)).alerts.size(), "a spray from an unenriched network is not missed");
        List<Record> mixed = users(29, T0 + MIN);
        mixed.add(sprayFailure("extra@contoso.com", T0 + MIN).asn(8075L));
        assertEquals(0, run(List.of(mixed)).alerts.size(), "the 30th user only from Microsoft's ASN");
    }

    @Test
    void onlyNonInteractiveSingleFactorCountedFailuresAreKept() throws Exception {
        for (java.util.function.Consumer<Record> spoil : List.<java.util.function.Consumer<Record>>of(
                rec -> rec.interactive(true), rec -> rec.interactive(null), rec -> rec.auth("multiFactorAuthentication"),
                rec -> rec.errorCode(50140), rec -> rec.errorCode(0))) {
            List<Record> records = users(29, T0 + MIN);
            Record thirtieth = sprayFailure("user29@contoso.com", T0 + MIN);
            spoil.accept(thirtieth);
            records.add(thirtieth);
            assertEquals(0, run(List.of(records)).alerts.size());
        }
    }

    @Test
    void lateRecordIsRoutedNotCounted() throws Exception {
        List<Record> early = users(29, T0 + MIN);                         // window [01:00, 01:10)
        List<Record> later = List.of(sprayFailure("someone@contoso.com", T0 + 16 * MIN)); // watermark -> 01:11
        List<Record> late = List.of(sprayFailure("user29@contoso.com", T0 + 9 * MIN));    // window ended 01:10
        Result r = run(List.of(early, later, late));
        assertEquals(0, r.alerts.size(), "the 30th user arrived after the window fired");
        assertEquals(1, r.deadLetters.size());
        DeadLetter d = r.deadLetters.get(0);
        assertEquals(DeadLetter.LATE, d.kind);
        assertTrue(d.reason.contains("password-spray (window ended 2025-11-14T01:10:00Z)"), d.reason);
        assertTrue(d.payload.contains("user29@contoso.com"), "the raw record is kept");
        assertEquals(2, d.offset);

        List<Record> justInTime = List.of(sprayFailure("user29@contoso.com", T0 + 9 * MIN));
        List<Record> notYet = List.of(sprayFailure("someone@contoso.com", T0 + 15 * MIN - 1)); // watermark 01:09:59.999
        assertEquals(1, run(List.of(early, notYet, justInTime)).alerts.size(), "4 minutes 59 late is on time");
    }

    @Test
    void lateIsJudgedPerDetectionWindowNotPerRecordAge() {
        SignIn s = TestRecords.signIn("a@x", T0 + MIN);
        s.arrivalWatermark = T0 + 5 * MIN; // 4 minutes behind the watermark, window still open
        assertTrue(spray.countsOnTime(s));
        s.arrivalWatermark = T0 + 10 * MIN;
        assertTrue(spray.isLate(s), "window end == watermark: late");
        assertEquals(T0 + 10 * MIN, spray.windowEnd(T0 + 10 * MIN - 1));
        assertEquals(T0 + 20 * MIN, spray.windowEnd(T0 + 10 * MIN));
        assertEquals(0, Detection.alignedStart(-1, 600_000) + 600_000, "aligned to the epoch before 1970 too");
    }
}
