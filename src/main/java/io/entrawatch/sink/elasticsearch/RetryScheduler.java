package io.entrawatch.sink.elasticsearch;

import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Hands entries back to the base writer after the writer's backoff, from a timer thread of its own;
 * until then the batch counts as in flight, which is what backpressures the sink during an outage.
 * Logs the retries, at most one line per 30 s.
 */
final class RetryScheduler implements AutoCloseable {
    /** The sink writer's logger, so retry lines keep their category. */
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSinkWriter.class);

    private final RetryBackoff backoff;
    private final String subtask;
    private final ScheduledExecutorService timer;
    private final ThrottledLog log = new ThrottledLog(ElasticsearchSinkWriter.LOG_INTERVAL_MS);

    RetryScheduler(RetrySettings settings, String subtask) {
        this.backoff = new RetryBackoff(settings);
        this.subtask = subtask;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "elasticsearch-sink-retry " + subtask);
            t.setDaemon(true);
            return t;
        });
    }

    /** Counts a failure and retries {@code entries} after the backoff; {@code why} goes to the log. */
    void retryLater(List<IndexRequestEntry> entries, ResultHandler<IndexRequestEntry> handler, String why) {
        long delay = backoff.nextDelayMs();
        long suppressed = log.tryAcquire();
        if (suppressed >= 0) {
            LOG.warn("Elasticsearch sink {}: {}; retrying {} documents in {} ms ({} failures in a row){}", subtask, why,
                    entries.size(), delay, backoff.failuresInARow(), ThrottledLog.suppressedNote(suppressed));
        }
        try {
            timer.schedule(() -> handler.retryForEntries(entries), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // The writer is closing: the entries are in the last checkpoint and will be replayed.
        }
    }

    /** A bulk went through without retries: the next failure waits the initial backoff again. */
    void succeeded() {
        backoff.reset();
    }

    int failuresInARow() {
        return backoff.failuresInARow();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
