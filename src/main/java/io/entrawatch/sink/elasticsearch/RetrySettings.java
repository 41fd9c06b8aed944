package io.entrawatch.sink.elasticsearch;

import java.io.Serializable;
import java.time.Duration;

/**
 * Backoff between retries of a failed bulk or of items answered 408/429/5xx: {@code initialBackoff},
 * doubling with every failure in a row, at most {@code maxBackoff}. The sink retries for as long as
 * Elasticsearch fails; there is no attempt limit. Immutable and serializable.
 */
public final class RetrySettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Duration initialBackoff;
    private final Duration maxBackoff;

    private RetrySettings(Duration initialBackoff, Duration maxBackoff) {
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code initial}, doubling per failure in a row, at most {@code max}; needs 0 < initial <= max. */
    public static RetrySettings of(Duration initial, Duration max) {
        return builder().initialBackoff(initial).maxBackoff(max).build();
    }

    /** The defaults: 100 ms doubling to 30 s. */
    public static RetrySettings defaults() {
        return builder().build();
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    @Override
    public String toString() {
        return "RetrySettings{initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff + "}";
    }

    /** Builds {@link RetrySettings}. */
    public static final class Builder {
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(30);

        private Builder() {}

        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
            return this;
        }

        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
            return this;
        }

        public RetrySettings build() {
            if (initialBackoff == null || maxBackoff == null || initialBackoff.isNegative() || initialBackoff.isZero()
                    || maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("retry backoff needs 0 < initial <= max");
            }
            return new RetrySettings(initialBackoff, maxBackoff);
        }
    }
}
