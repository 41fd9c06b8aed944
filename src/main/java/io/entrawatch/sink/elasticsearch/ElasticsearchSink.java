package io.entrawatch.sink.elasticsearch;

import io.entrawatch.config.JobOptions;
import io.entrawatch.model.Alert;
import io.entrawatch.model.DeadLetter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.Collection;
import java.util.Collections;

/**
 * Bulk-indexes documents into Elasticsearch 8.x or 9.x with the low-level REST client of
 * elasticsearch-java 8.19 (which sends {@code compatible-with=8}, so a 9.x server answers too).
 *
 * <p>Delivery: at least once. Buffered documents are part of the checkpoint and in-flight bulks
 * complete before it; with deterministic ids (alerts, dead letters) a replay overwrites, so the index
 * ends up exactly-once.
 *
 * <p>Failures never fail the job and never lose a document:
 * <ul>
 *   <li>a bulk that fails as a whole (connection refused, timeout, 429, 5xx, ...) is retried with
 *       exponential backoff (default 100 ms doubling to 30 s), logged at WARN at most every 30 s;
 *   <li>an item answered 408/429/5xx is retried the same way;
 *   <li>an item Elasticsearch refuses (other 4xx, e.g. a mapping conflict) is written to the
 *       dead-letter index as kind {@code rejected} with the reason and its source; a refused dead
 *       letter is logged at ERROR and counted, never retried.
 * </ul>
 * While Elasticsearch is down the sink backpressures; its checkpoints wait for the in-flight bulks,
 * so an outage longer than the checkpoint timeout fails checkpoints: give the job enough
 * {@code execution.checkpointing.tolerable-failed-checkpoints} (see the class docs of the writer).
 *
 * <p>Metrics on the writer's group: {@code documentsIndexed} (documents other than dead letters),
 * {@code documentsRejected} (refused and dead-lettered), {@code deadLettersIndexed},
 * {@code deadLettersFailed} (a dead letter refused in turn: logged, dropped), {@code bulkRequestsRetried}
 * (whole bulks retried), {@code documentsRetried} (items answered 408/429/5xx), and the gauge
 * {@code failuresInARow}.
 */
public class ElasticsearchSink<InputT> extends AsyncSinkBase<InputT, IndexRequestEntry> {
    private static final long serialVersionUID = 1L;

    private final ConnectionSettings connection;
    private final String alertIndex;
    private final String deadLetterIndex;
    private final boolean installTemplates;
    private final long httpTimeoutMs;
    private final long initialBackoffMs;
    private final long maxBackoffMs;
    private final long maxDeadLetterPayloadBytes;

    ElasticsearchSink(ElementConverter<InputT, IndexRequestEntry> elementConverter, int maxBatchSize,
            int maxInFlightRequests, int maxBufferedRequests, long maxBatchSizeInBytes, long maxTimeInBufferMS,
            long maxRecordSizeInBytes, ConnectionSettings connection, String alertIndex, String deadLetterIndex,
            boolean installTemplates, long httpTimeoutMs, long initialBackoffMs, long maxBackoffMs,
            long maxDeadLetterPayloadBytes) {
        super(new SizeGuardingConverter<>(elementConverter, maxRecordSizeInBytes, deadLetterIndex,
                        maxDeadLetterPayloadBytes),
                maxBatchSize, maxInFlightRequests, maxBufferedRequests, maxBatchSizeInBytes, maxTimeInBufferMS,
                maxRecordSizeInBytes,
                // Safety net only: the HTTP timeout (per call) and our backoff end a request first.
                2 * httpTimeoutMs + maxBackoffMs + 10_000, false);
        this.connection = connection;
        this.alertIndex = alertIndex;
        this.deadLetterIndex = deadLetterIndex;
        this.installTemplates = installTemplates;
        this.httpTimeoutMs = httpTimeoutMs;
        this.initialBackoffMs = initialBackoffMs;
        this.maxBackoffMs = maxBackoffMs;
        this.maxDeadLetterPayloadBytes = maxDeadLetterPayloadBytes;
    }

    public static <InputT> ElasticsearchSinkBuilder<InputT> builder() {
        return new ElasticsearchSinkBuilder<>();
    }

    /** The alert sink as the job's options describe it: alerts into {@code es.index}. */
    public static ElasticsearchSink<Alert> forAlerts(JobOptions options, ConnectionSettings connection) {
        return ElasticsearchSink.<Alert>builder()
                .setConnection(connection)
                .applyOptions(options)
                .setElementConverter(IndexRequests.alertConverter(options.get(JobOptions.ES_INDEX)))
                .build();
    }

    /** The dead-letter sink (dead-letter.target=elasticsearch): dead letters into {@code dead-letter.index}. */
    public static ElasticsearchSink<DeadLetter> forDeadLetters(JobOptions options, ConnectionSettings connection) {
        return ElasticsearchSink.<DeadLetter>builder()
                .setConnection(connection)
                .applyOptions(options)
                .setElementConverter(IndexRequests.deadLetterConverter(options.get(JobOptions.DLQ_INDEX)))
                .build();
    }

    @Override
    public ElasticsearchSinkWriter<InputT> createWriter(WriterInitContext context) {
        return restoreWriter(context, Collections.emptyList());
    }

    @Override
    public ElasticsearchSinkWriter<InputT> restoreWriter(WriterInitContext context,
            Collection<BufferedRequestState<IndexRequestEntry>> recoveredState) {
        return new ElasticsearchSinkWriter<>(getElementConverter(), context, writerConfiguration(), recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<IndexRequestEntry>> getWriterStateSerializer() {
        return new IndexRequestEntrySerializer();
    }

    ElasticsearchSinkWriter.Settings writerConfiguration() {
        return new ElasticsearchSinkWriter.Settings(getMaxBatchSize(), getMaxInFlightRequests(),
                getMaxBufferedRequests(), getMaxBatchSizeInBytes(), getMaxTimeInBufferMS(), getMaxRecordSizeInBytes(),
                getRequestTimeoutMS(), connection, alertIndex, deadLetterIndex, installTemplates, httpTimeoutMs,
                initialBackoffMs, maxBackoffMs, maxDeadLetterPayloadBytes);
    }

    @Override
    public String toString() {
        return "ElasticsearchSink{" + connection + ", deadLetterIndex=" + deadLetterIndex + "}";
    }
}
