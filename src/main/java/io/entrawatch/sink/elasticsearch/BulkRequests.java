package io.entrawatch.sink.elasticsearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire side of a bulk request: the NDJSON body built from the entries' raw source bytes (never
 * re-serialised, unless a source spans lines and must be compacted, or gets the send time stamped into
 * it), the parsing of the per-item results, and the retry classification of statuses.
 */
final class BulkRequests {
    /** Path and query of the bulk call; {@code filter_path} trims the response to what is read. */
    static final String ENDPOINT = "/_bulk";
    static final String FILTER_PATH = "errors,items.*.status,items.*.error";
    /** REST API compatibility with 8.x, as Elastic's 8.x clients send it: an 8.x or 9.x server answers in the 8.x format. */
    static final String CONTENT_TYPE = "application/vnd.elasticsearch+x-ndjson; compatible-with=8";
    static final String ACCEPT = "application/vnd.elasticsearch+json; compatible-with=8";

    /** Longest error reason kept (ES may quote the offending value). */
    static final int MAX_REASON_CHARS = 2000;

    /**
     * Bytes {@link #build(List, Instant)} may add to a document that is not a dead letter:
     * {@code ,"event":{"created":"<24 chars>","ingested":"<24 chars>"}} at most, with room to spare.
     */
    static final int EVENT_TIMES_BYTES = 96;

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Reads and rewrites a source to stamp it: decimals are kept exactly as they were written. */
    private static final ObjectMapper EXACT = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private BulkRequests() {}

    /** What one item of a bulk came to. */
    enum Outcome { INDEXED, RETRY, REJECTED }

    /** The NDJSON body and which entries went into it, in order; entries that cannot be sent are rejected locally. */
    static final class Body {
        final byte[] bytes;
        final List<IndexRequestEntry> sent;
        final List<ItemResult> localRejections;

        Body(byte[] bytes, List<IndexRequestEntry> sent, List<ItemResult> localRejections) {
            this.bytes = bytes;
            this.sent = sent;
            this.localRejections = localRejections;
        }
    }

    /** The result of one item: its entry, HTTP status and, on error, the reason. */
    static final class ItemResult {
        final IndexRequestEntry entry;
        final int status;
        final String reason;

        ItemResult(IndexRequestEntry entry, int status, String reason) {
            this.entry = entry;
            this.status = status;
            this.reason = reason;
        }

        Outcome outcome() {
            return classifyItem(status);
        }
    }

    /** 2xx indexed; 408, 429 and 5xx (shard unavailable, queue full, node closing) retried; other 4xx rejected. */
    static Outcome classifyItem(int status) {
        if (status >= 200 && status < 300) return Outcome.INDEXED;
        if (status == 408 || status == 429 || status >= 500) return Outcome.RETRY;
        return Outcome.REJECTED;
    }

    /** {@link #build(List, Instant)} without event times: every source as it is (compacted if it spans lines). */
    static Body build(List<IndexRequestEntry> entries) {
        return build(entries, null);
    }

    /**
     * Builds the body: per entry an {@code index} action line and its source on one line. A source that
     * spans lines (pretty-printed JSON) is compacted; one that is not JSON is rejected here, since
     * sending it would break the NDJSON framing for the whole bulk.
     *
     * <p>With {@code sentAt} (not null), every document other than a dead letter gets
     * {@code event.created} and {@code event.ingested} set to it (ISO-8601 UTC, milliseconds), replacing
     * any value it had: the time this bulk request sends it. The entry itself is not changed, so a retry
     * is stamped with the time of the retry. A source whose {@code event} is not an object is rejected
     * here.
     */
    static Body build(List<IndexRequestEntry> entries, Instant sentAt) {
        String stamp = sentAt == null ? null : DateTimeFormatter.ISO_INSTANT.format(sentAt.truncatedTo(ChronoUnit.MILLIS));
        int estimate = 0;
        for (IndexRequestEntry e : entries) estimate += sizeInBytes(e);
        ByteArrayOutputStream out = new ByteArrayOutputStream(estimate);
        List<IndexRequestEntry> sent = new ArrayList<>(entries.size());
        List<ItemResult> rejected = new ArrayList<>(0);
        for (IndexRequestEntry e : entries) {
            byte[] source = e.source();
            try {
                if (stamp != null && !e.isDeadLetter()) {
                    source = withEventTimes(source, stamp);
                } else if (spansLines(source)) {
                    source = compact(source);
                }
            } catch (IOException | IllegalArgumentException ex) {
                rejected.add(new ItemResult(e, 400, "invalid_json: the source is not one JSON object ("
                        + ex.getMessage() + ")"));
                continue;
            }
            writeAction(out, e);
            out.write(source, 0, source.length);
            out.write('\n');
            sent.add(e);
        }
        return new Body(out.toByteArray(), sent, rejected);
    }

