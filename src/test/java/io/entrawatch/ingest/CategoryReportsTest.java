package io.entrawatch.ingest;

import io.entrawatch.SignInFixtures;
import io.entrawatch.config.JobOptions;
import io.entrawatch.model.OutputTags;
import io.entrawatch.model.SignIn;
import io.entrawatch.pipeline.DetectionPipeline;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The ingest gate's category reports ({@link OutputTags#CATEGORIES_SEEN}): each sign-in category it
 * receives, at most once per report interval of processing time, and none when reports are off; the
 * sign-ins themselves are untouched.
 */
class CategoryReportsTest {
    private static final long T0 = 1_763_078_400_000L;

    /** categories.jsonl: one record of each sign-in category (and one of another category, skipped). */
    private static ParsedMessage message(long offset) {
        String body = "{\"records\":[" + String.join(",", SignInFixtures.records("categories.jsonl")) + "]}";
        return DetectionPipeline.parser(JobOptions.defaults()).parse(body.getBytes(StandardCharsets.UTF_8), "hub", 0, offset, T0);
    }

    private static List<String> reports(OneInputStreamOperatorTestHarness<ParsedMessage, SignIn> gate) {
        ConcurrentLinkedQueue<StreamRecord<String>> out = gate.getSideOutput(OutputTags.CATEGORIES_SEEN);
        List<String> categories = new ArrayList<>();
        if (out != null) out.forEach(r -> categories.add(r.getValue()));
        if (out != null) out.clear();
        return categories;
    }

    @Test
    void eachCategoryIsReportedAtMostOncePerInterval() throws Exception {
        IngestGate gate = new IngestGate(DetectionPipeline.detections(JobOptions.defaults()), 300_000, 4096, 0, 10_000);
        try (OneInputStreamOperatorTestHarness<ParsedMessage, SignIn> h = ProcessFunctionTestHarnesses.forProcessFunction(gate)) {
            h.setProcessingTime(T0);
            ParsedMessage first = message(0);
            assertEquals(4, first.signIns.size(), "four sign-in categories; the fifth record is skipped");
            h.processElement(first, first.maxTimestamp);
            assertEquals(List.of("SignInLogs", "NonInteractiveUserSignInLogs", "ServicePrincipalSignInLogs", "ManagedIdentitySignInLogs"),
                    reports(h));
            h.setProcessingTime(T0 + 9_999);
            h.processElement(message(1), first.maxTimestamp);
            assertEquals(List.of(), reports(h), "within the interval: nothing again");
            h.setProcessingTime(T0 + 10_000);
            h.processElement(message(2), first.maxTimestamp);
            assertEquals(4, reports(h).size(), "one interval later: each once more");
        }
    }

    @Test
    void noReportsWhenTheWarningIsOff() throws Exception {
        IngestGate gate = new IngestGate(DetectionPipeline.detections(JobOptions.defaults()), 300_000, 4096, 0);
        try (OneInputStreamOperatorTestHarness<ParsedMessage, SignIn> h = ProcessFunctionTestHarnesses.forProcessFunction(gate)) {
            h.setProcessingTime(T0);
            ParsedMessage m = message(0);
            h.processElement(m, m.maxTimestamp);
            assertNull(h.getSideOutput(OutputTags.CATEGORIES_SEEN));
        }
    }
}
