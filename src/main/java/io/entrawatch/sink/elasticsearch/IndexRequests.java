package io.entrawatch.sink.elasticsearch;

import io.entrawatch.model.Alert;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.DeadLetterDocuments;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

import java.nio.charset.StandardCharsets;

/**
 * Turns the job's records into documents: an {@link Alert} into its ECS document (docs/detections.md
 * section 6) under its deterministic id, a {@link DeadLetter} into a dead-letter document, and a
 * document Elasticsearch refused into a {@code rejected} dead letter.
 *
 * <p>Dead-letter document fields: {@code kind}, {@code reason}, {@code payload}, {@code payload_bytes},
 * {@code topic}, {@code partition}, {@code offset}, {@code record_index}, {@code @timestamp}
 * (observedAt, ISO-8601 UTC); a rejected document adds {@code original_index} and {@code original_id}.
 * The dead-letter template ({@code elasticsearch/dead-letters-template.json}) maps them.
 */
public final class IndexRequests {

    private IndexRequests() {}

    /** The alert's document (already JSON) under {@code alert.id}; the bytes are sent as they are. */
    public static IndexRequestEntry alert(Alert alert, String index) {
        if (alert.id == null || alert.id.isEmpty()) {
            throw new IllegalArgumentException("alert of rule " + alert.ruleId + " has no id; ids must be deterministic");
        }
        if (alert.document == null) throw new IllegalArgumentException("alert " + alert.id + " has no document");
        return IndexRequestEntry.of(index, alert.id, alert.document.getBytes(StandardCharsets.UTF_8));
    }

    /** A dead letter under {@link DeadLetter#documentId()}: re-delivered after a restart, it overwrites itself. */
    public static IndexRequestEntry deadLetter(DeadLetter d, String deadLetterIndex) {
        return IndexRequestEntry.deadLetter(deadLetterIndex, d.documentId(),
                DeadLetterDocuments.json(d));
    }

    /** Converter of alerts for {@link ElasticsearchSink}: every alert into {@code index}. */
    public static ElementConverter<Alert, IndexRequestEntry> alertConverter(String index) {
        return (alert, context) -> alert(alert, index);
    }

    /** Converter of dead letters for {@link ElasticsearchSink}. */
    public static ElementConverter<DeadLetter, IndexRequestEntry> deadLetterConverter(String deadLetterIndex) {
        return (d, context) -> deadLetter(d, deadLetterIndex);
    }

    /**
     * The dead letter for a document Elasticsearch refused: kind {@code rejected}, the reason, where it
     * was going, and its source as text (cut to {@code maxPayloadBytes}; {@code payload_bytes} keeps the
     * full size). Its id derives from the original index and id, so a replayed rejection overwrites it.
     */
    public static IndexRequestEntry rejected(IndexRequestEntry original, String reason, String deadLetterIndex,
            long maxPayloadBytes, long observedAt) {
        byte[] source = original.source();
        String payload = truncateUtf8(source, maxPayloadBytes);
        String id = original.id() == null ? null : rejectedId(original.index(), original.id());
        return IndexRequestEntry.deadLetter(deadLetterIndex, id,
                DeadLetterDocuments.json(DeadLetter.REJECTED, reason, payload, source.length, null, -1, -1, -1, observedAt,
                        original.index(), original.id()));
    }

    /**
     * {@code rejected:<index>:<id>}; past Elasticsearch's 512-byte id limit the original id is replaced
     * by its SHA-256 (the full id stays in {@code original_id}).
     */
    static String rejectedId(String index, String id) {
        String plain = DeadLetter.REJECTED + ":" + index + ":" + id;
        if (plain.getBytes(StandardCharsets.UTF_8).length <= 512) return plain;
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return DeadLetter.REJECTED + ":" + index + ":sha256:" + java.util.HexFormat.of().formatHex(hash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JVM has SHA-256
        }
    }

    /** The first {@code maxBytes} bytes as text, never splitting a UTF-8 sequence. */
    static String truncateUtf8(byte[] bytes, long maxBytes) {
        if (bytes.length <= maxBytes) return new String(bytes, StandardCharsets.UTF_8);
        int end = (int) maxBytes;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) end--; // back off continuation bytes
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
