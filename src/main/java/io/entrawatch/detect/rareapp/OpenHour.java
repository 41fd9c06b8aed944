package io.entrawatch.detect.rareapp;

/**
 * The kept sign-ins of one pair in one evaluation interval that has not been evaluated yet (a Flink
 * POJO). Only "at most threshold or more" matters, so it stores at most threshold + 1 distinct record
 * identities; once the count passes the threshold the identities are dropped (the interval is
 * saturated and nothing can change its verdict).
 */
public class OpenHour {
    /** 64-bit hashes of (properties.id, category) seen, for de-duplication; null once saturated. */
    public long[] ids = new long[0];
    /** Kept sign-ins counted, capped at threshold + 1 (records without an id each count). */
    public int count;
    /** Event time of the latest kept sign-in, and its appDisplayName (ties: the largest name). */
    public long latestTimestamp = Long.MIN_VALUE;
    public String appDisplayName;

    public OpenHour() {}
}
