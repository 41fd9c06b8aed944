package io.entrawatch.sink.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.model.Alert;
import io.entrawatch.model.DeadLetter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndexRequestsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long OBSERVED = Instant.parse("2025-03-01T10:15:30.123Z").toEpochMilli();

    @Test
    void alertShouldBecomeItsDocumentUnderItsId() {
        Alert alert = new Alert("A:tenant:50126:1740823200000", "password-spray", 1L, "{\"rule\":{\"id\":\"A\"},\"user\":\"é\"}");
        IndexRequestEntry e = IndexRequests.alert(alert, "alerts");
        assertEquals("alerts", e.index());
        assertEquals(alert.id, e.id());
        assertArrayEquals(alert.document.getBytes(StandardCharsets.UTF_8), e.source());
        assertFalse(e.isDeadLetter());
    }

    @Test
    void alertWithoutIdShouldBeRefused() {
        assertThrows(IllegalArgumentException.class, () -> IndexRequests.alert(new Alert(null, "r", 1L, "{}"), "alerts"));
    }

    @Test
    void deadLetterShouldCarryAllItsFields() throws IOException {
        DeadLetter d = new DeadLetter(DeadLetter.MALFORMED, "not JSON", "{oops", 5, "insights-logs-signinlogs", 3, 42L, 7, OBSERVED);
        IndexRequestEntry e = IndexRequests.deadLetter(d, "dlq");
        assertEquals("dlq", e.index());
        assertEquals(d.documentId(), e.id());
        assertTrue(e.isDeadLetter());
        JsonNode doc = MAPPER.readTree(e.source());
        assertEquals("malformed", doc.get("kind").asText());
        assertEquals("not JSON", doc.get("reason").asText());
        assertEquals("{oops", doc.get("payload").asText());
        assertEquals(5, doc.get("payload_bytes").asLong());
        assertEquals("insights-logs-signinlogs", doc.get("topic").asText());
        assertEquals(3, doc.get("partition").asInt());
        assertEquals(42, doc.get("offset").asLong());
        assertEquals(7, doc.get("record_index").asInt());
        assertEquals("2025-03-01T10:15:30.123Z", doc.get("@timestamp").asText());
    }

    @Test
    void deadLetterWithoutKafkaCoordinatesShouldOmitThem() throws IOException {
        DeadLetter d = new DeadLetter(DeadLetter.LATE, "late", "{}", 2, null, -1, -1, -1, OBSERVED);
        JsonNode doc = MAPPER.readTree(IndexRequests.deadLetter(d, "dlq").source());
        assertFalse(doc.has("topic"));
        assertFalse(doc.has("partition"));
        assertFalse(doc.has("offset"));
        assertFalse(doc.has("record_index"));
    }

    @Test
    void rejectedDocumentShouldKeepReasonOriginAndSource() throws IOException {
        IndexRequestEntry original = IndexRequestEntry.of("alerts", "X1", "{\"source\":{\"ip\":\"not-an-ip\"}}".getBytes(StandardCharsets.UTF_8));
        IndexRequestEntry dl = IndexRequests.rejected(original, "document_parsing_exception: bad ip", "dlq", 1024, OBSERVED);
        assertEquals("dlq", dl.index());
        assertEquals("rejected:alerts:X1", dl.id());
        assertTrue(dl.isDeadLetter());
        JsonNode doc = MAPPER.readTree(dl.source());
        assertEquals("rejected", doc.get("kind").asText());
        assertEquals("document_parsing_exception: bad ip", doc.get("reason").asText());
        assertEquals("alerts", doc.get("original_index").asText());
        assertEquals("X1", doc.get("original_id").asText());
        assertEquals(original.sourceAsString(), doc.get("payload").asText());
        assertEquals(original.source().length, doc.get("payload_bytes").asLong());
    }

    @Test
    void rejectedIdShouldStayWithinElasticsearchsIdLimit() {
        String longId = "x".repeat(600);
        String id = IndexRequests.rejectedId("alerts", longId);
        assertTrue(id.length() <= 512, id);
        assertTrue(id.startsWith("rejected:alerts:sha256:"));
        assertEquals(id, IndexRequests.rejectedId("alerts", longId), "deterministic");
        assertEquals("rejected:alerts:short", IndexRequests.rejectedId("alerts", "short"));
    }

    @Test
    void rejectedPayloadShouldBeCutOnACharacterBoundary() throws IOException {
        byte[] source = ("{\"x\":\"" + "é".repeat(100) + "\"}").getBytes(StandardCharsets.UTF_8); // é = 2 bytes
        IndexRequestEntry original = IndexRequestEntry.of("alerts", "id", source);
        JsonNode doc = MAPPER.readTree(IndexRequests.rejected(original, "r", "dlq", 9, OBSERVED).source());
        assertEquals("{\"x\":\"é", doc.get("payload").asText(), "8 bytes kept: the 9th is the first half of an é");
        assertEquals(source.length, doc.get("payload_bytes").asLong());
    }

    @Test
    void oversizeDeadLetterShouldBeCutUntilItFitsABulk() {
        // Control characters grow sixfold when JSON-escaped: the dead letter must still fit.
        byte[] source = new byte[40_000];
        IndexRequestEntry original = IndexRequestEntry.of("alerts", "big", source);
        IndexRequestEntry dl = DeadLetterRouter.deadLetterFor(original, "too big", "dlq", 40_000, 50_000, OBSERVED);
        assertTrue(BulkRequests.sizeInBytes(dl) <= 50_000, "size " + BulkRequests.sizeInBytes(dl));
    }
}
