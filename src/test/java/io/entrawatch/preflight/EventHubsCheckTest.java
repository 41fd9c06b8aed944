package io.entrawatch.preflight;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.Secrets;
import io.entrawatch.config.SourceOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Event Hubs check's answers that need no broker (PreflightITCase covers those against a real one). */
class EventHubsCheckTest {
    private static final String CONNECTION_STRING =
            "Endpoint=sb://nowhere/;SharedAccessKeyName=listen;SharedAccessKey=UnitTestKeyThatMustNotShow0123456789=";

    @Test
    void aHostThatDoesNotResolveNamesTheBootstrapOption() {
        JobOptions options = JobOptions.defaults().with(SourceOptions.BOOTSTRAP_SERVERS, "entrawatch-no-such-namespace.invalid:9093");
        List<String> problems = EventHubsCheck.run(options, Map.of(Secrets.EVENTHUBS_ENV, CONNECTION_STRING), Duration.ofSeconds(3));
        assertEquals(1, problems.size(), problems.toString());
        String p = problems.get(0);
        System.out.println("preflight problem: " + p);
        assertTrue(p.contains("--source.bootstrap-servers") && p.contains("entrawatch-no-such-namespace.invalid:9093"), p);
        assertFalse(p.contains("UnitTestKeyThatMustNotShow"), p);
    }

    @Test
    void missingSettingsAreProblemsToo() {
        assertEquals(List.of("--source.bootstrap-servers is not set: give the Event Hubs namespace's Kafka endpoint, "
                + "<namespace>.servicebus.windows.net:9093"), EventHubsCheck.run(JobOptions.defaults(), Map.of(), Duration.ofSeconds(3)));
        assertEquals(List.of("no Event Hubs connection string: set the environment variable EVENTHUBS_CONNECTION_STRING or "
                + "--source.connection-string-file"), EventHubsCheck.run(
                JobOptions.defaults().with(SourceOptions.BOOTSTRAP_SERVERS, "ns.servicebus.windows.net:9093"), Map.of(), Duration.ofSeconds(3)));
    }
}
