package io.entrawatch.detect;

import io.entrawatch.metrics.CountedMetric;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.OutputTags;
import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.OutputTag;

import java.io.Serializable;
import java.util.function.BiConsumer;

/**
 * What every keyed, event-time-windowed detection operator does the same way: a timer at the end of
 * each window, the operator-side late route, and the rule's metric group. Operators compose it (one- and
 * two-input operators alike) instead of repeating it:
 *
 * <pre>
 *   open():           windows.open(getRuntimeContext()); alerts = windows.counter("alerts");
 *   processElement(): if (windows.routeIfLate(s, end, ctx.timerService(), ctx::output)) return;
 *                     ... update state ...; windows.fireAtEnd(ctx.timerService(), end);
 *   onTimer():        evaluate the window, clear its state
 * </pre>
 *
 * <p>A window ending at {@code end} fires at {@code end - 1}, the last instant inside it: the watermark
 * reaching {@code end - 1} means no on-time sign-in of the window can still come (docs/detections.md,
 * "Event time").
 */
public final class KeyedWindows implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Detection detection;
    /** How the dead letter names the operator, e.g. "stage 1 operator". */
    private final String operator;
    private transient RuntimeContext runtime;
    private transient MetricGroup group;
    private transient CountedMetric lateAtOperator;

    public KeyedWindows(Detection detection, String operator) {
        this.detection = detection;
        this.operator = operator;
    }

    /** Call from the operator's {@code open}: the metric group {@code entrawatch.rule.<short name>}. */
    public void open(RuntimeContext runtimeContext) {
        runtime = runtimeContext;
        group = runtimeContext.getMetricGroup().addGroup("entrawatch").addGroup("rule", detection.metadata().shortName);
        lateAtOperator = counter("lateAtOperator");
    }

    /** A counter of the rule's metric group, also reported as an accumulator of the same name. */
    public CountedMetric counter(String name) {
        return CountedMetric.register(runtime, group, name);
    }

    /** True when the window ending {@code windowEnd} has already fired at this operator. */
    public static boolean hasFired(TimerService timers, long windowEnd) {
        return timers.currentWatermark() >= windowEnd - 1;
    }

    /** Registers the timer that fires the window ending {@code windowEnd}; registering it again is free. */
    public static void fireAtEnd(TimerService timers, long windowEnd) {
        timers.registerEventTimeTimer(windowEnd - 1);
    }

    /**
     * The operator-side late route: when the window has fired here, the sign-in goes to the dead-letter
     * output (and the metric) and the caller must not count it. The ingest gate admits only on-time
     * sign-ins; this catches what merged partitions still bring late, e.g. an idle partition resuming
     * behind the others.
     */
    public boolean routeIfLate(SignIn s, long windowEnd, TimerService timers,
            BiConsumer<OutputTag<DeadLetter>, DeadLetter> output) {
        if (!hasFired(timers, windowEnd)) return false;
        lateAtOperator.inc();
        output.accept(OutputTags.DEAD_LETTERS, detection.lateAtOperator(s, windowEnd, operator));
        return true;
    }
}