    /**
     * Bytes an entry adds to a bulk body, for the sink's batch-size accounting: a document that is not a
     * dead letter counts {@link #EVENT_TIMES_BYTES} more, the event times it may be sent with.
     */
    static long sizeInBytes(IndexRequestEntry e) {
        return actionSizeEstimate(e) + e.source().length + 1 + (e.isDeadLetter() ? 0 : EVENT_TIMES_BYTES);
    }

    private static int actionSizeEstimate(IndexRequestEntry e) {
        return 40 + e.index().length() + (e.id() == null ? 0 : e.id().length());
    }

    private static void writeAction(ByteArrayOutputStream out, IndexRequestEntry e) {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("index");
            g.writeStringField("_index", e.index());
            if (e.id() != null) g.writeStringField("_id", e.id());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // a ByteArrayOutputStream does not fail
        }
        out.write('\n');
    }

    private static boolean spansLines(byte[] source) {
        for (byte b : source) {
            if (b == '\n' || b == '\r') return true;
        }
        return false;
    }

    /** The source, compact, with {@code event.created} and {@code event.ingested} set to {@code stamp}. */
    static byte[] withEventTimes(byte[] source, String stamp) throws IOException {
        JsonNode doc;
        try (JsonParser p = EXACT.getFactory().createParser(source)) {
            doc = EXACT.readTree(p);
            if (doc == null || !doc.isObject()) throw new IllegalArgumentException("not a JSON object");
            if (p.nextToken() != null) throw new IllegalArgumentException("content after the JSON object");
        }
        JsonNode event = doc.get("event");
        if (event != null && !event.isObject()) throw new IllegalArgumentException("its event field is not an object");
        ObjectNode e = event == null ? ((ObjectNode) doc).putObject("event") : (ObjectNode) event;
        e.put("created", stamp);
        e.put("ingested", stamp);
        return EXACT.writeValueAsBytes(doc);
    }

    private static byte[] compact(byte[] source) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(source.length);
        try (JsonParser p = JSON.createParser(source); JsonGenerator g = JSON.createGenerator(out)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IllegalArgumentException("not a JSON object");
            g.copyCurrentStructure(p);
            if (p.nextToken() != null) throw new IllegalArgumentException("content after the JSON object");
        }
        return out.toByteArray();
    }

    /**
     * Parses a bulk response ({@code filter_path} applied) into one result per sent entry, in order.
     *
     * @throws IOException when the response is not a bulk response for these entries
     */
    static List<ItemResult> parseResponse(byte[] body, List<IndexRequestEntry> sent) throws IOException {
        JsonNode root = MAPPER.readTree(body);
        if (root == null || !root.isObject()) throw new IOException("the bulk response is not a JSON object");
        JsonNode items = root.path("items");
        if (!items.isArray() || items.size() != sent.size()) {
            throw new IOException("the bulk response has " + (items.isArray() ? items.size() : "no") + " items for "
                    + sent.size() + " documents");
        }
        List<ItemResult> results = new ArrayList<>(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            JsonNode item = items.get(i);
            JsonNode op = item.elements().hasNext() ? item.elements().next() : item;
            int status = op.path("status").asInt(-1);
            if (status < 0) throw new IOException("bulk item " + i + " has no status");
            JsonNode error = op.get("error");
            results.add(new ItemResult(sent.get(i), status, error == null ? null : reason(error)));
        }
        return results;
    }

    /** {@code type: reason}, with the root cause appended when there is one. */
    static String reason(JsonNode error) {
        if (error == null || error.isNull()) return null;
        if (error.isTextual()) return truncate(error.asText());
        StringBuilder sb = new StringBuilder();
        sb.append(error.path("type").asText("unknown_error")).append(": ").append(error.path("reason").asText(""));
        JsonNode cause = error.get("caused_by");
        if (cause != null && cause.isObject()) {
            sb.append(" (caused by ").append(cause.path("type").asText("unknown_error")).append(": ")
                    .append(cause.path("reason").asText("")).append(')');
        }
        return truncate(sb.toString());
    }

    /** The {@code type: reason} of an error response, or null when its body has none (or cannot be read). */
    static String requestErrorReason(org.elasticsearch.client.Response response) {
        try {
            return response.getEntity() == null ? null
                    : requestErrorReason(org.apache.http.util.EntityUtils.toByteArray(response.getEntity()));
        } catch (java.io.IOException | RuntimeException e) {
            return null; // the status alone will do
        }
    }

    /** The error of a whole-request failure body, for logs: {@code type: reason}, or null when the body has none. */
    static String requestErrorReason(byte[] body) {
        if (body == null || body.length == 0) return null;
        try {
            JsonNode root = MAPPER.readTree(body);
            return root == null ? null : reason(root.get("error"));
        } catch (IOException e) {
            return null;
        }
    }

    static String truncate(String s) {
        return s.length() <= MAX_REASON_CHARS ? s : s.substring(0, MAX_REASON_CHARS) + "...";
    }
}
