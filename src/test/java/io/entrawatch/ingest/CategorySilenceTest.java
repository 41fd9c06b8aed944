package io.entrawatch.ingest;

import io.entrawatch.model.Categories;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The category silence warning on a clock the test sets: {@link CategorySilence} on its own, and
 * {@link CategorySilenceWatch} in Flink's operator harness (its periodic check runs on the harness's
 * processing time).
 */
class CategorySilenceTest {
    private static final long MIN = 60_000;
    private static final long HOUR = 60 * MIN;
    private static final long T0 = 1_763_078_400_000L; // 2025-11-14T00:00:00Z
    private static final Map<String, List<String>> NEEDS = Map.of(
            Categories.SIGN_IN_LOGS, List.of("rare-app", "sso-spray", "valid-credentials"),
            Categories.NON_INTERACTIVE, List.of("password-spray", "rare-app", "sso-spray", "valid-credentials"));
    private static final List<String> ONE_HUB = List.of("insights-logs-signinlogs");

    @Test
    void aCategoryNeverSeenIsWarnedAboutOnceTheSilenceIsReachedThenEverySilenceTime() {
        CategorySilence s = new CategorySilence(NEEDS, ONE_HUB, HOUR, T0);
        s.seen(Categories.SIGN_IN_LOGS, T0 + 5 * MIN);
        assertEquals(List.of(), s.check(T0 + HOUR - 1), "not yet an hour");
        List<String> warnings = s.check(T0 + HOUR);
        assertEquals(1, warnings.size(), warnings.toString());
        String w = warnings.get(0);
        System.out.println(w);
        for (String part : List.of("no NonInteractiveUserSignInLogs sign-in for 1 h (none since the job started)",
                "detections password-spray, rare-app, sso-spray, valid-credentials read them and see none",
                "the job reads the Event Hubs insights-logs-signinlogs",
                "Azure writes NonInteractiveUserSignInLogs to insights-logs-noninteractiveusersigninlogs",
                "add it to --source.topic")) {
            assertTrue(w.contains(part), "expected '" + part + "' in: " + w);
        }
        assertEquals(1, s.warnings(Categories.NON_INTERACTIVE));
        assertEquals(0, s.warnings(Categories.SIGN_IN_LOGS));
        s.seen(Categories.SIGN_IN_LOGS, T0 + HOUR + 30 * MIN); // interactive sign-ins keep arriving
        assertEquals(List.of(), s.check(T0 + HOUR + 30 * MIN), "not again within the silence time");
        s.seen(Categories.SIGN_IN_LOGS, T0 + 2 * HOUR);
        assertEquals(1, s.check(T0 + 2 * HOUR).size(), "again after another silence time");
        assertEquals(2, s.warnings(Categories.NON_INTERACTIVE));
        assertEquals(2 * HOUR, s.silentFor(Categories.NON_INTERACTIVE, T0 + 2 * HOUR));
    }

