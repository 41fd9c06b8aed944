package io.entrawatch.model;

import java.util.Objects;

/**
 * One alert, ready to index: the deterministic document id and the ECS document (docs/detections.md
 * section 6) as JSON text. Computed twice (replay, restart, recovery), it carries the same id and
 * overwrites itself in Elasticsearch.
 */
public class Alert {
    /** Deterministic Elasticsearch {@code _id}. */
    public String id;
    public String ruleId;
    /** {@code @timestamp} in epoch millis: window end (A, C) or evaluation end (B). */
    public long timestamp;
    /** The alert document as JSON (without {@code _id}). */
    public String document;

    public Alert() {}

    public Alert(String id, String ruleId, long timestamp, String document) {
        this.id = id;
        this.ruleId = ruleId;
        this.timestamp = timestamp;
        this.document = document;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Alert)) return false;
        Alert a = (Alert) o;
        return timestamp == a.timestamp && Objects.equals(id, a.id) && Objects.equals(ruleId, a.ruleId)
                && Objects.equals(document, a.document);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, document);
    }

    @Override
    public String toString() {
        return "Alert{" + id + " " + document + "}";
    }
}
