package io.entrawatch.ingest;

import io.entrawatch.RealSamples;
import io.entrawatch.SignInFixtures;
import io.entrawatch.enrich.AsnOrganizations;
import io.entrawatch.model.SignIn;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The parser against the published Entra samples in ../shared/data/real-samples, and a check that the
 * project's own fixtures (SignInParserTest) still reproduce each published file. The samples are not in
 * the repository: without them beside the checkout every test here is reported as skipped, with the reason.
 */
class PublishedSamplesTest {
    /** Each published file and the fixture that reproduces its quirks (fixtures/sign-ins/README.md). */
    static final Map<String, String> FIXTURE_OF = Map.ofEntries(
            entry("test-signinlogs-raw.log", "categories.jsonl"),
            entry("test-signinlogs.log", "interactive-failures.jsonl"),
            entry("test-signinlogs-sample.log", "interactive-successes.jsonl"),
            entry("test-non-interactive-user.log", "non-interactive-single-factor.jsonl"),
            entry("test-non-interactive-user-signin.log", "non-interactive-mfa-claim.jsonl"),
            entry("test-non-interactive-user-sample.log", "non-interactive-out-of-order.jsonl"),
            entry("test-service-principal.log", "service-principal-failure.jsonl"),
            entry("test-service-principal-signinlogs-sample.log", "service-principal-successes.jsonl"),
            entry("test-adfs-signin.log", "adfs.jsonl"),
            entry("test-alternative-time-and-duration-as-string.log", "service-principal-us-time-string-duration.jsonl"),
            entry("test-time-formats-corner-cases.log", "time-formats.jsonl"),
            entry("test-created-datetime-timestamp.log", "created-vs-time.jsonl"),
            entry("test-invalid-time.log", "pascal-case.jsonl"));

    private final SignInParser parser = new SignInParser(AsnOrganizations.builtIn(), SignInParser.DEFAULT_MAX_MESSAGE_BYTES, 4096);

    @BeforeAll
    static void sayWhetherTheSamplesAreThere() {
        if (RealSamples.available()) {
            System.out.println("PublishedSamplesTest: checking the published samples in " + RealSamples.DIR);
        } else {
            System.out.println("PublishedSamplesTest SKIPPED: " + RealSamples.absentReason());
        }
    }

    /** Per test, not per class, so that each test is reported as skipped, with the reason. */
    @BeforeEach
    void samplesBesideTheCheckout() {
        assumeTrue(RealSamples.available(), RealSamples.absentReason());
    }

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

    /** What the parser made of one record: its category when read, else skipped or the dead letter's reason. */
    private Set<String> outcomes(List<String> lines) {
        Set<String> out = new TreeSet<>();
        for (String line : lines) {
            ParsedMessage m = parse(line);
            for (SignIn s : m.signIns) out.add("sign-in " + s.category + (s.success ? " success" : " failure"));
            if (m.skipped > 0) out.add("skipped");
            m.deadLetters.forEach(d -> out.add("dead letter: " + d.reason));
        }
        return out;
    }

    @Test
    void everyPublishedFileHasAFixtureWithTheSameOutcomes() throws Exception {
        Set<String> files = RealSamples.logFiles().stream().map(p -> p.getFileName().toString())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(FIXTURE_OF.keySet()), files, "a published file without a fixture (or the reverse)");
        for (String file : files) {
            String fixture = FIXTURE_OF.get(file);
            assertEquals(outcomes(RealSamples.records(file)), outcomes(SignInFixtures.records(fixture)),
                    file + " vs fixtures/sign-ins/" + fixture);
        }
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
}
