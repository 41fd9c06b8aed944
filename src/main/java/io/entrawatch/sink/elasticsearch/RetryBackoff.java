package io.entrawatch.sink.elasticsearch;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Exponential backoff shared by one writer's requests: the delay doubles with every failure in a row
 * (initial, 2x, 4x, ... capped) and resets on the first success. Thread-safe: the client's threads
 * report outcomes.
 */
final class RetryBackoff {
    private final long initialMs;
    private final long maxMs;
    private final AtomicInteger failuresInARow = new AtomicInteger();

    RetryBackoff(Duration initial, Duration max) {
        this(RetrySettings.of(initial, max));
    }

    RetryBackoff(RetrySettings settings) {
        this.initialMs = settings.initialBackoff().toMillis();
        this.maxMs = settings.maxBackoff().toMillis();
    }

    /** Records a failure and returns how long to wait before retrying. */
    long nextDelayMs() {
        return delayForAttempt(failuresInARow.incrementAndGet());
    }

    /** Delay before retry {@code attempt} (1 = first retry). */
    long delayForAttempt(int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long delay = initialMs << shift;
        return delay <= 0 || delay > maxMs ? maxMs : delay;
    }

    void reset() {
        failuresInARow.set(0);
    }

    int failuresInARow() {
        return failuresInARow.get();
    }
}
