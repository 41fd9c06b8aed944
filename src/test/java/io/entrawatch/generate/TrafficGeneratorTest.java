package io.entrawatch.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Properties of the generated traffic, checked on the parsed output (not on generator internals).
 * One 12-hour run with every attack planted is generated once and shared.
 */
class TrafficGeneratorTest {
    static final long FOUR_MINUTES_MS = 4 * 60_000L;
    static final GeneratorConfig SHARED = GeneratorConfig.builder()
            .seed(7)
            .start(Instant.parse("2025-11-14T00:00:00Z"))
            .duration(Duration.ofHours(12))
            .tenants(3)
            .usersPerTenant(200)
            .ratePerSecond(1.0)
            .outOfOrderFraction(0.05)
            .duplicateFraction(0.02)
            .nonSignInFraction(0.03)
            .build();

    static TrafficGenerator generator;
    static GroundTruth truth;
    static List<ParsedRecord> records;
    static List<ParsedRecord.Message> messages;

    @BeforeAll
    static void generateOnce() {
        generator = new TrafficGenerator(SHARED);
        truth = generator.groundTruth();
        records = new ArrayList<>();
        messages = ParsedRecord.parse(generator.messageBytes(), false, records::add);
    }

    private static byte[] digest(Iterator<byte[]> it) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        while (it.hasNext()) {
            md.update(it.next());
            md.update((byte) '\n');
        }
        return md.digest();
    }

    @Test
    void sameSeedGivesIdenticalBytesAndAnotherSeedDoesNot() throws Exception {
        GeneratorConfig cfg = SHARED.toBuilder().duration(Duration.ofHours(10)).ratePerSecond(0.5).build();
        byte[] a = digest(new TrafficGenerator(cfg).messageBytes());
        byte[] b = digest(new TrafficGenerator(cfg).messageBytes());
        TrafficGenerator again = new TrafficGenerator(cfg);
        digest(again.messageBytes());
        byte[] c = digest(again.messageBytes()); // a second pass over the same generator
        assertArrayEquals(a, b);
        assertArrayEquals(a, c);
        byte[] other = digest(new TrafficGenerator(cfg.toBuilder().seed(8).build()).messageBytes());
        assertFalse(java.util.Arrays.equals(a, other), "seed 8 produced the same bytes as seed 7");
        assertEquals(new TrafficGenerator(cfg).groundTruth().toJson(), new TrafficGenerator(cfg).groundTruth().toJson());
    }

    @Test
    void noRecordLagsTheMaxEventTimeSeenBeforeItByMoreThanFourMinutes() {
        long maxSeen = Long.MIN_VALUE;
        long worst = 0;
        int late = 0;
        for (ParsedRecord r : records) {
            if (maxSeen != Long.MIN_VALUE) {
                long lag = maxSeen - r.timestamp();
                assertTrue(lag <= FOUR_MINUTES_MS, "record " + r.id() + " lags " + lag + " ms in message " + r.message());
                worst = Math.max(worst, lag);
                if (lag > 1000) late++;
            }
            maxSeen = Math.max(maxSeen, r.timestamp());
        }
        // The bound is exercised: records really are out of order, some by minutes.
        assertTrue(worst > 2 * 60_000L, "worst lag only " + worst + " ms");
        assertTrue(late > records.size() * 0.02, late + " records out of order of " + records.size());
    }

    @Test
    void noRecordLagsTheMaxEventTimeOfItsOwnMessageByMoreThanFourMinutes() {
        // A job may stamp a whole message with its largest event time: that must not make a record late.
        Map<Integer, long[]> span = new HashMap<>();
        for (ParsedRecord r : records) {
            long[] s = span.computeIfAbsent(r.message(), k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
            s[0] = Math.min(s[0], r.timestamp());
            s[1] = Math.max(s[1], r.timestamp());
        }
        long worst = 0;
        for (long[] s : span.values()) {
            assertTrue(s[1] - s[0] <= FOUR_MINUTES_MS, "a message spans " + (s[1] - s[0]) + " ms of event time");
            worst = Math.max(worst, s[1] - s[0]);
        }
        assertTrue(worst > 60_000L, "messages never mix delayed and fresh records: " + worst + " ms");
    }

    @Test
    void duplicatesAreByteIdenticalLaterAndRoughlyAsFrequentAsAsked() {
        Map<String, ParsedRecord> first = new HashMap<>();
        int dups = 0;
        for (ParsedRecord r : records) {
            assertNotNull(r.id(), "record without properties.id: " + r.category());
            ParsedRecord f = first.putIfAbsent(r.dedupKey(), r);
            if (f == null) continue;
            dups++;
            assertEquals(f.hash(), r.hash(), "duplicate differs from its original: " + r.id());
            assertTrue(r.message() > f.message(), "duplicate " + r.id() + " not in a later message");
        }
        double fraction = dups / (double) first.size();
        assertTrue(fraction > 0.015 && fraction < 0.025, "duplicate fraction " + fraction + ", asked 0.02");
    }

    @Test
    void everyRecordHasTheFieldsSectionOneReads() {
        int signIns = 0;
        for (ParsedRecord r : records) {
            assertNotNull(r.category(), "record without category");
            assertNotNull(r.tenantId(), "no tenant in " + r.id());
            assertNotNull(r.timestamp(), "no timestamp in " + r.id());
            if (!r.isSignIn()) continue;
            signIns++;
            assertNotNull(r.resultType(), "no resultType in " + r.id());
            assertNotNull(r.errorCode(), "no errorCode in " + r.id());
            assertEquals(r.resultType(), r.errorCode().toString(), "resultType and status.errorCode disagree in " + r.id());
            assertNotNull(r.appId(), "no appId in " + r.id());
            assertNotNull(r.isInteractive(), "no isInteractive in " + r.id());
            if (r.category().equals("SignInLogs") || r.category().equals("NonInteractiveUserSignInLogs")) {
                assertNotNull(r.upn(), "user sign-in without userPrincipalName: " + r.id());
                assertNotNull(r.ip(), "user sign-in without IP: " + r.id());
                assertNotNull(r.authenticationRequirement(), "no authenticationRequirement in " + r.id());
            }
        }
        assertTrue(signIns > records.size() * 0.9, "only " + signIns + " sign-ins");
    }

    @Test
    void recordsCarryTheNestingAndQuirksOfRealOnes() {
        // Keep the JSON trees of a small run to look at shapes and quirks.
        GeneratorConfig cfg = SHARED.toBuilder().duration(Duration.ofHours(2)).ratePerSecond(1.5).noAttacks().build();
        List<ParsedRecord> withNodes = new ArrayList<>();
        ParsedRecord.parse(new TrafficGenerator(cfg).messageBytes(), true, withNodes::add);
        Map<String, Integer> quirks = new TreeMap<>();
        for (ParsedRecord r : withNodes) {
            var n = r.node();
            var p = n.path("properties");
            if (n.has("Level")) quirks.merge("Level", 1, Integer::sum);
            if (n.has("level")) quirks.merge("level", 1, Integer::sum);
            if (n.path("durationMs").isTextual()) quirks.merge("durationMs as string", 1, Integer::sum);
            if (n.path("time").asText().contains("/")) quirks.merge("US time", 1, Integer::sum);
            if (!n.has("tenantId")) quirks.merge("no root tenantId", 1, Integer::sum);
            if (!r.isSignIn()) continue;
            assertTrue(p.path("status").has("errorCode"), "status.errorCode missing");
            assertTrue(p.path("location").path("geoCoordinates").isObject(), "location.geoCoordinates missing");
            String created = p.path("createdDateTime").asText();
            if (!created.isEmpty()) {
                assertTrue(created.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}\\+00:00"), created);
                Long time = ParsedRecord.parseTime(n.path("time").asText());
                assertTrue(time >= r.timestamp() - 1000, "time before createdDateTime: " + n.path("time"));
            } else {
                quirks.merge("no createdDateTime", 1, Integer::sum);
            }
            if (r.errorCode() != 0) assertTrue(p.path("status").has("failureReason"), "failure without failureReason");
            switch (r.category()) {
                case "SignInLogs", "NonInteractiveUserSignInLogs" -> {
                    assertTrue(p.path("appliedConditionalAccessPolicies").isArray());
                    assertTrue(p.path("authenticationDetails").isArray());
                    assertTrue(p.path("authenticationProcessingDetails").isArray());
                    assertTrue(p.path("deviceDetail").isObject());
                    if (!p.has("userAgent")) quirks.merge("no userAgent", 1, Integer::sum);
                    if (!p.has("autonomousSystemNumber")) quirks.merge("no ASN", 1, Integer::sum);
                    if (!r.upnRaw().equals(r.upn())) quirks.merge("mixed-case UPN", 1, Integer::sum);
                    if (p.path("autonomousSystemNumber").asLong() == 8075) quirks.merge("ASN 8075", 1, Integer::sum);
                }
                case "ServicePrincipalSignInLogs" -> {
                    if (p.has("userId") && p.get("userId").isNull()) quirks.merge("SP userId null", 1, Integer::sum);
                    assertTrue(p.has("servicePrincipalId"));
                }
                default -> { }
            }
        }
        for (String q : List.of("Level", "level", "durationMs as string", "US time", "no userAgent", "no ASN", "mixed-case UPN",
                "ASN 8075", "SP userId null", "no createdDateTime")) {
            assertTrue(quirks.getOrDefault(q, 0) > 0, "quirk never generated: " + q + " " + quirks);
        }
        // Non-interactive sign-ins dominate, as in real tenants.
        Map<String, Integer> cats = new TreeMap<>();
        for (ParsedRecord r : withNodes) cats.merge(r.category(), 1, Integer::sum);
        assertTrue(cats.get("NonInteractiveUserSignInLogs") > withNodes.size() / 2, cats.toString());
        for (String c : List.of("SignInLogs", "ServicePrincipalSignInLogs", "ManagedIdentitySignInLogs", "AuditLogs")) {
            assertTrue(cats.getOrDefault(c, 0) > 0, "no " + c + ": " + cats);
        }
    }

    @Test
    void averageRecordIsSeveralKilobytes() {
        long bytes = 0;
        int userSignIns = 0;
        long userBytes = 0;
        for (ParsedRecord r : records) {
            bytes += r.size();
            if ("NonInteractiveUserSignInLogs".equals(r.category()) || "SignInLogs".equals(r.category())) {
                userSignIns++;
                userBytes += r.size();
            }
        }
        double avg = bytes / (double) records.size();
        assertTrue(avg > 3000, "average record " + avg + " bytes");
        assertTrue(userBytes / (double) userSignIns > 3500, "average user sign-in " + userBytes / userSignIns + " bytes");
    }

    @Test
    void messagesComeInAllThreeShapesAndStayUnderOneMegabyte() {
        int[] shapes = new int[3];
        int maxRecords = 0;
        for (ParsedRecord.Message m : messages) {
            shapes[m.shape()]++;
            assertTrue(m.bytes() < 1_000_000, "message " + m.index() + " has " + m.bytes() + " bytes");
            maxRecords = Math.max(maxRecords, m.records());
        }
        assertTrue(shapes[0] > shapes[1] + shapes[2], "envelopes should dominate");
        assertTrue(shapes[1] > 0 && shapes[2] > 0, "no bare array or no single record");
        assertTrue(maxRecords > 50, "batches never reach dozens of records");
        double other = records.stream().filter(r -> !r.isSignIn()).count() / (double) records.size();
        assertTrue(other > 0.02 && other < 0.04, "non-sign-in fraction " + other + ", asked 0.03");
    }

    /** Distinct lower-cased (and as-written) UPNs per aligned 10-minute window of A-relevant failures. */
    private static Map<Long, Set<String>[]> sprayWindows(PlantedAttack a) {
        Map<Long, Set<String>[]> windows = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        for (ParsedRecord r : records) {
            if (!a.tenantId().equals(r.tenantId()) || !"NonInteractiveUserSignInLogs".equals(r.category())
                    || !Boolean.FALSE.equals(r.isInteractive()) || !"singleFactorAuthentication".equals(r.authenticationRequirement())
                    || r.errorCode() == null || r.errorCode() != a.errorCode() || r.upn() == null || !seen.add(r.dedupKey())) {
                continue;
            }
            long w = Math.floorDiv(r.timestamp(), 600_000L) * 600_000L;
            @SuppressWarnings("unchecked")
            Set<String>[] sets = windows.computeIfAbsent(w, k -> new Set[] {new TreeSet<>(), new TreeSet<>()});
            sets[0].add(r.upn());
            sets[1].add(r.upnRaw());
        }
        return windows;
    }

    @Test
    void plantedSprayHasThirtyOrMoreUsersInOneAlignedWindowAndTheNearMissExactly29() {
        PlantedAttack spray = truth.attacks(AttackKind.SPRAY).get(0);
        Set<String>[] w = sprayWindows(spray).get(spray.windowStart().toEpochMilli());
        assertNotNull(w, "no spray records in the planted window");
        assertTrue(w[0].size() >= 30, "spray window has " + w[0].size() + " users");
        assertEquals(new TreeSet<>(spray.users()), w[0]);
        assertTrue(spray.ips().stream().noneMatch(ip -> ip.startsWith("40.126.")), "spray from Microsoft");

        PlantedAttack near = truth.attacks(AttackKind.SPRAY_29).get(0);
        Set<String>[] n = sprayWindows(near).get(near.windowStart().toEpochMilli());
        assertEquals(29, n[0].size(), "near miss must have exactly 29 distinct lower-cased users");
        assertTrue(n[1].size() >= 30, "mixed-case spellings should push the raw count to 30+: " + n[1].size());

        PlantedAttack split = truth.attacks(AttackKind.SPRAY_SPLIT).get(0);
        Map<Long, Set<String>[]> sw = sprayWindows(split);
        long boundary = split.windowStart().toEpochMilli() + 600_000L;
        assertEquals(25, sw.get(boundary - 600_000L)[0].size());
        assertEquals(25, sw.get(boundary)[0].size());
        for (Set<String>[] sets : sw.values()) assertTrue(sets[0].size() < 30, "a split window reached 30");

        PlantedAttack noAsn = truth.attacks(AttackKind.SPRAY_NO_ASN).get(0);
        PlantedAttack msAsn = truth.attacks(AttackKind.SPRAY_MICROSOFT_ASN).get(0);
        int noAsnRecords = 0;
        int msRecords = 0;
        for (ParsedRecord r : records) {
            if (r.ip() == null || r.errorCode() == null || r.errorCode() == 0) continue;
            if (noAsn.ips().contains(r.ip())) {
                noAsnRecords++;
                assertEquals(null, r.asn(), "no-asn spray record carries an ASN");
            }
            if (msAsn.ips().contains(r.ip())) {
                msRecords++;
                assertEquals(8075L, r.asn());
            }
        }
        assertTrue(noAsnRecords >= 35 && msRecords >= 40, noAsnRecords + " / " + msRecords);
    }

    private static String alertKey(ExpectedAlert a) {
        return a.key() + "|" + a.count() + (a.severity() == null ? "" : "|" + a.severity() + "|" + a.resultCodes());
    }

    @Test
    void groundTruthEqualsTheReferenceDetectionsRunOverTheWholeOutput() {
        // Everything delivered, de-duplicated on (category, properties.id), normalised per section 1.
        Set<String> seen = new HashSet<>();
        List<ReferenceDetections.Norm> in = new ArrayList<>();
        for (ParsedRecord r : records) {
            if (r.isSignIn() && seen.add(r.dedupKey())) in.add(r.norm());
        }
        in.sort(java.util.Comparator.comparingLong(ReferenceDetections.Norm::ts));
        List<ExpectedAlert> actual = new ArrayList<>();
        actual.addAll(ReferenceDetections.detectionA(in));
        actual.addAll(ReferenceDetections.detectionB(in));
        actual.addAll(ReferenceDetections.detectionC(in));
        actual.addAll(ReferenceDetections.detectionD(in));
        Set<String> got = new TreeSet<>();
        for (ExpectedAlert a : actual) got.add(alertKey(a));
        Set<String> want = new TreeSet<>();
        for (ExpectedAlert a : truth.expectedAlerts()) want.add(alertKey(a));
        assertEquals(want, got, "background traffic raised alerts, or planted ones went missing");

        // And the truth says what the plants promise.
        assertEquals(2, truth.expected("A").size(), "A: the spray and the no-ASN spray");
        PlantedAttack spray = truth.attacks(AttackKind.SPRAY).get(0);
        assertTrue(truth.expected("A").stream().anyMatch(a -> a.windowStart().equals(spray.windowStart())
                && a.count() == spray.users().size()));
        PlantedAttack rare = truth.attacks(AttackKind.RARE_APP).get(0);
        assertTrue(truth.expected("B").stream().anyMatch(a -> a.appId().equals(rare.appId())
                && a.count() == rare.records() && a.windowEnd().equals(rare.windowEnd())), "rare-app alert missing");
        PlantedAttack rare4 = truth.attacks(AttackKind.RARE_APP_4).get(0);
        assertTrue(truth.expected("B").stream().noneMatch(a -> a.appId().equals(rare4.appId())), "rare-app-4 alerted");
        PlantedAttack sso = truth.attacks(AttackKind.SSO_SPRAY).get(0);
        List<ExpectedAlert> c = truth.expected("C");
        assertEquals(sso.ips().size() + 2, c.size(), "C: every IP in AADNonInteractive, two also in SigninLogs");
        assertTrue(c.stream().allMatch(a -> a.count() == sso.users().size() && a.windowStart().equals(sso.windowStart())));
        assertTrue(c.stream().filter(a -> a.table().equals("SigninLogs")).count() == 2);
    }

    @Test
    void oneBusyTenantStillRaisesOnlyThePlantedAlerts() {
        // Every plant and all background in one tenant, twice the rate: the most chances for background
        // traffic to leak into a planted window.
        GeneratorConfig cfg = SHARED.toBuilder().seed(99).tenants(1).ratePerSecond(2.0).build();
        TrafficGenerator g = new TrafficGenerator(cfg);
        Set<String> seen = new HashSet<>();
        List<ReferenceDetections.Norm> in = new ArrayList<>();
        ParsedRecord.parse(g.messageBytes(), false, r -> {
            if (r.isSignIn() && seen.add(r.dedupKey())) in.add(r.norm());
        });
        in.sort(java.util.Comparator.comparingLong(ReferenceDetections.Norm::ts));
        Set<String> got = new TreeSet<>();
        for (ExpectedAlert a : ReferenceDetections.detectionA(in)) got.add(alertKey(a));
        for (ExpectedAlert a : ReferenceDetections.detectionB(in)) got.add(alertKey(a));
        for (ExpectedAlert a : ReferenceDetections.detectionC(in)) got.add(alertKey(a));
        for (ExpectedAlert a : ReferenceDetections.detectionD(in)) got.add(alertKey(a));
        Set<String> want = new TreeSet<>();
        for (ExpectedAlert a : g.groundTruth().expectedAlerts()) want.add(alertKey(a));
        assertEquals(want, got);
        // The background did produce detection-relevant noise (failures with FAILURE_CODES, 81xxx results).
        long noisy = in.stream().filter(n -> n.plant() < 0 && (ErrorCatalog.isFailureCode(n.errorCode())
                || n.resultType().startsWith("81"))).count();
        assertTrue(noisy > 100, "background had only " + noisy + " detection-relevant failures");
    }

    @Test
    void recordCountModeDeliversExactlyThatManyDistinctRecords() {
        GeneratorConfig cfg = SHARED.toBuilder().totalRecords(5_000).build();
        TrafficGenerator g = new TrafficGenerator(cfg);
        TrafficGenerator.MessageIterator it = g.messages();
        while (it.advance() != null) { }
        GeneratorStats s = it.stats(0);
        assertEquals(5_000, s.records());
        Set<String> distinct = new HashSet<>();
        ParsedRecord.parse(g.messageBytes(), false, r -> distinct.add(r.dedupKey()));
        assertEquals(5_000, distinct.size());
        assertEquals(g.groundTruth().attacks().stream().mapToInt(PlantedAttack::records).sum(), s.planted());
    }

    @Test
    void memoryStaysBoundedAtHighRates() {
        // 150 records/s on average for 40 minutes (fewer at night); only delayed records may wait in memory.
        GeneratorConfig cfg = SHARED.toBuilder().duration(Duration.ofMinutes(40)).ratePerSecond(150).noAttacks().build();
        TrafficGenerator.MessageIterator it = new TrafficGenerator(cfg).messages();
        while (it.advance() != null) { }
        long n = it.stats(0).records();
        assertTrue(n > 200_000, n + " records");
        // Expect about rate x (delayed fraction x mean delay + duplicates x their wait) ~ 150 x (0.05 x 80 s + 0.02 x 46 s).
        assertTrue(it.maxQueued() < 2_500, "up to " + it.maxQueued() + " records waited in memory");
    }

    @Test
    void rejectsDelaysAboveFourMinutesAndRunsTooShortForThePlants() {
        assertThrows(IllegalArgumentException.class,
                () -> SHARED.toBuilder().maxDelay(Duration.ofMinutes(5)).build());
        assertThrows(IllegalArgumentException.class,
                () -> new TrafficGenerator(SHARED.toBuilder().duration(Duration.ofHours(3)).build()));
        assertThrows(IllegalArgumentException.class,
                () -> new TrafficGenerator(SHARED.toBuilder().usersPerTenant(30).build()));
    }
}
