package io.entrawatch.detect;

import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.SignIn;

import java.io.Serializable;

/**
 * What the ingest stage needs to know of a detection to route late sign-ins honestly: which sign-ins
 * it counts and when the window a sign-in falls into ends. A sign-in is late for a detection when it
 * arrives after the watermark passed that window's end (DETECTIONS.md section 5); it is then counted
 * by no detection and goes to the late output once.
 */
public interface Detection extends Serializable {
    RuleMetadata metadata();

    /** True when this detection counts the sign-in (its filter). */
    boolean keeps(SignIn s);

    /** End (exclusive, epoch millis) of the window this detection puts a sign-in of time {@code ts} into. */
    long windowEnd(long ts);

    /** The detection's filter, without the sign-ins that arrived after their window was closed. */
    default boolean countsOnTime(SignIn s) {
        return keeps(s) && !isLate(s);
    }

    default boolean isLate(SignIn s) {
        return windowEnd(s.timestamp) <= s.arrivalWatermark;
    }

    /**
     * The dead letter for a sign-in that reached {@code operator} after its window ending
     * {@code windowEnd} had fired there (the ingest gate admits only on-time sign-ins; merged partitions,
     * e.g. an idle one resuming behind the others, can still move an operator's watermark further).
     */
    default DeadLetter lateAtOperator(SignIn s, long windowEnd, String operator) {
        return new DeadLetter(DeadLetter.LATE, "arrived after the " + metadata().shortName + " window ending "
                + AlertDocuments.iso(windowEnd) + " had fired (" + operator + " watermark); not counted",
                s.toString(), 0, null, -1, -1, -1, System.currentTimeMillis());
    }

    /** Start of the epoch-aligned window of {@code size} ms containing {@code ts}. */
    static long alignedStart(long ts, long size) {
        return Math.floorDiv(ts, size) * size;
    }
}
