package io.entrawatch.sink.elasticsearch;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Lets one message through per interval and counts the ones it holds back, so an Elasticsearch outage
 * of minutes writes a line every 30 s, not thousands. Thread-safe.
 */
final class ThrottledLog {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private long nextAllowed = Long.MIN_VALUE;
    private long suppressed;

    ThrottledLog(long intervalMs) {
        this(intervalMs, System::nanoTime);
    }

    ThrottledLog(long intervalMs, LongSupplier nanoClock) {
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.nanoClock = nanoClock;
    }

    /**
     * Returns -1 when the message should be dropped (and counts it), else the number of messages
     * dropped since the last one logged (0 or more): log it, mentioning that count.
     */
    synchronized long tryAcquire() {
        long now = nanoClock.getAsLong();
        if (nextAllowed != Long.MIN_VALUE && now - nextAllowed < 0) {
            suppressed++;
            return -1;
        }
        nextAllowed = now + intervalNanos;
        long s = suppressed;
        suppressed = 0;
        return s;
    }

    /** The note a logged message carries about the ones held back before it. */
    static String suppressedNote(long suppressed) {
        return suppressed > 0 ? " (" + suppressed + " similar messages suppressed)" : "";
    }
}
