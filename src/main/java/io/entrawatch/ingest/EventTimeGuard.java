package io.entrawatch.ingest;

import java.io.Serializable;

/**
 * The event-time policy for timestamps far from the rest of a partition (docs/event-time.md), one
 * instance per source partition, fed that partition's sign-in timestamps in order. It decides which
 * timestamps may advance the partition's event time (the maximum that lateness and the watermark are
 * judged against):
 *
 * <ul>
 *   <li>A timestamp at most {@code maxAhead} beyond the current maximum advances it, as in a plain
 *       bounded-out-of-orderness watermark.</li>
 *   <li>A timestamp more than {@code maxAhead} beyond it (or the first of a partition, which has no
 *       reference) is only a <em>candidate</em>: it does not move the maximum. If the next sign-in
 *       is within {@code maxAhead} of the candidate (and itself beyond the maximum by more than
 *       {@code maxAhead}), the jump is confirmed: the maximum becomes the candidate before that next
 *       sign-in is judged, which is exactly the state a plain watermark would be in. Otherwise the
 *       candidate is forgotten (a lone outlier) and the next such sign-in is the new candidate.</li>
 * </ul>
 *
 * <p>So a genuine jump in time (a gap in the data, the first records of a stream) is judged exactly as
 * by a plain watermark as soon as one more sign-in follows it, while one sign-in a year in the future
 * cannot make every later sign-in late. {@code maxAhead <= 0} switches the rule off (plain maximum).
 */
public final class EventTimeGuard implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final long NONE = Long.MIN_VALUE;

    private final long maxAheadMillis;
    private long max = NONE;
    private long candidate = NONE;

    public EventTimeGuard(long maxAheadMillis) {
        this.maxAheadMillis = maxAheadMillis;
    }

    public EventTimeGuard(long maxAheadMillis, long max, long candidate) {
        this(maxAheadMillis);
        this.max = max;
        this.candidate = candidate;
    }

    /**
     * Takes the next sign-in's timestamp; returns the partition maximum this sign-in is judged against
     * (the maximum of the confirmed timestamps before it, after a confirmation it triggers), or
     * {@link #NONE} when there is none yet.
     */
    public long next(long ts) {
        if (maxAheadMillis <= 0) {
            long before = max;
            if (ts > max) max = ts;
            return before;
        }
        if (max != NONE && ts <= max + maxAheadMillis) {
            long before = max;
            if (ts > max) max = ts;
            candidate = NONE;
            return before;
        }
        // Beyond the maximum by more than maxAhead, or the partition's first sign-in.
        if (candidate != NONE && Math.abs(ts - candidate) <= maxAheadMillis) {
            max = max == NONE ? candidate : Math.max(max, candidate);
            candidate = NONE;
            long before = max;
            if (ts > max) max = ts;
            return before;
        }
        long before = max;
        candidate = ts;
        return before;
    }

    /** The partition maximum (confirmed timestamps only), {@link #NONE} when none. */
    public long max() {
        return max;
    }

    /** The unconfirmed candidate, {@link #NONE} when none. */
    public long candidate() {
        return candidate;
    }
}
