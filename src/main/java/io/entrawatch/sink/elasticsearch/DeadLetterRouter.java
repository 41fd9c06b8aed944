package io.entrawatch.sink.elasticsearch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Reroutes documents Elasticsearch refuses: each becomes a {@code rejected} dead letter for the
 * {@link DeadLetterRouting} index, sent with the writer's next bulk; a refused dead letter is logged
 * and counted, never dead-lettered again, so a rejection cannot loop. Logs at most one line per 30 s
 * of each kind.
 */
final class DeadLetterRouter {
    /** The sink writer's logger, so rejection lines keep their category. */
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSinkWriter.class);

    private final String deadLetterIndex;
    private final long maxPayloadBytes;
    private final long maxDocumentBytes;
    private final SinkWriterMetrics metrics;
    private final String subtask;
    private final ThrottledLog rejectionLog = new ThrottledLog(ElasticsearchSinkWriter.LOG_INTERVAL_MS);
    private final ThrottledLog deadLetterFailureLog = new ThrottledLog(ElasticsearchSinkWriter.LOG_INTERVAL_MS);

    DeadLetterRouter(ElasticsearchSinkSettings settings, SinkWriterMetrics metrics, String subtask) {
        this.deadLetterIndex = settings.deadLetters().index();
        this.maxPayloadBytes = settings.deadLetterPayloadBytes();
        this.maxDocumentBytes = settings.bulk().maxDocumentBytes();
        this.metrics = metrics;
        this.subtask = subtask;
    }

    /** {@code entry} was refused with {@code status}: adds its dead letter to {@code deadLetters}, unless it is one. */
    void reject(IndexRequestEntry entry, int status, String reason, List<IndexRequestEntry> deadLetters) {
        String why = reason == null ? "HTTP " + status : reason;
        metrics.sendErrors.inc();
        if (entry.isDeadLetter()) {
            metrics.deadLettersFailed.inc();
            long suppressed = deadLetterFailureLog.tryAcquire();
            if (suppressed >= 0) {
                LOG.error("Elasticsearch sink {}: dead letter {} was refused (HTTP {}: {}); it is dropped, not retried{}",
                        subtask, entry, status, why, ThrottledLog.suppressedNote(suppressed));
            }
            return;
        }
        metrics.documentsRejected.inc();
        long suppressed = rejectionLog.tryAcquire();
        if (suppressed >= 0) {
            LOG.warn("Elasticsearch sink {}: document {} was refused (HTTP {}: {}); it goes to dead-letter index {}{}",
                    subtask, entry, status, why, deadLetterIndex, ThrottledLog.suppressedNote(suppressed));
        }
        deadLetters.add(deadLetterFor(entry, why, deadLetterIndex, maxPayloadBytes, maxDocumentBytes,
                System.currentTimeMillis()));
    }

    /**
     * The {@code rejected} dead letter for {@code entry}, its payload cut until the entry fits one
     * bulk (JSON escaping can grow a payload up to six times).
     */
    static IndexRequestEntry deadLetterFor(IndexRequestEntry entry, String reason, String deadLetterIndex,
            long maxPayloadBytes, long maxRecordBytes, long now) {
        long payload = maxPayloadBytes;
        IndexRequestEntry dl = IndexRequests.rejected(entry, reason, deadLetterIndex, payload, now);
        while (BulkRequests.sizeInBytes(dl) > maxRecordBytes && payload > 0) {
            payload /= 2;
            dl = IndexRequests.rejected(entry, reason, deadLetterIndex, payload, now);
        }
        return dl;
    }
}
