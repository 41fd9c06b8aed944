package io.entrawatch.sink.elasticsearch;

import io.entrawatch.config.JobOptions;
import org.apache.flink.connector.base.sink.AsyncSinkBaseBuilder;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

import java.time.Duration;

/**
 * Builds an {@link ElasticsearchSink}. Batching defaults are those of the job's options
 * ({@code es.bulk.*}); {@link #applyOptions} takes them, the indices and the template switch from a
 * {@link JobOptions}. Required: {@link #setConnection}, {@link #setElementConverter} and a dead-letter
 * index (default {@code dead-letter.index}'s default).
 *
 * <pre>{@code
 * ElasticsearchSink<Alert> sink = ElasticsearchSink.<Alert>builder()
 *         .setConnection(ConnectionSettings.fromOptions(options, System.getenv()))
 *         .applyOptions(options)
 *         .setElementConverter(IndexRequests.alertConverter(options.get(JobOptions.ES_INDEX)))
 *         .build();
 * }</pre>
 */
public class ElasticsearchSinkBuilder<InputT>
        extends AsyncSinkBaseBuilder<InputT, IndexRequestEntry, ElasticsearchSinkBuilder<InputT>> {
    private static final JobOptions DEFAULTS = JobOptions.defaults();

    private ConnectionSettings connection;
    private ElementConverter<InputT, IndexRequestEntry> elementConverter;
    private String alertIndex = DEFAULTS.get(JobOptions.ES_INDEX);
    private String deadLetterIndex = DEFAULTS.get(JobOptions.DLQ_INDEX);
    private boolean installTemplates = DEFAULTS.get(JobOptions.ES_INSTALL_TEMPLATE);
    private Duration requestTimeout = DEFAULTS.get(JobOptions.ES_REQUEST_TIMEOUT);
    private Duration initialBackoff = DEFAULTS.get(JobOptions.ES_RETRY_INITIAL_BACKOFF);
    private Duration maxBackoff = DEFAULTS.get(JobOptions.ES_RETRY_MAX_BACKOFF);
    private long maxDeadLetterPayloadBytes = DEFAULTS.get(JobOptions.DLQ_MAX_PAYLOAD);

    ElasticsearchSinkBuilder() {}

    public ElasticsearchSinkBuilder<InputT> setConnection(ConnectionSettings connection) {
        this.connection = connection;
        return this;
    }

    public ElasticsearchSinkBuilder<InputT> setElementConverter(ElementConverter<InputT, IndexRequestEntry> converter) {
        this.elementConverter = converter;
        return this;
    }

    /**
     * Batching, timeout, backoff, indices and template switch from the job's options: {@code es.bulk.*},
     * {@code es.request-timeout}, {@code es.retry.*}, {@code es.index}, {@code es.install-template},
     * {@code dead-letter.index}, {@code dead-letter.max-payload-bytes}.
     */
    public ElasticsearchSinkBuilder<InputT> applyOptions(JobOptions options) {
        setMaxBatchSize(options.get(JobOptions.ES_MAX_BATCH));
        setMaxBatchSizeInBytes(options.get(JobOptions.ES_MAX_BATCH_BYTES));
        setMaxInFlightRequests(options.get(JobOptions.ES_MAX_IN_FLIGHT));
        setMaxBufferedRequests(options.get(JobOptions.ES_MAX_BUFFERED));
        setFlushInterval(options.get(JobOptions.ES_FLUSH_INTERVAL));
        setRequestTimeout(options.get(JobOptions.ES_REQUEST_TIMEOUT));
        setRetryBackoff(options.get(JobOptions.ES_RETRY_INITIAL_BACKOFF), options.get(JobOptions.ES_RETRY_MAX_BACKOFF));
        setAlertIndex(options.get(JobOptions.ES_INDEX));
        setInstallTemplates(options.get(JobOptions.ES_INSTALL_TEMPLATE));
        setDeadLetterIndex(options.get(JobOptions.DLQ_INDEX));
        setMaxDeadLetterPayloadBytes(options.get(JobOptions.DLQ_MAX_PAYLOAD));
        return this;
    }

    /** Index whose template (ECS alert mapping) is installed; the converter decides where documents go. */
    public ElasticsearchSinkBuilder<InputT> setAlertIndex(String alertIndex) {
        this.alertIndex = alertIndex;
        return this;
    }

    /** Where refused documents go, as kind {@code rejected}. */
    public ElasticsearchSinkBuilder<InputT> setDeadLetterIndex(String deadLetterIndex) {
        this.deadLetterIndex = deadLetterIndex;
        return this;
    }

    /** Install both index templates before the first bulk (each subtask; a PUT is idempotent). */
    public ElasticsearchSinkBuilder<InputT> setInstallTemplates(boolean installTemplates) {
        this.installTemplates = installTemplates;
        return this;
    }

    /** A partial batch is sent after this long. */
    public ElasticsearchSinkBuilder<InputT> setFlushInterval(Duration interval) {
        return setMaxTimeInBufferMS(Math.max(1, interval.toMillis()));
    }

    /** Socket timeout of one HTTP call; a bulk without an answer for this long is retried. */
    public ElasticsearchSinkBuilder<InputT> setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        return this;
    }

    /** Backoff between retries: {@code initial}, doubling per failure in a row, at most {@code max}. */
    public ElasticsearchSinkBuilder<InputT> setRetryBackoff(Duration initial, Duration max) {
        this.initialBackoff = initial;
        this.maxBackoff = max;
        return this;
    }

    /** Source bytes kept in a {@code rejected} dead letter; the full size is recorded in payload_bytes. */
    public ElasticsearchSinkBuilder<InputT> setMaxDeadLetterPayloadBytes(long maxBytes) {
        this.maxDeadLetterPayloadBytes = maxBytes;
        return this;
    }

    @Override
    public ElasticsearchSink<InputT> build() {
        if (connection == null) throw new IllegalArgumentException("setConnection(...) is required");
        if (elementConverter == null) throw new IllegalArgumentException("setElementConverter(...) is required");
        if (deadLetterIndex == null || deadLetterIndex.isEmpty()) {
            throw new IllegalArgumentException("a dead-letter index is required (rejected documents go there)");
        }
        if (deadLetterIndex.equals(alertIndex)) {
            throw new IllegalArgumentException("the alert index and the dead-letter index must differ: " + alertIndex);
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("the request timeout must be positive");
        }
        new RetryBackoff(initialBackoff, maxBackoff); // validates
        int maxBatch = orDefault(getMaxBatchSize(), DEFAULTS.get(JobOptions.ES_MAX_BATCH));
        long maxBatchBytes = orDefault(getMaxBatchSizeInBytes(), DEFAULTS.get(JobOptions.ES_MAX_BATCH_BYTES));
        int maxInFlight = orDefault(getMaxInFlightRequests(), DEFAULTS.get(JobOptions.ES_MAX_IN_FLIGHT));
        int maxBuffered = orDefault(getMaxBufferedRequests(), DEFAULTS.get(JobOptions.ES_MAX_BUFFERED));
        long flushMs = orDefault(getMaxTimeInBufferMS(), DEFAULTS.get(JobOptions.ES_FLUSH_INTERVAL).toMillis());
        long maxRecord = orDefault(getMaxRecordSizeInBytes(), maxBatchBytes);
        if (maxBatch < 1 || maxInFlight < 1 || maxBatchBytes < 1 || flushMs < 1) {
            throw new IllegalArgumentException("bulk max-actions, max-bytes, max-in-flight and flush interval must be positive");
        }
        if (maxBuffered <= maxBatch) {
            throw new IllegalArgumentException("es.bulk.max-buffered (" + maxBuffered
                    + ") must be greater than es.bulk.max-actions (" + maxBatch + ")");
        }
        if (maxRecord > maxBatchBytes) {
            throw new IllegalArgumentException("the largest document (" + maxRecord + " bytes) cannot exceed es.bulk.max-bytes ("
                    + maxBatchBytes + ")");
        }
        // A rejected document's dead letter carries its source: it must fit a bulk.
        long payload = Math.max(1024, Math.min(maxDeadLetterPayloadBytes, maxRecord / 2));
        return new ElasticsearchSink<>(elementConverter, maxBatch, maxInFlight, maxBuffered, maxBatchBytes, flushMs,
                maxRecord, connection, alertIndex, deadLetterIndex, installTemplates, requestTimeout.toMillis(),
                initialBackoff.toMillis(), maxBackoff.toMillis(), payload);
    }

    private static int orDefault(Integer v, int d) {
        return v == null ? d : v;
    }

    private static long orDefault(Long v, long d) {
        return v == null ? d : v;
    }
}
