package io.entrawatch.exceptions;

import io.entrawatch.model.SignIn;
import io.entrawatch.pipeline.DetectionPipeline;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The live path's broadcast operator: a snapshot changes the set on the instance, an unavailable source
 * changes nothing, and the set in force is checkpointed and restored.
 */
class LiveExceptionsHarnessTest {
    private static final String SCANNER = "{\"id\":\"scanner\",\"rules\":[\"*\"],\"source.ip\":\"198.51.100.0/24\",\"comment\":\"our scanner\"}";
    private static final String TEST_ACCOUNT = "{\"id\":\"test-account\",\"rules\":[\"" + ExceptionParserTest.B
            + "\"],\"user.name\":\"nightly@contoso.com\",\"comment\":\"fails every night\"}";

    private static BroadcastOperatorTestHarness<SignIn, ExceptionSnapshot, SignIn> harness() throws Exception {
        return ProcessFunctionTestHarnesses.forBroadcastProcessFunction(new LiveExceptions(DetectionPipeline.RULES), LiveExceptions.STATE);
    }

    private static SignIn signIn(String ip, String upn) {
        SignIn s = new SignIn();
        s.timestamp = 1_000;
        s.tenantId = "t";
        s.ipAddress = ip;
        s.userPrincipalName = upn;
        return s;
    }

    private static ExceptionSnapshot snapshot(String... documents) {
        ExceptionSnapshot s = new ExceptionSnapshot();
        s.available = true;
        s.origin = "test";
        s.documents = List.of(documents);
        return s;
    }

    /** The mask the operator gives each sign-in, in order. */
    private static List<Long> masks(BroadcastOperatorTestHarness<SignIn, ExceptionSnapshot, SignIn> h, SignIn... signIns) throws Exception {
        h.getOutput().clear();
        for (SignIn s : signIns) h.processElement(new StreamRecord<>(s, s.timestamp));
        return h.extractOutputValues().stream().map(s -> s.hiddenFrom).toList();
    }

    @Test
    void aSnapshotChangesTheSetAndAnUnavailableSourceKeepsIt() throws Exception {
        try (BroadcastOperatorTestHarness<SignIn, ExceptionSnapshot, SignIn> h = harness()) {
            SignIn scanned = signIn("198.51.100.9", "a@contoso.com");
            SignIn nightly = signIn("192.0.2.1", "nightly@contoso.com");
            SignIn other = signIn("192.0.2.1", "b@contoso.com");
            assertEquals(List.of(0L, 0L, 0L), masks(h, scanned, nightly, other));

            h.processBroadcastElement(snapshot(SCANNER, TEST_ACCOUNT), 0);
            assertEquals(List.of(0b1111L, 0b0010L, 0L), masks(h, scanned, nightly, other));

            h.processBroadcastElement(ExceptionSnapshot.unavailable("test", "connection refused", 0), 0);
            assertEquals(List.of(0b1111L, 0b0010L, 0L), masks(h, scanned, nightly, other));

            h.processBroadcastElement(snapshot(TEST_ACCOUNT), 0);
            assertEquals(List.of(0L, 0b0010L, 0L), masks(h, scanned, nightly, other));

            h.processBroadcastElement(snapshot(), 0);
            assertEquals(List.of(0L, 0L, 0L), masks(h, scanned, nightly, other));
        }
    }

    @Test
    void theSetInForceSurvivesARestoreEvenWhenTheSourceIsThenUnavailable() throws Exception {
        OperatorSubtaskState checkpoint;
        try (BroadcastOperatorTestHarness<SignIn, ExceptionSnapshot, SignIn> h = harness()) {
            h.processBroadcastElement(snapshot(SCANNER), 0);
            checkpoint = h.snapshot(1, 1);
        }
        BroadcastOperatorTestHarness<SignIn, ExceptionSnapshot, SignIn> restored = new BroadcastOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator<>(
                        new LiveExceptions(DetectionPipeline.RULES), List.of(LiveExceptions.STATE)), 1, 1, 0);
        try (restored) {
            restored.setup();
            restored.initializeState(checkpoint);
            restored.open();
            assertEquals(List.of(0b1111L), masks(restored, signIn("198.51.100.200", "x@contoso.com")));
            restored.processBroadcastElement(ExceptionSnapshot.unavailable("test", "index closed", 0), 0);
            assertEquals(List.of(0b1111L, 0L), masks(restored, signIn("198.51.100.200", "x@contoso.com"), signIn("192.0.2.1", "x@contoso.com")));
        }
    }
}
