package io.entrawatch.sink.elasticsearch;

import java.io.Serializable;

/**
 * Where documents Elasticsearch refuses go: the dead-letter index, as kind {@code rejected} with the
 * reason and their source cut to {@code maxPayloadBytes} ({@code payload_bytes} keeps the full size).
 * Immutable and serializable.
 */
public final class DeadLetterRouting implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String index;
    private final long maxPayloadBytes;

    private DeadLetterRouting(String index, long maxPayloadBytes) {
        this.index = index;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Refused documents into {@code index}, keeping the default 256 KiB of their source. */
    public static DeadLetterRouting toIndex(String index) {
        return builder().index(index).build();
    }

    /** The dead-letter index (or write alias). */
    public String index() {
        return index;
    }

    /** Source bytes kept in a {@code rejected} dead letter (the sink keeps it below half a bulk). */
    public long maxPayloadBytes() {
        return maxPayloadBytes;
    }

    @Override
    public String toString() {
        return "DeadLetterRouting{index=" + index + ", maxPayloadBytes=" + maxPayloadBytes + "}";
    }

    /** Builds {@link DeadLetterRouting}; the index is required. */
    public static final class Builder {
        private String index;
        private long maxPayloadBytes = 256 * 1024;

        private Builder() {}

        public Builder index(String index) {
            this.index = index;
            return this;
        }

        public Builder maxPayloadBytes(long maxPayloadBytes) {
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        public DeadLetterRouting build() {
            if (index == null || index.isEmpty()) {
                throw new IllegalArgumentException("a dead-letter index is required (rejected documents go there)");
            }
            return new DeadLetterRouting(index, maxPayloadBytes);
        }
    }
}
