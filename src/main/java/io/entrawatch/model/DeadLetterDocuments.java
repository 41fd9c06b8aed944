package io.entrawatch.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** The JSON document of a dead letter, the same in Elasticsearch, in the Kafka dead-letter topic and in replay files. */
public final class DeadLetterDocuments {
    private static final JsonFactory JSON = new JsonFactory();

    private DeadLetterDocuments() {}

    public static byte[] json(DeadLetter d) {
        return json(d.kind, d.reason, d.payload, d.payloadBytes, d.topic, d.partition, d.offset, d.recordIndex,
                d.observedAt, null, null);
    }

    public static String toJson(DeadLetter d) {
        return new String(json(d), StandardCharsets.UTF_8);
    }

    /** The dead-letter document; original index/id only for documents Elasticsearch rejected. */
    public static byte[] json(String kind, String reason, String payload, long payloadBytes, String topic,
            int partition, long offset, int recordIndex, long observedAt, String originalIndex, String originalId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + (payload == null ? 0 : payload.length() * 2));
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("@timestamp", Instant.ofEpochMilli(observedAt).toString());
            g.writeStringField("kind", kind);
            g.writeStringField("reason", reason);
            if (topic != null) g.writeStringField("topic", topic);
            if (partition >= 0) g.writeNumberField("partition", partition);
            if (offset >= 0) g.writeNumberField("offset", offset);
            if (recordIndex >= 0) g.writeNumberField("record_index", recordIndex);
            if (originalIndex != null) g.writeStringField("original_index", originalIndex);
            if (originalId != null) g.writeStringField("original_id", originalId);
            g.writeNumberField("payload_bytes", payloadBytes);
            g.writeStringField("payload", payload);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

}
