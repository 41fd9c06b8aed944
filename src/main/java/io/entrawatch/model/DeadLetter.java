package io.entrawatch.model;

import java.util.Objects;

/**
 * Something the job could not use, kept with the reason instead of being dropped: a malformed message
 * or record, a sign-in that arrived after its window fired, or an alert Elasticsearch rejected.
 */
public class DeadLetter {
    public static final String MALFORMED = "malformed";
    public static final String LATE = "late";
    public static final String REJECTED = "rejected";

    /** {@link #MALFORMED}, {@link #LATE} or {@link #REJECTED}. */
    public String kind;
    /** What is wrong, in words an operator can act on. */
    public String reason;
    /** The raw payload (the message, or the one record of it), as text; truncated past the limit. */
    public String payload;
    /** Payload size in bytes before any truncation. */
    public long payloadBytes;
    /** Where it came from; null/-1 when not from Kafka (replay file: topic is the file name). */
    public String topic;
    public int partition = -1;
    public long offset = -1;
    /** Index of the record inside the message's records array, -1 for the whole message. */
    public int recordIndex = -1;
    /** Processing time when it was dead-lettered, epoch millis. */
    public long observedAt;

    public DeadLetter() {}

    public DeadLetter(String kind, String reason, String payload, long payloadBytes, String topic, int partition,
            long offset, int recordIndex, long observedAt) {
        this.kind = kind;
        this.reason = reason;
        this.payload = payload;
        this.payloadBytes = payloadBytes;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.recordIndex = recordIndex;
        this.observedAt = observedAt;
    }

    /** Deterministic id: the same dead letter re-delivered after a restart overwrites itself. */
    public String documentId() {
        return kind + ":" + topic + ":" + partition + ":" + offset + ":" + recordIndex;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeadLetter)) return false;
        DeadLetter d = (DeadLetter) o;
        return partition == d.partition && offset == d.offset && recordIndex == d.recordIndex
                && Objects.equals(kind, d.kind) && Objects.equals(reason, d.reason)
                && Objects.equals(payload, d.payload) && Objects.equals(topic, d.topic);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, reason, topic, partition, offset, recordIndex);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + kind + ": " + reason + " @" + topic + "/" + partition + "/" + offset + "#"
                + recordIndex + "}";
    }
}
