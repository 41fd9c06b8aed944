package io.entrawatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.SourceOptions;
import io.entrawatch.ingest.EventHubsSource;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.DeadLetterDocuments;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Kafka dead-letter producer stays within Event Hubs' request limit, whatever a dead letter holds. */
class JobSinksTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDeadLetterProducerSendsRequestsOfAtMostEventHubsLimit() {
        Properties p = JobSinks.deadLetterProducerConfig(JobOptions.defaults()
                .with(SourceOptions.BOOTSTRAP_SERVERS, "ns.servicebus.windows.net:9093"), "Endpoint=sb://ns/;SharedAccessKey=k");
        assertEquals("1046528", p.getProperty("max.request.size"));
        assertEquals(1_046_528, EventHubsSource.MAX_REQUEST_BYTES);
        assertEquals("SASL_SSL", p.getProperty("security.protocol"), "and otherwise the Event Hubs client settings");
        assertTrue(JobSinks.MAX_VALUE_BYTES < EventHubsSource.MAX_REQUEST_BYTES);
    }

    @Test
    void anOrdinaryDeadLetterIsTheIndexDocument() {
        DeadLetter d = new DeadLetter(DeadLetter.MALFORMED, "invalid JSON", "not json", 8, "signins", 1, 42, -1, 1_700_000_000_000L);
        assertArrayEquals(DeadLetterDocuments.json(d), new JobSinks.DocumentBytes().serialize(d));
    }

    @Test
    void aDeadLetterWhoseJsonWouldBeTooLargeKeepsLessPayloadAndItsOriginalSize() throws Exception {
        // control characters are written as six bytes each in JSON: 256 KiB of them would be 1.5 MB
        String payload = "\u0001".repeat(256 * 1024 - 1) + "\uD83D\uDE00";
        assertTrue(DeadLetterDocuments.json(new DeadLetter(DeadLetter.MALFORMED, "invalid JSON", payload, 300_000, "signins",
                0, 7, -1, 1_700_000_000_000L)).length > EventHubsSource.MAX_REQUEST_BYTES);
        DeadLetter d = new DeadLetter(DeadLetter.MALFORMED, "invalid JSON", payload, 300_000, "signins", 0, 7, -1, 1_700_000_000_000L);

        byte[] value = new JobSinks.DocumentBytes().serialize(d);

        assertTrue(value.length <= JobSinks.MAX_VALUE_BYTES, value.length + " bytes");
        assertTrue(value.length > JobSinks.MAX_VALUE_BYTES * 0.8, "not cut much further than needed: " + value.length);
        JsonNode doc = JSON.readTree(value);
        assertEquals(300_000, doc.get("payload_bytes").asLong());
        assertEquals("malformed", doc.get("kind").asText());
        assertTrue(payload.startsWith(doc.get("payload").asText()));
        assertEquals(payload, d.payload, "the dead letter itself is unchanged");
    }
}
