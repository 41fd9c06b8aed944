package io.entrawatch.sink.elasticsearch;

import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.DequeRequestBuffer;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.SimpleBatchCreator;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.connector.base.sink.writer.strategy.AIMDScalingStrategy;
import org.apache.flink.connector.base.sink.writer.strategy.CongestionControlRateLimitingStrategy;
import org.apache.flink.connector.base.sink.writer.strategy.RateLimitingStrategy;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The writer of {@link ElasticsearchSink}: installs the index templates once
 * ({@link IndexTemplateInstaller}), then hands each batch to {@link BulkExecutor}, which sends it as one
 * {@code _bulk} call and sorts the outcome of every item into indexed, retried ({@link RetryScheduler})
 * or dead-lettered ({@link DeadLetterRouter}).
 *
 * <p>Backoff works by holding the batch "in flight" until its retry is due: the base writer admits
 * no more than {@code max-in-flight} batches, so while Elasticsearch is unreachable the sink stops
 * taking records (backpressure) instead of spinning. Retries are handed back through
 * {@link ResultHandler#retryForEntries}, which puts the entries at the head of the buffer.
 *
 * <p>Known limit of {@code AsyncSinkWriter} (flink-connector-base 2.2): during an outage the task
 * thread waits in the mailbox ({@code MailboxExecutor.yield}) and handles no input. It waits in the flush
 * timer, which keeps sending until the buffer is empty, and in {@code flush(false)} before a checkpoint
 * barrier, which waits until no bulk is in flight. So the barrier does not get past the sink, and each
 * checkpoint expires after {@code execution.checkpointing.timeout}. Nothing is lost: the buffer and the
 * source offsets of the last completed checkpoint hold everything. Up to
 * {@code execution.checkpointing.tolerable-failed-checkpoints} expired checkpoints in a row the job keeps
 * running. Beyond that it restarts from the last completed checkpoint. Flink's default is 0, so a
 * cluster that sets nothing restarts at every expired checkpoint, with exponential delay and no limit.
 * The deployment tolerates 36 (see {@link ElasticsearchSink} for the trade-off;
 * {@code LongElasticsearchOutageITCase} covers both).
 */
public class ElasticsearchSinkWriter<InputT> extends AsyncSinkWriter<InputT, IndexRequestEntry> {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSinkWriter.class);
    /** Each kind of warning is logged at most once per this interval. */
    static final long LOG_INTERVAL_MS = 30_000;
    private static final CompletableFuture<Void> NOTHING_TO_INSTALL = CompletableFuture.completedFuture(null);

    private final String subtask;
    private final RestClient client;
    private final SinkWriterMetrics metrics;
    private final RetryScheduler retries;
    private final BulkExecutor bulks;
    /** Null when the sink installs no templates. */
    private final IndexTemplateInstaller templates;

    ElasticsearchSinkWriter(ElementConverter<InputT, IndexRequestEntry> elementConverter, WriterInitContext context,
            ElasticsearchSinkSettings settings, Collection<BufferedRequestState<IndexRequestEntry>> states) {
        super(elementConverter, context, writerConfiguration(settings), states,
                new SimpleBatchCreator<>(settings.bulk().maxBytes()), new DequeRequestBuffer<>());
        this.subtask = context.getTaskInfo().getTaskName() + " (" + (context.getTaskInfo().getIndexOfThisSubtask() + 1)
                + "/" + context.getTaskInfo().getNumberOfParallelSubtasks() + ")";
        this.client = settings.connection().createClient();
        this.retries = new RetryScheduler(settings.retry(), subtask);
        this.metrics = new SinkWriterMetrics(context.metricGroup(), retries::failuresInARow);
        this.bulks = new BulkExecutor(client, new DeadLetterRouter(settings, metrics, subtask), retries, metrics,
                settings.eventTimes() ? Clock.systemUTC() : null);
        this.templates = settings.templates().installs()
                ? new IndexTemplateInstaller(client, settings.templates().alertIndex(), settings.deadLetters().index())
                : null;
        LOG.info("Elasticsearch sink {} writing to {}", subtask, settings.connection());
    }

    /** The base writer's configuration: batching from {@link BulkSettings}, and its own timeout only as a safety net. */
    static AsyncSinkWriterConfiguration writerConfiguration(ElasticsearchSinkSettings settings) {
        BulkSettings bulk = settings.bulk();
        // The 2.2 builder takes its setters in this fixed order.
        return AsyncSinkWriterConfiguration.builder()
                .setMaxBatchSize(bulk.maxActions())
                .setMaxBatchSizeInBytes(bulk.maxBytes())
                .setMaxInFlightRequests(bulk.maxInFlight())
                .setMaxBufferedRequests(bulk.maxBuffered())
                .setMaxTimeInBufferMS(bulk.flushIntervalMs())
                .setMaxRecordSizeInBytes(bulk.maxDocumentBytes())
                .setRequestTimeoutMS(settings.writerTimeoutMs())
                .setFailOnTimeout(false)
                .setRateLimitingStrategy(rateLimiting(bulk))
                .build();
    }

    /**
     * The base writer's default starts with one batch in flight and adds 10 documents of window per
     * answered bulk, so it needs a hundred bulks to use a second connection and as many again after
     * any retry halves it. Here the window starts at all {@code max-in-flight} batches and regains a
     * whole batch per answered bulk; failures still halve it.
     */
    private static RateLimitingStrategy rateLimiting(BulkSettings bulk) {
        int window = bulk.maxActions() * bulk.maxInFlight();
        return CongestionControlRateLimitingStrategy.builder()
                .setMaxInFlightRequests(bulk.maxInFlight())
                .setInitialMaxInFlightMessages(window)
                .setScalingStrategy(AIMDScalingStrategy.builder(window)
                        .setIncreaseRate(bulk.maxActions())
                        .setDecreaseFactor(0.5)
                        .build())
                .build();
    }

    @Override
    protected void submitRequestEntries(List<IndexRequestEntry> entries, ResultHandler<IndexRequestEntry> handler) {
        CompletableFuture<Void> ready = templates == null ? NOTHING_TO_INSTALL : templates.ensureInstalled(subtask);
        ready.whenComplete((ignored, error) -> {
            if (error == null) {
                bulks.execute(entries, handler);
            } else {
                onTemplateFailure(entries, handler, error instanceof CompletionException ? error.getCause() : error);
            }
        });
    }

    @Override
    protected long getSizeInBytes(IndexRequestEntry entry) {
        return BulkRequests.sizeInBytes(entry);
    }

    private void onTemplateFailure(List<IndexRequestEntry> entries, ResultHandler<IndexRequestEntry> handler, Throwable error) {
        if (error instanceof IndexTemplateInstaller.TemplateRefusedException
                && !((IndexTemplateInstaller.TemplateRefusedException) error).isRetryable()) {
            // A template Elasticsearch refuses is a deployment error that no retry fixes.
            handler.completeExceptionally(new IllegalStateException(error.getMessage(), error));
            return;
        }
        metrics.bulkRequestsRetried.inc(); // the bulk waits for the templates, so it is retried with them
        retries.retryLater(entries, handler, "installing the index templates failed: " + IndexTemplateInstaller.describe(error));
    }

    @Override
    public void close() {
        retries.close();
        try {
            client.close();
        } catch (IOException e) {
            LOG.warn("Elasticsearch sink {}: closing the client failed: {}", subtask, e.toString());
        }
        super.close();
    }
}
