package io.entrawatch.exceptions;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.HashMap;
import java.util.Map;

/**
 * Accountability: per exception and rule, the sign-ins it hid, as the metric
 * {@code entrawatch.exceptions.exception.<id>.rule.<rule>.hiddenSignIns} (the Prometheus reporter makes
 * {@code exception} and {@code rule} labels) and as an accumulator that {@code jobs/replay} reports when it
 * ends ({@link #ACCUMULATOR_PREFIX}{@code <id>|<rule>}). Counters are registered on an exception's first hit.
 */
public final class HiddenCounters implements ExceptionSet.HitListener {
    public static final String ACCUMULATOR_PREFIX = "exception-hid|";

    private final RuntimeContext context;
    private final MetricGroup group;
    private final RuleList rules;
    private final Map<String, Counter[]> counters = new HashMap<>();
    private final Map<String, LongCounter[]> accumulators = new HashMap<>();

    public HiddenCounters(RuntimeContext context, MetricGroup entrawatchGroup, RuleList rules) {
        this.context = context;
        this.group = entrawatchGroup.addGroup("exceptions");
        this.rules = rules;
    }

    public MetricGroup group() {
        return group;
    }

    @Override
    public void hidden(ExceptionItem exception, long ruleMask) {
        Counter[] c = counters.get(exception.id);
        LongCounter[] a;
        if (c == null) {
            c = new Counter[rules.ids().size()];
            a = new LongCounter[c.length];
            counters.put(exception.id, c);
            accumulators.put(exception.id, a);
        } else {
            a = accumulators.get(exception.id);
        }
        for (int i = 0; i < c.length; i++) {
            if ((ruleMask & (1L << i)) == 0) continue;
            if (c[i] == null) {
                String rule = rules.names().get(i);
                c[i] = group.addGroup("exception", exception.id).addGroup("rule", rule).counter("hiddenSignIns");
                String name = ACCUMULATOR_PREFIX + exception.id + "|" + rule;
                LongCounter existing = (LongCounter) (Object) context.getAccumulator(name);
                if (existing == null) {
                    existing = new LongCounter();
                    context.addAccumulator(name, existing);
                }
                a[i] = existing;
            }
            c[i].inc();
            a[i].add(1);
        }
    }
}
