package io.entrawatch.sink.elasticsearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire side of a bulk request: the NDJSON body built from the entries' raw source bytes (never
 * re-serialised, unless a source spans lines and must be compacted), the parsing of the per-item
 * results, and the retry classification of statuses.
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

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

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

    /**
     * Builds the body: per entry an {@code index} action line and its source on one line. A source that
     * spans lines (pretty-printed JSON) is compacted; one that is not JSON is rejected here, since
     * sending it would break the NDJSON framing for the whole bulk.
     */
    static Body build(List<IndexRequestEntry> entries) {
        int estimate = 0;
        for (IndexRequestEntry e : entries) estimate += actionSizeEstimate(e) + e.source().length + 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream(estimate);
        List<IndexRequestEntry> sent = new ArrayList<>(entries.size());
        List<ItemResult> rejected = new ArrayList<>(0);
        for (IndexRequestEntry e : entries) {
            byte[] source = e.source();
            if (spansLines(source)) {
                try {
                    source = compact(source);
                } catch (IOException | IllegalArgumentException ex) {
                    rejected.add(new ItemResult(e, 400, "invalid_json: the source is not one JSON object ("
                            + ex.getMessage() + ")"));
                    continue;
                }
            }
            writeAction(out, e);
            out.write(source, 0, source.length);
            out.write('\n');
            sent.add(e);
        }
        return new Body(out.toByteArray(), sent, rejected);
    }

    /** Bytes an entry adds to a bulk body, for the sink's batch-size accounting. */
    static long sizeInBytes(IndexRequestEntry e) {
        return actionSizeEstimate(e) + e.source().length + 1;
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
