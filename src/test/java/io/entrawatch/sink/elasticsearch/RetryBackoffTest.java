package io.entrawatch.sink.elasticsearch;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RetryBackoffTest {
    @Test
    void shouldDoubleFrom100msUpTo30sAndResetOnSuccess() {
        RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(30));
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 12; i++) delays.add(backoff.nextDelayMs());
        assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 6400L, 12800L, 25600L, 30000L, 30000L, 30000L), delays);
        assertEquals(12, backoff.failuresInARow());

        backoff.reset();
        assertEquals(100L, backoff.nextDelayMs());
    }

    @Test
    void shouldNotOverflowAfterManyFailures() {
        RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(30));
        assertEquals(30_000L, backoff.delayForAttempt(1_000_000));
        assertEquals(30_000L, backoff.delayForAttempt(64));
    }

    @Test
    void shouldRefuseABackoffThatCannotGrow() {
        assertThrows(IllegalArgumentException.class, () -> new RetryBackoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new RetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }

    @Test
    void throttledLogShouldLetOneMessagePerIntervalThroughAndCountTheRest() {
        AtomicLong nanos = new AtomicLong(1_000);
        ThrottledLog log = new ThrottledLog(30_000, nanos::get);
        assertEquals(0, log.tryAcquire());
        assertEquals(-1, log.tryAcquire());
        assertEquals(-1, log.tryAcquire());
        nanos.addAndGet(Duration.ofSeconds(29).toNanos());
        assertEquals(-1, log.tryAcquire());
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(3, log.tryAcquire(), "the next message reports the three held back");
        assertEquals(-1, log.tryAcquire());
    }
}