    @Test
    void aCategoryThatStopsArrivingIsWarnedAboutAndItsReturnEndsTheSilence() {
        CategorySilence s = new CategorySilence(NEEDS, List.of("insights-logs-signinlogs", "insights-logs-noninteractiveusersigninlogs"),
                HOUR, T0);
        s.seen(Categories.SIGN_IN_LOGS, T0);
        s.seen(Categories.NON_INTERACTIVE, T0);
        for (long t = T0 + MIN; t < T0 + 3 * HOUR; t += MIN) {
            s.seen(Categories.SIGN_IN_LOGS, t); // interactive sign-ins keep arriving
            if (t < T0 + 20 * MIN) s.seen(Categories.NON_INTERACTIVE, t);
        }
        long lastNonInteractive = T0 + 19 * MIN;
        assertEquals(List.of(), s.check(lastNonInteractive + HOUR - 1));
        List<String> warnings = s.check(lastNonInteractive + HOUR);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("(the last arrived at 2025-11-14T00:19:00Z)"), warnings.get(0));
        assertTrue(warnings.get(0).contains("Check that the Entra diagnostic setting streams NonInteractiveUserSignInLogs"),
                "its hub is read, so the advice is about the diagnostic setting: " + warnings.get(0));
        assertNull(s.seen(Categories.SIGN_IN_LOGS, lastNonInteractive + HOUR + MIN), "no silence to end");
        String back = s.seen(Categories.NON_INTERACTIVE, lastNonInteractive + 2 * HOUR);
        assertEquals("NonInteractiveUserSignInLogs sign-ins arrive again after 2 h without any", back);
        assertEquals(List.of(), s.check(lastNonInteractive + 2 * HOUR + 59 * MIN));
        // a new silence is warned about as soon as it is long enough, not a silence time after the old warning
        assertEquals(1, s.check(lastNonInteractive + 3 * HOUR).size());
    }

    @Test
    void categoriesNoEnabledDetectionReadsAreNeverWarnedAbout() {
        CategorySilence s = new CategorySilence(Map.of(Categories.NON_INTERACTIVE, List.of("password-spray")), ONE_HUB, HOUR, T0);
        s.seen(Categories.NON_INTERACTIVE, T0 + 10 * HOUR);
        assertEquals(List.of(), s.check(T0 + 10 * HOUR), "service principals, managed identities, interactive: not needed");
        assertEquals(10 * HOUR, s.silentFor(Categories.SERVICE_PRINCIPAL, T0 + 10 * HOUR), "but still measured");
    }

    @Test
    void hubsOfTheirOwnNamesGetAdviceAboutTheDiagnosticSetting() {
        CategorySilence s = new CategorySilence(NEEDS, List.of("entra-sign-ins"), HOUR, T0);
        s.seen(Categories.SIGN_IN_LOGS, T0 + HOUR);
        List<String> warnings = s.check(T0 + HOUR);
        assertEquals(1, warnings.size(), warnings.toString());
        String w = warnings.get(0);
        assertTrue(w.contains("Check that the Entra diagnostic setting streams NonInteractiveUserSignInLogs to one of these "
                + "Event Hubs"), w);
    }

    @Test
    void theWatchOperatorChecksOnItsOwnClockAndCountsItsWarnings() throws Exception {
        CategorySilenceWatch watch = new CategorySilenceWatch(NEEDS, ONE_HUB, 10 * MIN);
        assertEquals(60_000, CategorySilenceWatch.checkIntervalMs(10 * MIN), "a quarter of the silence, at most a minute");
        assertEquals(1_000, CategorySilenceWatch.checkIntervalMs(2_000));
        try (OneInputStreamOperatorTestHarness<String, Void> harness = new OneInputStreamOperatorTestHarness<>(watch)) {
            harness.setProcessingTime(T0);
            harness.open();
            CategorySilence s = watch.silence();
            for (long t = T0; t <= T0 + 30 * MIN; t += MIN) {
                harness.setProcessingTime(t);
                harness.processElement(new StreamRecord<>(Categories.SIGN_IN_LOGS));
                if (t <= T0 + 5 * MIN) harness.processElement(new StreamRecord<>(Categories.NON_INTERACTIVE));
            }
            // non-interactive sign-ins stopped at T0 + 5 min; the check (every minute) warns at T0 + 15 and T0 + 25 min
            assertEquals(2, s.warnings(Categories.NON_INTERACTIVE));
            harness.setProcessingTime(T0 + 35 * MIN);
            assertEquals(3, s.warnings(Categories.NON_INTERACTIVE), "again every 10 minutes");
            assertEquals(0, s.warnings(Categories.SIGN_IN_LOGS));
            assertEquals(30 * MIN, s.silentFor(Categories.NON_INTERACTIVE, T0 + 35 * MIN));
            assertTrue(harness.getOutput().isEmpty(), "the watch emits nothing");
        }
    }
}
