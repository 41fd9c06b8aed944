package io.entrawatch.sink.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.entrawatch.sink.elasticsearch.BulkRequests.Outcome.INDEXED;
import static io.entrawatch.sink.elasticsearch.BulkRequests.Outcome.REJECTED;
import static io.entrawatch.sink.elasticsearch.BulkRequests.Outcome.RETRY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BulkRequestsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static IndexRequestEntry doc(String id, String json) {
        return IndexRequestEntry.of("alerts", id, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldSendSourceBytesUnchangedAfterAnIndexActionLine() throws IOException {
        // Field order, spacing and escapes must survive: the bytes are sent, not re-serialised.
        String source = "{\"b\":1,  \"a\":\"\\u00e9\\\"x\"}";
        BulkRequests.Body body = BulkRequests.build(List.of(doc("id\"1", source), doc(null, "{}")));

        String[] lines = new String(body.bytes, StandardCharsets.UTF_8).split("\n", -1);
        assertEquals(5, lines.length, "two action/source pairs and the final newline");
        assertEquals("", lines[4]);
        JsonNode action = MAPPER.readTree(lines[0]).get("index");
        assertEquals("alerts", action.get("_index").asText());
        assertEquals("id\"1", action.get("_id").asText(), "the id is JSON-escaped in the action line");
        assertEquals(source, lines[1]);
        assertNull(MAPPER.readTree(lines[2]).get("index").get("_id"), "no id: Elasticsearch generates one");
        assertEquals(2, body.sent.size());
        assertTrue(body.localRejections.isEmpty());
    }

    @Test
    void shouldCompactPrettyPrintedSourcesAndRejectBrokenOnesLocally() throws IOException {
        BulkRequests.Body body = BulkRequests.build(List.of(
                doc("pretty", "{\n  \"a\" : [ 1,\n 2 ]\r\n}"),
                doc("broken", "{\n \"a\": "),
                doc("ok", "{\"c\":3}")));

        String[] lines = new String(body.bytes, StandardCharsets.UTF_8).split("\n");
        assertEquals(4, lines.length, "the broken document must not break the NDJSON framing");
        assertEquals("{\"a\":[1,2]}", lines[1]);
        assertEquals("ok", MAPPER.readTree(lines[2]).get("index").get("_id").asText());
        assertEquals(List.of("pretty", "ok"), body.sent.stream().map(IndexRequestEntry::id).toList());
        assertEquals(1, body.localRejections.size());
        assertEquals("broken", body.localRejections.get(0).entry.id());
        assertEquals(REJECTED, body.localRejections.get(0).outcome());
        assertTrue(body.localRejections.get(0).reason.startsWith("invalid_json"));
    }

    @Test
    void sizeInBytesShouldCoverWhatTheBodyCarries() {
        IndexRequestEntry e = doc("some-id-0123456789", "{\"x\":\"" + "y".repeat(500) + "\"}");
        long actual = BulkRequests.build(List.of(e), SENT_AT).bytes.length; // with event times, the most a document grows
        assertTrue(BulkRequests.sizeInBytes(e) >= actual, "estimate " + BulkRequests.sizeInBytes(e) + " < " + actual);
        assertTrue(BulkRequests.sizeInBytes(e) <= actual + 32);
        IndexRequestEntry dl = IndexRequestEntry.deadLetter("dlq", "some-id-0123456789", e.source());
        long dlActual = BulkRequests.build(List.of(dl), SENT_AT).bytes.length; // dead letters are never stamped
        assertTrue(BulkRequests.sizeInBytes(dl) >= dlActual && BulkRequests.sizeInBytes(dl) <= dlActual + 16);
    }

    private static final java.time.Instant SENT_AT = java.time.Instant.parse("2026-01-02T03:04:05.678912Z");

    @Test
    void shouldStampEventTimesIntoAlertsButNotIntoDeadLettersAndLeaveTheEntriesAlone() throws IOException {
        String alert = "{\"@timestamp\":\"2025-11-14T01:20:00Z\",\"event\":{\"kind\":\"alert\",\"risk_score\":47.10,"
                + "\"created\":\"1999-01-01T00:00:00Z\"},\"n\":12345678901234567890,\"s\":\"caf\u00e9\"}";
        IndexRequestEntry withEvent = doc("a", alert);
        IndexRequestEntry withoutEvent = doc("b", "{\"x\":1}");
        IndexRequestEntry deadLetter = IndexRequestEntry.deadLetter("dlq", "c", "{\"kind\":\"late\"}".getBytes(StandardCharsets.UTF_8));

        BulkRequests.Body body = BulkRequests.build(List.of(withEvent, withoutEvent, deadLetter), SENT_AT);

        String[] lines = new String(body.bytes, StandardCharsets.UTF_8).split("\n");
        assertEquals("{\"@timestamp\":\"2025-11-14T01:20:00Z\",\"event\":{\"kind\":\"alert\",\"risk_score\":47.10,"
                + "\"created\":\"2026-01-02T03:04:05.678Z\",\"ingested\":\"2026-01-02T03:04:05.678Z\"},"
                + "\"n\":12345678901234567890,\"s\":\"caf\u00e9\"}", lines[1],
                "the send time (milliseconds, UTC) replaces any event.created; the rest of the document is unchanged");
        assertEquals("{\"x\":1,\"event\":{\"created\":\"2026-01-02T03:04:05.678Z\",\"ingested\":\"2026-01-02T03:04:05.678Z\"}}",
                lines[3]);
        assertEquals("{\"kind\":\"late\"}", lines[5], "a dead letter is sent as it is");
        assertEquals(alert, withEvent.sourceAsString(), "the entry is not changed: a retry is stamped anew");
        assertEquals(3, body.sent.size());

        BulkRequests.Body notStamped = BulkRequests.build(List.of(withEvent));
        assertEquals(alert, new String(notStamped.bytes, StandardCharsets.UTF_8).split("\n")[1], "without a send time, the bytes as they are");
    }

    @Test
    void shouldRejectLocallyADocumentThatCannotBeStamped() {
        BulkRequests.Body body = BulkRequests.build(List.of(doc("scalar-event", "{\"event\":\"x\"}"), doc("array", "[1]"),
                doc("ok", "{}")), SENT_AT);
        assertEquals(List.of("ok"), body.sent.stream().map(IndexRequestEntry::id).toList());
        assertEquals(List.of("scalar-event", "array"), body.localRejections.stream().map(r -> r.entry.id()).toList());
        body.localRejections.forEach(r -> assertTrue(r.reason.startsWith("invalid_json"), r.reason));
    }

    @Test
    void shouldClassifyItemStatuses() {
        assertEquals(INDEXED, BulkRequests.classifyItem(200));
        assertEquals(INDEXED, BulkRequests.classifyItem(201));
        assertEquals(RETRY, BulkRequests.classifyItem(429));
        assertEquals(RETRY, BulkRequests.classifyItem(503));
        assertEquals(RETRY, BulkRequests.classifyItem(500));
        assertEquals(RETRY, BulkRequests.classifyItem(408));
        assertEquals(REJECTED, BulkRequests.classifyItem(400));
        assertEquals(REJECTED, BulkRequests.classifyItem(404));
        assertEquals(REJECTED, BulkRequests.classifyItem(409));
        assertEquals(REJECTED, BulkRequests.classifyItem(413));
    }

    @Test
    void shouldParseMixedItemResultsInRequestOrder() throws IOException {
        List<IndexRequestEntry> sent = List.of(doc("a", "{}"), doc("b", "{}"), doc("c", "{}"), doc("d", "{}"));
        String response = "{\"errors\":true,\"items\":["
                + "{\"index\":{\"status\":201}},"
                + "{\"index\":{\"status\":400,\"error\":{\"type\":\"document_parsing_exception\","
                + "\"reason\":\"[1:13] failed to parse field [source.ip] of type [ip]\","
                + "\"caused_by\":{\"type\":\"illegal_argument_exception\",\"reason\":\"'not-an-ip' is not an IP string literal.\"}}}},"
                + "{\"index\":{\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"queue full\"}}},"
                + "{\"index\":{\"status\":200}}]}";

        List<BulkRequests.ItemResult> results = BulkRequests.parseResponse(response.getBytes(StandardCharsets.UTF_8), sent);

        assertEquals(List.of(INDEXED, REJECTED, RETRY, INDEXED), results.stream().map(BulkRequests.ItemResult::outcome).toList());
        assertEquals("b", results.get(1).entry.id());
        assertEquals("document_parsing_exception: [1:13] failed to parse field [source.ip] of type [ip]"
                + " (caused by illegal_argument_exception: 'not-an-ip' is not an IP string literal.)", results.get(1).reason);
        assertEquals("es_rejected_execution_exception: queue full", results.get(2).reason);
        assertNull(results.get(0).reason);
    }

    @Test
    void shouldRefuseAResponseThatDoesNotMatchTheRequest() {
        List<IndexRequestEntry> sent = List.of(doc("a", "{}"), doc("b", "{}"));
        byte[] oneItem = "{\"errors\":false,\"items\":[{\"index\":{\"status\":201}}]}".getBytes(StandardCharsets.UTF_8);
        byte[] html = "<html>bad gateway</html>".getBytes(StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> BulkRequests.parseResponse(oneItem, sent));
        assertThrows(IOException.class, () -> BulkRequests.parseResponse(html, sent));
    }

    @Test
    void shouldExtractTheReasonOfAWholeRequestFailure() {
        byte[] body = "{\"error\":{\"root_cause\":[],\"type\":\"cluster_block_exception\",\"reason\":\"index [a] blocked\"},\"status\":403}"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals("cluster_block_exception: index [a] blocked", BulkRequests.requestErrorReason(body));
        assertNull(BulkRequests.requestErrorReason("not json".getBytes(StandardCharsets.UTF_8)));
        assertNull(BulkRequests.requestErrorReason(new byte[0]));
    }

    @Test
    void shouldCapVeryLongReasons() throws IOException {
        JsonNode error = MAPPER.readTree("{\"type\":\"t\",\"reason\":\"" + "r".repeat(5000) + "\"}");
        String reason = BulkRequests.reason(error);
        assertEquals(BulkRequests.MAX_REASON_CHARS + 3, reason.length());
        assertArrayEquals("t: r".getBytes(StandardCharsets.UTF_8), reason.substring(0, 4).getBytes(StandardCharsets.UTF_8));
    }
}
