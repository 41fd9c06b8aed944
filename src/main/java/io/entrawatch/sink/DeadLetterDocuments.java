package io.entrawatch.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.detect.AlertDocuments;
import io.entrawatch.model.DeadLetter;

/** The JSON document of a dead letter, the same in Elasticsearch, in the Kafka dead-letter topic and in replay files. */
public final class DeadLetterDocuments {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DeadLetterDocuments() {}

    public static ObjectNode toNode(DeadLetter d) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("@timestamp", AlertDocuments.iso(d.observedAt));
        n.put("kind", d.kind);
        n.put("reason", d.reason);
        n.put("topic", d.topic);
        n.put("partition", d.partition);
        n.put("offset", d.offset);
        n.put("record_index", d.recordIndex);
        n.put("payload_bytes", d.payloadBytes);
        n.put("payload", d.payload);
        return n;
    }

    public static String toJson(DeadLetter d) {
        try {
            return MAPPER.writeValueAsString(toNode(d));
        } catch (Exception e) {
            throw new IllegalStateException("cannot write dead letter", e);
        }
    }
}
