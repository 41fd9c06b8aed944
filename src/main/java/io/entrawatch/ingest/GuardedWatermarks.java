package io.entrawatch.ingest;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness watermarks whose maximum follows {@link EventTimeGuard}, fed every sign-in of
 * each message in order: the same rule, on the same records, as {@link IngestGate}'s lateness, so a
 * sign-in far ahead of its partition moves neither. Emits {@code max - outOfOrderness - 1} like Flink's
 * {@code BoundedOutOfOrdernessWatermarks}.
 */
public final class GuardedWatermarks implements WatermarkGenerator<ParsedMessage> {
    private final long outOfOrdernessMillis;
    private final EventTimeGuard guard;

    public GuardedWatermarks(long outOfOrdernessMillis, long maxAheadMillis) {
        this.outOfOrdernessMillis = outOfOrdernessMillis;
        this.guard = new EventTimeGuard(maxAheadMillis);
    }

    @Override
    public void onEvent(ParsedMessage m, long eventTimestamp, WatermarkOutput output) {
        for (int i = 0; i < m.signIns.size(); i++) guard.next(m.signIns.get(i).timestamp);
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long max = guard.max();
        if (max != EventTimeGuard.NONE) output.emitWatermark(new Watermark(max - outOfOrdernessMillis - 1));
    }
}
