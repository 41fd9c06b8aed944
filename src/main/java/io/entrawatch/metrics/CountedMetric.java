package io.entrawatch.metrics;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * A Flink metric (for dashboards and the Prometheus reporter) and an accumulator of the same name (so
 * a bounded run such as {@code jobs/replay} can report the totals when it ends).
 */
public final class CountedMetric {
    private final Counter metric;
    private final LongCounter accumulator;

    private CountedMetric(Counter metric, LongCounter accumulator) {
        this.metric = metric;
        this.accumulator = accumulator;
    }

    public static CountedMetric register(RuntimeContext ctx, MetricGroup group, String name) {
        LongCounter acc = new LongCounter();
        ctx.addAccumulator(name, acc);
        return new CountedMetric(group.counter(name), acc);
    }

    public void inc() {
        metric.inc();
        accumulator.add(1);
    }

    public void inc(long n) {
        if (n == 0) return;
        metric.inc(n);
        accumulator.add(n);
    }
}
