package io.entrawatch.ingest;

import io.entrawatch.RealSamples;
import io.entrawatch.TestRecords;
import io.entrawatch.enrich.AsnOrganizations;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.SignIn;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignInParserTest {
    private final SignInParser parser = new SignInParser(AsnOrganizations.builtIn(), SignInParser.DEFAULT_MAX_MESSAGE_BYTES, 4096);

    private ParsedMessage parse(String body) {
        return parser.parse(body.getBytes(StandardCharsets.UTF_8), "hub", 3, 42, 1000);
    }

    private SignIn only(String body) {
        ParsedMessage m = parse(body);
        assertEquals(List.of(), m.deadLetters, "dead letters");
        assertEquals(1, m.signIns.size(), "sign-ins");
        return m.signIns.get(0);
    }

    private static long t(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void everyRealSampleRecordIsHandledWithoutAnException() throws Exception {
        int records = 0, signIns = 0, skipped = 0, malformed = 0;
        for (Path file : RealSamples.logFiles()) {
            for (String line : RealSamples.records(file.getFileName().toString())) {
                ParsedMessage m = parse(line);
                assertEquals(1, m.records, file + ": one record per line");
                assertEquals(1, m.signIns.size() + m.skipped + m.deadLetters.size(), file + ": " + line);
                records++;
                signIns += m.signIns.size();
                skipped += m.skipped;
                malformed += m.deadLetters.size();
            }
        }
        // 50 records: 2 of categories no detection reads (ADFS, MicrosoftServicePrincipal), 11 time-format
        // corner cases that have no tenant, and the PascalCase record that has no 'category'.
        assertEquals(50, records);
        assertEquals(2, skipped);
        assertEquals(12, malformed);
        assertEquals(36, signIns);
    }

    @Test
    void wholeSampleFilesAsOneBareArrayAndAsOneEnvelope() throws Exception {
        List<String> lines = RealSamples.records("test-non-interactive-user-sample.log");
        String array = "[" + String.join(",", lines) + "]";
        ParsedMessage a = parse(array);
        assertEquals(15, a.signIns.size());
        ParsedMessage e = parse("{\"records\":" + array + "}");
        assertEquals(a.signIns, e.signIns);
        assertEquals(t("2022-01-24T05:12:49.970Z"), e.maxTimestamp, "out-of-order records: max is record 7");
    }

    @Test
    void nonInteractiveSingleFactorSample() throws Exception {
        SignIn s = only(RealSamples.records("test-non-interactive-user.log").get(0));
        assertEquals(t("2021-07-30T11:20:59.778Z"), s.timestamp);
        assertEquals("22222222-902d-4dea-8026-5a790862fede", s.tenantId);
        assertEquals("NonInteractiveUserSignInLogs", s.category);
        assertEquals("AADNonInteractiveUserSignInLogs", s.table());
        assertEquals("hello.world@company.de", s.userPrincipalName);
        assertEquals("0", s.resultType);
        assertEquals(0, s.errorCode);
        assertTrue(s.success);
        assertEquals(Boolean.FALSE, s.isInteractive);
        assertEquals("singleFactorAuthentication", s.authenticationRequirement);
        assertEquals("11.22.33.44", s.ipAddress);
        assertEquals(3320L, s.asn);
        assertNull(s.asOrganization);
        assertEquals("22222222-bce4-4aaf-ab1b-5451cc387264", s.appId);
        assertEquals("Microsoft Teams", s.appDisplayName);
        assertTrue(s.userAgent.startsWith("Mozilla/5.0 (Windows"));
        assertEquals("22222222-fb7b-4f83-bf74-3876f9ef3900", s.id);
    }

    @Test
    void failureWithOffsetTimeAndCallerIpFallbackNotUsedWhenPropertiesHaveIp() throws Exception {
        List<String> records = RealSamples.records("test-signinlogs.log");
        SignIn first = only(records.get(0));
        assertEquals(t("2019-10-18T09:45:48.072Z"), first.timestamp, "createdDateTime -05:00 wins over time");
        assertEquals(50140, first.errorCode);
        assertEquals("50140", first.resultType);
        assertFalse(first.success);
        assertTrue(first.resultDescription.startsWith("This error occurred due to 'Keep me signed in'"));
        assertEquals("8a4de8b5-095c-47d0-a96f-a75130c61d53", first.tenantId);
        SignIn second = only(records.get(1));
        assertEquals("81.171.241.231", second.ipAddress, "properties.ipAddress wins over callerIpAddress 8.8.8.8");
        assertEquals("c3813493-bf92-5123-2717-8a8b2979c38b", second.userPrincipalName);
    }

    @Test
    void createdDateTimeWinsAndTimeIsTheFallback() throws Exception {
        List<String> records = RealSamples.records("test-created-datetime-timestamp.log");
        assertEquals(t("2026-07-10T20:01:51.924Z"), only(records.get(0)).timestamp);
        assertEquals(t("2026-07-10T20:03:31.273Z"), only(records.get(1)).timestamp, "no createdDateTime: time");
    }

    @Test
    void servicePrincipalWithNullUserIdAndEmptyUpn() throws Exception {
        SignIn sp = only(RealSamples.records("test-service-principal.log").get(0));
        assertNull(sp.userPrincipalName);
        assertEquals(7000222, sp.errorCode);
        assertEquals("1111111111-902d-4dea-8026-5a790862fede", sp.tenantId);
        SignIn alt = only(RealSamples.records("test-alternative-time-and-duration-as-string.log").get(0));
        assertNull(alt.userPrincipalName, "empty UPN is absent");
        assertEquals(t("2025-11-14T01:46:16.428Z"), alt.timestamp);
        assertEquals(7545L, alt.asn);
        assertEquals("SUCCESS", alt.resultSignature);
    }

    @Test
    void otherCategoriesAreSkippedNotDeadLettered() throws Exception {
        ParsedMessage adfs = parse(RealSamples.records("test-adfs-signin.log").get(0));
        assertEquals(1, adfs.skipped);
        assertTrue(adfs.deadLetters.isEmpty());
        ParsedMessage raw = parse("[" + String.join(",", RealSamples.records("test-signinlogs-raw.log")) + "]");
        assertEquals(4, raw.signIns.size());
        assertEquals(1, raw.skipped, "MicrosoftServicePrincipalSignInLogs");
    }

    @Test
    void timeFormatCornerCasesParseButHaveNoTenant() throws Exception {
        for (String line : RealSamples.records("test-time-formats-corner-cases.log")) {
            ParsedMessage m = parse(line);
            assertEquals(1, m.deadLetters.size());
            assertTrue(m.deadLetters.get(0).reason.startsWith("record has no tenant"), m.deadLetters.get(0).reason);
        }
    }

    @Test
    void pascalCaseLogAnalyticsExportIsDeadLettered() throws Exception {
        ParsedMessage m = parse(RealSamples.records("test-invalid-time.log").get(0));
        assertEquals("record has no category", m.deadLetters.get(0).reason);
    }

    @Test
    void normalisesCaseStringNumbersAndFallbacks() {
        SignIn s = only("{\"category\":\"SignInLogs\",\"time\":\"11/14/2025 1:48:53 AM\","
                + "\"resourceId\":\"/TENANTS/abc-123/providers/Microsoft.aadiam\",\"resultType\":\"50126\","
                + "\"callerIpAddress\":\"2001:DB8::1\",\"properties\":{\"userPrincipalName\":\"Bob@Contoso.COM\","
                + "\"autonomousSystemNumber\":\"8075\",\"isInteractive\":\"false\",\"status\":{\"failureReason\":\"Invalid password\"},"
                + "\"userAgent\":\"\"}}");
        assertEquals("abc-123", s.tenantId);
        assertEquals("bob@contoso.com", s.userPrincipalName);
        assertEquals(50126, s.errorCode, "from resultType");
        assertFalse(s.success);
        assertEquals("2001:db8::1", s.ipAddress);
        assertEquals(8075L, s.asn);
        assertEquals(AsnOrganizations.MICROSOFT, s.asOrganization);
        assertEquals(Boolean.FALSE, s.isInteractive);
        assertEquals("Invalid password", s.resultDescription);
        assertNull(s.userAgent);
        assertEquals(t("2025-11-14T01:48:53Z"), s.timestamp);
    }

    @Test
    void statusErrorCodeAsStringIsCoercedAndWinsOverResultType() {
        SignIn s = only("{\"category\":\"SignInLogs\",\"time\":\"2025-01-01T00:00:00Z\",\"tenantId\":\"t\","
                + "\"resultType\":\"weird\",\"properties\":{\"status\":{\"errorCode\":\"50053\"},\"resourceTenantId\":\"x\"}}");
        assertEquals(50053, s.errorCode);
        assertEquals("weird", s.resultType);
    }

    @Test
    void tenantFallsBackToResourceTenantId() {
        assertEquals("rt", only("{\"category\":\"SignInLogs\",\"time\":\"2025-01-01T00:00:00Z\",\"tenantId\":\"\","
                + "\"properties\":{\"resourceTenantId\":\"rt\"}}").tenantId);
    }

    @Test
    void resultTypeIsFilledFromTheErrorCodeAndAbsentCodesMeanSuccess() {
        SignIn s = only("{\"category\":\"SignInLogs\",\"time\":\"2025-01-01T00:00:00Z\",\"tenantId\":\"t\","
                + "\"properties\":{\"status\":{\"errorCode\":50126}}}");
        assertEquals("50126", s.resultType);
        SignIn none = only("{\"category\":\"SignInLogs\",\"time\":\"2025-01-01T00:00:00Z\",\"tenantId\":\"t\"}");
        assertNull(none.errorCode);
        assertTrue(none.success, "errorCode absent: success");
        assertNull(none.isInteractive, "absent isInteractive stays unknown");
    }

    @Test
    void malformedRecordsAreDeadLetteredWithReasonsAndTheRestFlows() {
        String ok = TestRecords.sprayFailure("a@x", TestRecords.T0).json();
        ParsedMessage m = parse("{\"records\":[" + ok
                + ",{\"category\":\"SignInLogs\",\"tenantId\":\"t\",\"time\":\"not a time\"}"
                + ",{\"category\":\"SignInLogs\",\"tenantId\":\"t\"}"
                + ",{\"category\":\"SignInLogs\",\"time\":\"2025-01-01T00:00:00Z\"}"
                + ",{\"category\":\"SignInLogs\",\"time\":\"2025-01-01T00:00:00Z\",\"tenantId\":\"t\",\"resultType\":\"abc\"}"
                + ",{\"category\":\"SignInLogs\",\"time\":\"2025-01-01T00:00:00Z\",\"tenantId\":{\"x\":1}}"
                + ",{\"category\":\"SignInLogs\",\"time\":\"2025-01-01T00:00:00Z\",\"tenantId\":\"t\",\"properties\":{\"isInteractive\":7}}"
                + ",{\"category\":\"SignInLogs\",\"time\":\"2025-01-01T00:00:00Z\",\"tenantId\":\"t\",\"properties\":{\"autonomousSystemNumber\":\"AS1\"}}"
                + ",{\"category\":\"SignInLogs\",\"time\":\"2025-01-01T00:00:00Z\",\"tenantId\":\"t\",\"properties\":\"x\"}"
                + ",42"
                + ",{\"category\":\"AuditLogs\"}"
                + "," + ok + "]}");
        assertEquals(2, m.signIns.size());
        assertEquals(1, m.skipped);
        assertEquals(12, m.records);
        List<String> reasons = m.deadLetters.stream().map(d -> d.reason).collect(java.util.stream.Collectors.toList());
        assertEquals(List.of(
                "timestamp 'not a time' (time) is not a time",
                "record has no timestamp (properties.createdDateTime or time)",
                "record has no tenant (tenantId, resourceId /tenants/{id}/ or properties.resourceTenantId)",
                "resultType 'abc' is not a number (and no properties.status.errorCode)",
                "tenantId is an object, expected a string",
                "properties.isInteractive is a number, expected a boolean",
                "properties.autonomousSystemNumber 'AS1' is not a number",
                "properties is a string, expected an object",
                "record 9 is not a JSON object (VALUE_NUMBER_INT)"), reasons);
        DeadLetter d = m.deadLetters.get(0);
        assertEquals(DeadLetter.MALFORMED, d.kind);
        assertEquals("hub", d.topic);
        assertEquals(3, d.partition);
        assertEquals(42, d.offset);
        assertEquals(1, d.recordIndex);
        assertEquals("{\"category\":\"SignInLogs\",\"tenantId\":\"t\",\"time\":\"not a time\"}", d.payload,
                "the payload is the record's own raw bytes");
    }

    @Test
    void invalidJsonKeepsWhatCameBefore() {
        String ok = TestRecords.sprayFailure("a@x", TestRecords.T0).json();
        ParsedMessage m = parse("{\"records\":[" + ok + ",{\"category\":\"Sig");
        assertEquals(1, m.signIns.size());
        assertEquals(1, m.deadLetters.size());
        assertTrue(m.deadLetters.get(0).reason.startsWith("invalid JSON"), m.deadLetters.get(0).reason);
    }

    @Test
    void wholeMessageProblems() {
        assertTrue(parse("").deadLetters.get(0).reason.equals("empty message"));
        assertTrue(parse("not json").deadLetters.get(0).reason.startsWith("invalid JSON"));
        assertTrue(parse("\"a string\"").deadLetters.get(0).reason.startsWith("message is not a JSON object or array"));
        assertTrue(parse("{}").deadLetters.get(0).reason.startsWith("message has neither a records array"));
        assertTrue(parse("[1,2]").deadLetters.size() == 2);
        byte[] invalidUtf8 = {'{', '"', 'c', 'a', 't', 'e', 'g', 'o', 'r', 'y', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        ParsedMessage bad = parser.parse(invalidUtf8, "hub", 0, 0, 0);
        assertTrue(bad.deadLetters.get(0).reason.startsWith("invalid JSON"), bad.deadLetters.get(0).reason);
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertTrue(parse(deep).deadLetters.get(0).reason.startsWith("invalid JSON"));
        byte[] big = new byte[SignInParser.DEFAULT_MAX_MESSAGE_BYTES + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        ParsedMessage huge = parser.parse(big, "hub", 0, 0, 0);
        assertTrue(huge.deadLetters.get(0).reason.startsWith("message of 1048577 bytes exceeds the limit"));
        assertEquals(4096, huge.deadLetters.get(0).payload.length(), "payload truncated");
        assertEquals(1048577, huge.deadLetters.get(0).payloadBytes);
    }
}
