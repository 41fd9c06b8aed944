package io.entrawatch.preflight;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.RareAppOptions;
import io.entrawatch.config.SsoSprayOptions;
import io.entrawatch.config.ValidCredentialsOptions;
import io.entrawatch.config.SourceOptions;
import io.entrawatch.config.SprayOptions;
import io.entrawatch.ingest.SourceCoverage;
import io.entrawatch.pipeline.DetectionPipeline;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start-up check's warning about a topic list that plainly lacks the Event Hub of a category an
 * enabled detection reads: Azure's per-category hub names without the non-interactive one, while
 * detection A (which reads only non-interactive sign-ins) is on. No network: the warning depends on the
 * options and the detections alone.
 */
class TopicListWarningTest {
    private static List<String> warnings(JobOptions options) {
        List<String> w = Preflight.topicListWarnings(options, SourceCoverage.needs(DetectionPipeline.detections(options)));
        w.forEach(line -> assertTrue(Preflight.isWarning(line), line));
        return w;
    }

    @Test
    void theDetectionsReadInteractiveAndNonInteractiveSignIns() {
        Map<String, List<String>> needs = SourceCoverage.needs(DetectionPipeline.detections(JobOptions.defaults()));
        assertEquals(Map.of(
                "SignInLogs", List.of("rare-app", "sso-spray", "valid-credentials"),
                "NonInteractiveUserSignInLogs", List.of("password-spray", "rare-app", "sso-spray", "valid-credentials")), needs);
    }

    @Test
    void theDefaultTopicListCoversEveryCategoryTheDetectionsRead() {
        assertEquals(List.of(), warnings(JobOptions.defaults()));
        assertEquals(List.of(), warnings(JobOptions.defaults().with(SourceOptions.TOPICS, "insights-logs-signinlogs,"
                + "insights-logs-noninteractiveusersigninlogs,insights-logs-serviceprincipalsigninlogs,insights-logs-managedidentitysigninlogs")));
    }

    @Test
    void theInteractiveHubAloneLacksTheNonInteractiveOne() {
        List<String> w = warnings(JobOptions.defaults().with(SourceOptions.TOPICS, "insights-logs-signinlogs"));
        assertEquals(1, w.size(), w.toString());
        System.out.println(w.get(0));
        for (String part : List.of("warning: --source.topic (insights-logs-signinlogs) lacks insights-logs-noninteractiveusersigninlogs",
                "the Event Hub Azure writes NonInteractiveUserSignInLogs to when the diagnostic setting names none",
                "detections password-spray, rare-app, sso-spray, valid-credentials would run without them",
                "add insights-logs-noninteractiveusersigninlogs to --source.topic")) {
            assertTrue(w.get(0).contains(part), "expected '" + part + "' in: " + w.get(0));
        }
    }

    @Test
    void onlyWhatTheEnabledDetectionsReadCounts() {
        // A alone reads only non-interactive sign-ins: the non-interactive hub alone is enough
        JobOptions onlyA = JobOptions.defaults().with(SourceOptions.TOPICS, "insights-logs-noninteractiveusersigninlogs")
                .with(RareAppOptions.ENABLED, "false").with(SsoSprayOptions.ENABLED, "false").with(ValidCredentialsOptions.ENABLED, "false");
        assertEquals(List.of(), warnings(onlyA));
        // without A, the interactive hub alone still leaves B, C and D without their non-interactive half
        List<String> w = warnings(JobOptions.defaults().with(SprayOptions.ENABLED, "false")
                .with(SourceOptions.TOPICS, "insights-logs-signinlogs"));
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("detections rare-app, sso-spray, valid-credentials would run without them"), w.get(0));
        // the non-interactive hub alone leaves B, C and D without interactive sign-ins
        w = warnings(JobOptions.defaults().with(SourceOptions.TOPICS, "insights-logs-noninteractiveusersigninlogs"));
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("lacks insights-logs-signinlogs"), w.get(0));
    }

    @Test
    void hubsOfOtherNamesMayCarryAnyCategoryAndAreNotJudged() {
        assertEquals(List.of(), warnings(JobOptions.defaults().with(SourceOptions.TOPICS, "entra-sign-ins")));
        assertEquals(List.of(), warnings(JobOptions.defaults().with(SourceOptions.TOPICS, "siem-all-logs,entra-noninteractive")));
    }
}
