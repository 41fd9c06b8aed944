package io.entrawatch.detect.rareapp;

/**
 * What one pair remembers across evaluations (a Flink POJO): the counts of its evaluated intervals
 * that can still matter, its last alert (suppression) and its newest interval (cleanup).
 *
 * <p>Bounded: an interval older than the lookback is dropped, and so is any interval older than a set
 * of newer evaluated intervals that already hold more than the threshold (every later window that
 * contains the old one contains those too, so it can no longer change a verdict). What stays is at most
 * threshold + 1 intervals.
 */
public class PairHistory {
    /** Starts of evaluated intervals, ascending, and their kept counts (capped at threshold + 1). */
    public long[] starts = new long[0];
    public int[] counts = new int[0];
    /** Evaluation end of the last alert; Long.MIN_VALUE when none. */
    public long lastAlert = Long.MIN_VALUE;
    /** Start of the newest interval with a kept sign-in. */
    public long newestStart = Long.MIN_VALUE;

    public PairHistory() {}
}
