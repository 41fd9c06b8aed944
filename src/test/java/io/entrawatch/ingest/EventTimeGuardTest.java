package io.entrawatch.ingest;

import io.entrawatch.TestRecords;
import io.entrawatch.enrich.AsnOrganizations;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventTimeGuardTest {
    private static final long H = 3_600_000L, D = 24 * H;
    private static final long T = 1_763_000_000_000L;

    @Test
    void aLoneFarFutureTimestampDoesNotMoveTheMaximum() {
        EventTimeGuard g = new EventTimeGuard(D);
        g.next(T);
        assertEquals(T, g.next(T + 1000));
        assertEquals(T + 1000, g.next(T + 365 * D)); // judged against the maximum before it
        assertEquals(T + 1000, g.max(), "the outlier is a candidate only");
        assertEquals(T + 1000, g.next(T + 2000), "the next sign-in is not judged against the outlier");
        assertEquals(T + 2000, g.max());
        assertEquals(EventTimeGuard.NONE, g.candidate(), "a normal sign-in forgets the outlier");
    }

    @Test
    void aConfirmedJumpIsJudgedExactlyLikeAPlainMaximum() {
        EventTimeGuard g = new EventTimeGuard(D);
        g.next(T);
        g.next(T + 3 * D); // a gap of three days: candidate
        assertEquals(T + 3 * D, g.next(T + 3 * D - 10 * 60_000L), "confirmed before the next sign-in is judged");
        assertEquals(T + 3 * D, g.max());
    }

    @Test
    void theFirstSignInIsConfirmedByTheSecondAndAFarFutureFirstOneIsNot() {
        EventTimeGuard g = new EventTimeGuard(D);
        assertEquals(EventTimeGuard.NONE, g.next(T));
        assertEquals(T, g.next(T - 60_000L));
        EventTimeGuard h = new EventTimeGuard(D);
        h.next(T + 365 * D);
        assertEquals(EventTimeGuard.NONE, h.next(T));
        assertEquals(T, h.next(T + 1000), "the second ordinary sign-in confirms the first; the outlier is gone");
    }

    /** Ordinary data (disorder within the bound, gaps of any length, each followed by more data): identical. */
    @Test
    void onOrdinaryDataItAgreesWithAPlainMaximumEverywhere() {
        Random rnd = new Random(3);
        EventTimeGuard guarded = new EventTimeGuard(D);
        EventTimeGuard plain = new EventTimeGuard(0);
        long t = T;
        for (int i = 0; i < 100_000; i++) {
            if (rnd.nextInt(5000) == 0) t += (1 + rnd.nextInt(400)) * D; // a gap
            else if (rnd.nextInt(20000) == 0) t -= 30 * D; // a past-dated batch: the next ones are late
            t += rnd.nextInt(2000);
            long ts = t - rnd.nextInt(600_000);
            assertEquals(plain.next(ts), guarded.next(ts), "sign-in " + i);
        }
    }

    @Test
    void theLiveParserDeadLettersSignInsFarAheadOfTheClock() {
        SignInParser parser = new SignInParser(AsnOrganizations.builtIn(), SignInParser.DEFAULT_MAX_MESSAGE_BYTES, 4096)
                .withMaxAheadOfClock(H);
        long now = T;
        byte[] body = TestRecords.envelope(List.of(TestRecords.sprayFailure("soon@x.com", now + 30 * 60_000L),
                TestRecords.sprayFailure("future@x.com", now + 2 * H),
                TestRecords.sprayFailure("past@x.com", now - 400 * D))).getBytes(StandardCharsets.UTF_8);
        ParsedMessage m = parser.parse(body, "hub", 0, 7, now);
        assertEquals(2, m.signIns.size());
        assertEquals(1, m.deadLetters.size());
        String reason = m.deadLetters.get(0).reason;
        assertTrue(reason.contains("ahead of the clock") && reason.contains("PT1H"), reason);
        assertTrue(m.deadLetters.get(0).payload.contains("future@x.com"));
        assertEquals(now + 30 * 60_000L, m.maxTimestamp, "the dead-lettered sign-in does not feed the watermark");

        ParsedMessage off = new SignInParser(AsnOrganizations.builtIn(), SignInParser.DEFAULT_MAX_MESSAGE_BYTES, 4096)
                .parse(body, "hub", 0, 7, now);
        assertEquals(3, off.signIns.size(), "0 = no clock check (jobs/replay)");
    }
}
