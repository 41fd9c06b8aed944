package io.entrawatch.sink.elasticsearch;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the sink batches documents into {@code _bulk} requests: documents and bytes per request, bulks
 * in flight, documents buffered before backpressure, how long a partial batch waits, and the largest
 * single document. Immutable and serializable.
 */
public final class BulkSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int maxActions;
    private final long maxBytes;
    private final int maxInFlight;
    private final int maxBuffered;
    private final long flushIntervalMs;
    private final long maxDocumentBytes;

    private BulkSettings(int maxActions, long maxBytes, int maxInFlight, int maxBuffered, long flushIntervalMs,
            long maxDocumentBytes) {
        this.maxActions = maxActions;
        this.maxBytes = maxBytes;
        this.maxInFlight = maxInFlight;
        this.maxBuffered = maxBuffered;
        this.flushIntervalMs = flushIntervalMs;
        this.maxDocumentBytes = maxDocumentBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: 1000 documents, 5 MiB, 4 in flight, 10,000 buffered, 1 s. */
    public static BulkSettings defaults() {
        return builder().build();
    }

    /** Documents per bulk request at most. */
    public int maxActions() {
        return maxActions;
    }

    /** Bytes per bulk request at most. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Bulk requests in flight per sink subtask. */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** Documents buffered per sink subtask before the sink backpressures. */
    public int maxBuffered() {
        return maxBuffered;
    }

    /** A partial batch is sent after this many milliseconds. */
    public long flushIntervalMs() {
        return flushIntervalMs;
    }

    /** The largest document a bulk carries (default {@link #maxBytes()}); a larger one is dead-lettered. */
    public long maxDocumentBytes() {
        return maxDocumentBytes;
    }

    @Override
    public String toString() {
        return "BulkSettings{maxActions=" + maxActions + ", maxBytes=" + maxBytes + ", maxInFlight=" + maxInFlight
                + ", maxBuffered=" + maxBuffered + ", flushIntervalMs=" + flushIntervalMs + ", maxDocumentBytes="
                + maxDocumentBytes + "}";
    }

    /** Builds {@link BulkSettings}; {@link #build()} checks that the numbers fit together. */
    public static final class Builder {
        private int maxActions = 1000;
        private long maxBytes = 5L * 1024 * 1024;
        private int maxInFlight = 4;
        private int maxBuffered = 10_000;
        private long flushIntervalMs = 1000;
        private Long maxDocumentBytes;

        private Builder() {}

        public Builder maxActions(int maxActions) {
            this.maxActions = maxActions;
            return this;
        }

        public Builder maxBytes(long maxBytes) {
            this.maxBytes = maxBytes;
            return this;
        }

        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
            return this;
        }

        /** Must be greater than {@link #maxActions}. */
        public Builder maxBuffered(int maxBuffered) {
            this.maxBuffered = maxBuffered;
            return this;
        }

        /** A partial batch is sent after this long (1 ms at least). */
        public Builder flushInterval(Duration interval) {
            this.flushIntervalMs = Math.max(1, interval.toMillis());
            return this;
        }

        /** At most {@link #maxBytes}, which is the default. */
        public Builder maxDocumentBytes(long maxDocumentBytes) {
            this.maxDocumentBytes = maxDocumentBytes;
            return this;
        }

        public BulkSettings build() {
            long maxDocument = maxDocumentBytes == null ? maxBytes : maxDocumentBytes;
            if (maxActions < 1 || maxInFlight < 1 || maxBytes < 1 || flushIntervalMs < 1) {
                throw new IllegalArgumentException("bulk max-actions, max-bytes, max-in-flight and flush interval must be positive");
            }
            if (maxBuffered <= maxActions) {
                throw new IllegalArgumentException("es.bulk.max-buffered (" + maxBuffered
                        + ") must be greater than es.bulk.max-actions (" + maxActions + ")");
            }
            if (maxDocument > maxBytes) {
                throw new IllegalArgumentException("the largest document (" + maxDocument + " bytes) cannot exceed es.bulk.max-bytes ("
                        + maxBytes + ")");
            }
            return new BulkSettings(maxActions, maxBytes, maxInFlight, maxBuffered, flushIntervalMs, maxDocument);
        }
    }
}
