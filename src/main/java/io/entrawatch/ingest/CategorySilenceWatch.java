package io.entrawatch.ingest;

import io.entrawatch.model.Categories;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live job's watch over the sign-in categories (one instance, parallelism 1): the ingest gate
 * reports each category it receives ({@link IngestGate}, side output {@code categories-seen}, at most one
 * report per category and subtask every few seconds), and this operator warns when a category an
 * enabled detection reads stays silent for {@code --source.category-silence-warning}
 * ({@link CategorySilence}): a log line at WARN naming the category, the detections that read it and the
 * Event Hubs read, repeated while the silence lasts.
 *
 * <p>Metrics, group {@code entrawatch.category.<category>} for each of the four sign-in categories:
 * {@code msSinceLastSeen} (gauge: since the last arrival, or since the start when none arrived) and
 * {@code silenceWarnings} (counter; only categories a detection reads are warned about).
 *
 * <p>It keeps no state: after a restart, the silence counts from the start.
 */
public final class CategorySilenceWatch extends AbstractStreamOperator<Void> implements OneInputStreamOperator<String, Void> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CategorySilenceWatch.class);
    /** The check runs this often at most (and at least every quarter of the silence time). */
    static final long MAX_CHECK_INTERVAL_MS = 60_000;

    private final Map<String, List<String>> needs;
    private final List<String> topics;
    private final long silenceMs;

    private transient CategorySilence silence;
    private transient Map<String, Counter> warnings;

    public CategorySilenceWatch(Map<String, List<String>> needs, List<String> topics, long silenceMs) {
        if (silenceMs <= 0) throw new IllegalArgumentException("the silence must be positive");
        this.needs = new LinkedHashMap<>(needs);
        this.topics = List.copyOf(topics);
        this.silenceMs = silenceMs;
    }

    /** How often the watch checks: a quarter of the silence time, between 1 s and a minute. */
    static long checkIntervalMs(long silenceMs) {
        return Math.max(1_000, Math.min(MAX_CHECK_INTERVAL_MS, silenceMs / 4));
    }

    @Override
    public void open() throws Exception {
        super.open();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        silence = new CategorySilence(needs, topics, silenceMs, now);
        warnings = new HashMap<>();
        MetricGroup group = getMetricGroup().addGroup("entrawatch");
        for (String category : Categories.SIGN_IN_CATEGORIES) {
            MetricGroup g = group.addGroup("category", category);
            g.gauge("msSinceLastSeen", (Gauge<Long>) () -> silence.silentFor(category,
                    getProcessingTimeService().getCurrentProcessingTime()));
            warnings.put(category, g.counter("silenceWarnings"));
        }
        LOG.info("category watch: warns when one of {} stays silent for {} ms (Event Hubs {})", needs.keySet(), silenceMs, topics);
        schedule(now);
    }

    private void schedule(long now) {
        getProcessingTimeService().registerTimer(now + checkIntervalMs(silenceMs), this::check);
    }

    private void check(long timestamp) {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (String warning : silence.check(now)) LOG.warn("entrawatch: {}", warning);
        for (String category : needs.keySet()) {
            Counter c = warnings.get(category);
            long given = silence.warnings(category);
            if (c != null && c.getCount() < given) c.inc(given - c.getCount());
        }
        schedule(now);
    }

    @Override
    public void processElement(StreamRecord<String> element) {
        String back = silence.seen(element.getValue(), getProcessingTimeService().getCurrentProcessingTime());
        if (back != null) LOG.info("entrawatch: {}", back);
    }

    /** For tests: the silence bookkeeping. */
    CategorySilence silence() {
        return silence;
    }
}
