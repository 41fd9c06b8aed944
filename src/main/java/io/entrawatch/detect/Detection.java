package io.entrawatch.detect;

import io.entrawatch.model.Alert;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.SignIn;
import org.apache.flink.streaming.api.datastream.DataStream;

import java.io.Serializable;
import java.util.List;

/**
 * A detection: one package that owns its filter, keys, operators (with their uids), alert documents
 * and metadata. The pipeline knows detections only through this interface: it asks each to
 * {@link #addTo add itself} after the ingest gate, and the gate asks each which sign-ins it counts and
 * when their windows end, to route late sign-ins honestly. A sign-in is late for a detection when it
 * arrives after the watermark passed the end of its window (docs/detections.md, "Event time"); it is
 * then counted by no detection and goes to the dead-letter output once.
 */
public interface Detection extends Serializable {
    RuleMetadata metadata();

    /**
     * Adds this detection's operators to the job, from the gate's sign-ins ({@link DetectionTopology#onTime})
     * to its alerts; each stateful operator has a uid that never changes (savepoints restore by uid), and
     * its dead-letter output goes to {@link DetectionTopology#routeDeadLetters}.
     */
    DataStream<Alert> addTo(DetectionTopology topology);

    /** True when this detection counts the sign-in (its filter). */
    boolean keeps(SignIn s);

    /**
     * The sign-in categories ({@link io.entrawatch.model.Categories}) whose records this detection counts:
     * every sign-in {@link #keeps} with a user in it is of one of them. A category the job does not
     * receive leaves the detection blind to it without any error, so the live job warns when one stays
     * silent ({@code --source.category-silence-warning}) and the start-up check looks for its Event Hub
     * in {@code --source.topic}.
     */
    List<String> categories();

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
