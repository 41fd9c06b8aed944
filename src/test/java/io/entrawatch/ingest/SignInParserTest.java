package io.entrawatch.ingest;

import io.entrawatch.SignInFixtures;
import io.entrawatch.TestRecords;
import io.entrawatch.enrich.AsnOrganizations;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.SignIn;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

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

    private static final String T_NORTH = "5f1c0a77-3b2e-4d9a-9c41-0e7d2a6b8f10";
    private static final String T_ALPINE = "b7e40c19-62d5-4f0e-a83b-19c5d7e2f604";
    private static final String T_HARBOR = "e91d3f52-08ac-4b67-b5d2-7c40f1a9e283";
    private static final String T_FLAT = "0c6b2e8d-91f4-4a3c-8e57-d2a1b9f04c66";
    private static final String T_ODD = "7a2c91d04e-5b3f-4c8e-9d21-6e0f4a8b7c35";

    private static long t(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void everyFixtureRecordHasExactlyOneOutcome() {
        int records = 0, signIns = 0, skipped = 0, malformed = 0;
        for (Path file : SignInFixtures.files()) {
            for (String line : SignInFixtures.records(file.getFileName().toString())) {
                ParsedMessage m = parse(line);
                assertEquals(1, m.records, file + ": one record per line");
                assertEquals(1, m.signIns.size() + m.skipped + m.deadLetters.size(), file + ": " + line);
                records++;
                signIns += m.signIns.size();
                skipped += m.skipped;
                malformed += m.deadLetters.size();
            }
        }
        // 47 records: 2 of categories no detection reads (ADFS, MicrosoftServicePrincipal), 12 time-format
        // cases that have no tenant, and 2 PascalCase records that have no 'category'.
        assertEquals(15, SignInFixtures.files().size(), "fixture files (README.md lists each)");
        assertEquals(47, records);
        assertEquals(2, skipped);
        assertEquals(14, malformed);
        assertEquals(31, signIns);
    }

    @Test
    void fiveCategoriesFourReadOneSkipped() {
        List<String> lines = SignInFixtures.records("categories.jsonl");
        ParsedMessage m = parse("[" + String.join(",", lines) + "]");
        assertEquals(List.of(), m.deadLetters);
        assertEquals(1, m.skipped, "MicrosoftServicePrincipalSignInLogs is skipped, not dead-lettered");
        assertEquals(List.of("SigninLogs", "AADNonInteractiveUserSignInLogs", "AADServicePrincipalSignInLogs",
                "AADManagedIdentitySignInLogs"), m.signIns.stream().map(SignIn::table).collect(Collectors.toList()));
        assertEquals(List.of(50126, 50074, 7000215, 500011),
                m.signIns.stream().map(s -> s.errorCode).collect(Collectors.toList()));
        for (SignIn s : m.signIns) {
            assertFalse(s.success, s.toString());
            assertEquals(T_NORTH, s.tenantId);
            assertEquals("None", s.resultSignature);
        }
        SignIn interactive = m.signIns.get(0);
        assertEquals(t("2023-04-11T11:15:31.441Z"), interactive.timestamp, "createdDateTime -04:00");
        assertEquals("The password entered for this account is wrong.", interactive.resultDescription);
        assertEquals("camille.durand@northwind.example", interactive.userPrincipalName);
        assertEquals(Boolean.TRUE, interactive.isInteractive);
        assertEquals("192.0.2.11", interactive.ipAddress);
        assertEquals("A second factor is required to finish this sign-in.", m.signIns.get(1).resultDescription,
                "no root resultDescription: status.failureReason (status.additionalDetails is not read)");
        assertEquals(Boolean.FALSE, m.signIns.get(1).isInteractive);
        assertNull(m.signIns.get(2).userPrincipalName, "service principal: userId null, no UPN");
        assertEquals("50126", interactive.resultType);
        // "Level" is the string "4" in all five: not read, so no problem
        assertTrue(lines.stream().allMatch(l -> l.contains("\"Level\":\"4\"")), "fixture keeps Level as a string");
    }

    @Test
    void wholeFixtureFilesAsOneBareArrayAndAsOneEnvelope() {
        List<String> lines = SignInFixtures.records("non-interactive-out-of-order.jsonl");
        String array = "[" + String.join(",", lines) + "]";
        ParsedMessage a = parse(array);
        assertEquals(8, a.signIns.size());
        ParsedMessage e = parse("{\"records\":" + array + "}");
        assertEquals(a.signIns, e.signIns);
        assertEquals(List.of(), e.deadLetters);
        assertEquals(t("2021-11-08T19:04:57.331Z"), e.maxTimestamp, "out-of-order records: max is record 5 of 8");
        assertEquals(List.of(t("2021-11-08T19:02:13.582Z"), t("2021-11-08T19:02:09.004Z"), t("2021-11-08T19:02:09.771Z"),
                t("2021-11-08T19:02:31.206Z"), t("2021-11-08T19:04:57.331Z"), t("2021-11-08T19:02:30.914Z"),
                t("2021-11-08T19:02:07.625Z"), t("2021-11-08T19:02:32.480Z")),
                e.signIns.stream().map(s -> s.timestamp).collect(Collectors.toList()), "message order is kept, not sorted");
        for (SignIn s : e.signIns) {
            assertNull(s.userAgent, "no userAgent in these records");
            assertEquals("NonInteractiveUserSignInLogs", s.category);
            assertEquals(Boolean.FALSE, s.isInteractive);
            assertEquals("singleFactorAuthentication", s.authenticationRequirement);
            assertTrue(s.success);
            assertEquals(64502L, s.asn);
        }
        assertEquals(3, lines.stream().filter(l -> l.contains("\"mfaDetail\"")).count(), "mfaDetail on some records only");
        assertTrue(lines.get(0).startsWith("{ \"time\": "), "spaced JSON with time first");
    }

    @Test
    void interactiveSuccessesWithUserAgentAndAsn() {
        List<String> lines = SignInFixtures.records("interactive-successes.jsonl");
        SignIn first = only(lines.get(0));
        assertEquals(t("2023-10-02T08:30:11.250Z"), first.timestamp);
        assertEquals(T_ALPINE, first.tenantId);
        assertEquals("ana.souza@alpine.example", first.userPrincipalName, "UPN lower-cased");
        assertTrue(first.success);
        assertEquals(0, first.errorCode);
        assertEquals("0", first.resultType);
        assertEquals(Boolean.TRUE, first.isInteractive);
        assertEquals("singleFactorAuthentication", first.authenticationRequirement);
        assertEquals("203.0.113.101", first.ipAddress);
        assertEquals(8075L, first.asn);
        assertEquals(AsnOrganizations.MICROSOFT, first.asOrganization);
        assertEquals("f0e9d8c7-b6a5-4493-8271-605f4e3d2c1b", first.appId);
        assertEquals("Alpine Intranet", first.appDisplayName);
        assertTrue(first.userAgent.startsWith("Mozilla/5.0 (Windows NT 10.0"), first.userAgent);
        assertEquals("a3c5e7f9-1b2d-4e6f-8a0c-2d4f6a8c0e01", first.id);
        SignIn second = only(lines.get(1));
        assertEquals(64500L, second.asn);
        assertNull(second.asOrganization, "ASN not in the table");
        assertTrue(second.userAgent.contains("Firefox/119.0"), second.userAgent);
    }

    @Test
    void nonInteractiveSingleFactorWithManyPoliciesAndNonAsciiText() {
        SignIn s = only(SignInFixtures.line("non-interactive-single-factor.jsonl", 1));
        assertEquals(t("2022-06-14T16:42:03.908Z"), s.timestamp);
        assertEquals(T_ALPINE, s.tenantId);
        assertEquals("NonInteractiveUserSignInLogs", s.category);
        assertEquals("AADNonInteractiveUserSignInLogs", s.table());
        assertEquals("juergen.weiss@alpine.example", s.userPrincipalName);
        assertEquals("0", s.resultType);
        assertEquals(0, s.errorCode);
        assertTrue(s.success);
        assertEquals(Boolean.FALSE, s.isInteractive);
        assertEquals("singleFactorAuthentication", s.authenticationRequirement);
        assertEquals("198.51.100.141", s.ipAddress);
        assertEquals(64501L, s.asn);
        assertNull(s.asOrganization);
        assertEquals("e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f70819", s.appId);
        assertEquals("Kalender f\u00fcr Au\u00dfendienst", s.appDisplayName, "UTF-8 decoded");
        assertTrue(s.userAgent.startsWith("Mozilla/5.0 (Windows"));
        assertEquals("b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e", s.id, "read after seven skipped policies");
        assertNull(s.resultDescription);
    }

    @Test
    void nonInteractiveMfaByClaimWithEscapes() {
        String line = SignInFixtures.line("non-interactive-mfa-claim.jsonl", 1);
        assertTrue(line.contains("\\\\\\\\u0026"), "fixture keeps the doubly escaped \\u0026 (four backslashes in the file)");
        assertTrue(line.contains("Mail \\u0026 Calendar"), "fixture keeps a plain \\u0026 escape");
        SignIn s = only(line);
        assertEquals("Mail & Calendar", s.appDisplayName, "JSON escape decoded");
        assertEquals("multiFactorAuthentication", s.authenticationRequirement);
        assertTrue(s.success);
        assertNull(s.resultDescription, "status.additionalDetails is not a failure reason");
        assertEquals(Boolean.FALSE, s.isInteractive);
        assertEquals("2001:db8:4a::17", s.ipAddress, "IPv6 lower-cased");
        assertEquals(8075L, s.asn);
        assertEquals("5c4b3a29-1807-4f6e-9d5c-4b3a29180706", s.id, "read after the policy holding the escapes");
        assertEquals(t("2023-01-17T13:05:22.660Z"), s.timestamp);
    }

    @Test
    void failureWithOffsetTimeAndCallerIpFallbackNotUsedWhenPropertiesHaveIp() {
        List<String> records = SignInFixtures.records("interactive-failures.jsonl");
        SignIn first = only(records.get(0));
        assertEquals(t("2024-03-01T03:58:07.123Z"), first.timestamp,
                "createdDateTime -05:00 (previous day locally) wins over time, 2 s later");
        assertEquals(50053, first.errorCode);
        assertEquals("50053", first.resultType);
        assertFalse(first.success);
        assertEquals("The account is locked after too many wrong passwords.", first.resultDescription);
        assertEquals(T_HARBOR, first.tenantId);
        assertEquals("198.51.100.23", first.ipAddress);
        SignIn second = only(records.get(1));
        assertEquals("198.51.100.77", second.ipAddress, "properties.ipAddress wins over callerIpAddress 203.0.113.50");
        assertEquals("4f0e9b2a-7c1d-4e3b-a6f8-d5c2b1a09e87", second.userPrincipalName, "a GUID UPN is kept, lower-cased");
    }

    @Test
    void createdDateTimeWinsAndTimeIsTheFallback() {
        List<String> records = SignInFixtures.records("created-vs-time.jsonl");
        assertEquals(t("2024-11-30T23:57:32.041Z"), only(records.get(0)).timestamp, "time is 1 min 40 s later");
        assertEquals(t("2024-11-30T23:59:12.086Z"), only(records.get(1)).timestamp, "no createdDateTime: time");
    }

    @Test
    void servicePrincipalWithNullUserIdAndEmptyUpn() {
        SignIn sp = only(SignInFixtures.line("service-principal-failure.jsonl", 1));
        assertNull(sp.userPrincipalName);
        assertEquals(7000222, sp.errorCode);
        assertEquals("7000222", sp.resultType);
        assertFalse(sp.success);
        assertEquals(T_ODD, sp.tenantId, "a tenant id that is not a well-formed GUID is kept as is");
        assertEquals("AADServicePrincipalSignInLogs", sp.table());
        assertEquals(t("2020-09-03T02:17:45.881Z"), sp.timestamp);
        List<String> ok = SignInFixtures.records("service-principal-successes.jsonl");
        assertEquals(4, ok.size());
        for (String line : ok) {
            SignIn s = only(line);
            assertNull(s.userPrincipalName);
            assertTrue(s.success);
            assertEquals(Boolean.FALSE, s.isInteractive);
            assertEquals("ServicePrincipalSignInLogs", s.category);
        }
        List<String> alts = SignInFixtures.records("service-principal-us-time-string-duration.jsonl");
        SignIn alt = only(alts.get(0));
        assertNull(alt.userPrincipalName, "empty UPN is absent");
        assertNull(alt.userAgent, "empty userAgent is absent");
        assertEquals(t("2025-03-02T16:05:44.102Z"), alt.timestamp, "createdDateTime wins over the US-format time");
        assertEquals(64503L, alt.asn);
        assertEquals("SUCCESS", alt.resultSignature);
        assertTrue(alt.success);
        assertEquals(T_FLAT, alt.tenantId);
        assertEquals(t("2025-03-02T00:09:03Z"), only(alts.get(1)).timestamp, "no createdDateTime: US-format time, 12 AM is 00");
        assertTrue(alts.stream().allMatch(l -> l.contains("\"durationMs\":\"0\"") && l.contains("\"level\":\"Informational\"")),
                "fixture keeps durationMs as a string and a lower-case, textual level");
    }

    @Test
    void otherCategoriesAreSkippedNotDeadLettered() {
        String adfsLine = SignInFixtures.line("adfs.jsonl", 1);
        assertTrue(adfsLine.contains("\"time\":\"5/20/2025 8:18:40 PM\"") && adfsLine.contains("\"durationMs\":\"0\""));
        ParsedMessage adfs = parse(adfsLine);
        assertEquals(1, adfs.skipped);
        assertTrue(adfs.deadLetters.isEmpty());
        assertTrue(adfs.signIns.isEmpty());
        ParsedMessage raw = parse("[" + String.join(",", SignInFixtures.records("categories.jsonl")) + "]");
        assertEquals(4, raw.signIns.size());
        assertEquals(1, raw.skipped, "MicrosoftServicePrincipalSignInLogs");
    }

    @Test
    void timeFormatCornerCasesParseButHaveNoTenant() {
        List<String> expected = List.of("2016-03-05T14:27:06Z", "2016-03-05T14:27:06Z", "2016-03-05T14:27:06Z",
                "2016-03-05T14:27:06Z", "2016-03-05T14:27:06Z", "2016-03-05T00:27:06Z", "2016-03-05T14:27:06Z",
                "2016-03-05T14:27:06.410Z", "2016-03-05T14:27:06.331Z", "2016-03-05T14:27:06.123Z",
                "2016-03-05T14:27:06.250Z", "2016-03-05T14:27:06Z");
        List<String> lines = SignInFixtures.records("time-formats.jsonl");
        assertEquals(expected.size(), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            ParsedMessage m = parse(line);
            assertEquals(1, m.deadLetters.size(), line);
            assertTrue(m.deadLetters.get(0).reason.startsWith("record has no tenant"), m.deadLetters.get(0).reason);
            // the same record with a tenant: the time itself is understood
            SignIn s = only("{\"tenantId\":\"t\"," + line.substring(1));
            assertEquals(t(expected.get(i)), s.timestamp, line);
        }
    }

    @Test
    void pascalCaseLogAnalyticsExportIsDeadLettered() {
        for (String line : SignInFixtures.records("pascal-case.jsonl")) {
            ParsedMessage m = parse(line);
            assertEquals(1, m.deadLetters.size(), line);
            assertEquals("record has no category", m.deadLetters.get(0).reason);
            assertEquals(line, m.deadLetters.get(0).payload);
        }
    }

    @Test
    void flatRecordsWithoutPropertiesUseTheRootFields() {
        List<String> lines = SignInFixtures.records("flat.jsonl");
        SignIn noProperties = only(lines.get(0));
        assertEquals(T_FLAT, noProperties.tenantId, "from resourceId /TENANTS/{id}/ (any case)");
        assertEquals(t("2024-05-06T10:00:04.500Z"), noProperties.timestamp, "time");
        assertEquals(50126, noProperties.errorCode, "from resultType");
        assertFalse(noProperties.success);
        assertEquals("2001:db8::beef", noProperties.ipAddress, "callerIpAddress, lower-cased");
        assertEquals("The password entered for this account is wrong.", noProperties.resultDescription);
        assertNull(noProperties.userPrincipalName);
        assertNull(noProperties.isInteractive, "unknown, not false");
        assertNull(noProperties.id);
        assertNull(noProperties.asn);
        SignIn nullProperties = only(lines.get(1));
        assertEquals(T_FLAT, nullProperties.tenantId);
        assertEquals(t("2024-05-06T10:00:09Z"), nullProperties.timestamp, "US-format time, no offset: UTC");
        assertEquals("50053", nullProperties.resultType, "resultType sent as a number");
        assertEquals(50053, nullProperties.errorCode);
        assertEquals("203.0.113.201", nullProperties.ipAddress);
        SignIn resourceTenant = only(lines.get(2));
        assertEquals(T_FLAT, resourceTenant.tenantId, "empty tenantId: properties.resourceTenantId");
        assertTrue(resourceTenant.success);
        assertEquals(0, resourceTenant.errorCode);
        assertNull(resourceTenant.ipAddress, "no IP anywhere");
    }

    @Test
    void numbersAndBooleansSentAsStrings() {
        SignIn s = only(SignInFixtures.line("numbers-as-strings.jsonl", 1));
        assertEquals(50126, s.errorCode, "properties.status.errorCode \"50126\"");
        assertFalse(s.success);
        assertEquals(8075L, s.asn, "autonomousSystemNumber \"8075\"");
        assertEquals(AsnOrganizations.MICROSOFT, s.asOrganization);
        assertEquals(Boolean.TRUE, s.isInteractive, "isInteractive \"true\"");
        assertEquals("ines.costa@northwind.example", s.userPrincipalName);
        assertEquals("The password entered for this account is wrong.", s.resultDescription, "status.failureReason");
        assertEquals(t("2024-05-06T11:22:33.444Z"), s.timestamp);
        assertEquals(T_NORTH, s.tenantId);
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
