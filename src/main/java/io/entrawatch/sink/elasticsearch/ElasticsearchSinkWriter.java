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
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.message.BasicNameValuePair;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RequestOptions;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The writer of {@link ElasticsearchSink}: sends each batch as one {@code _bulk} call and sorts the
 * outcome of every item into indexed, retried or dead-lettered (see {@link BulkRequests#classifyItem}).
 *
 * <p>Backoff works by holding the batch "in flight" until its retry is due: the base writer admits
 * no more than {@code max-in-flight} batches, so while Elasticsearch is unreachable the sink stops
 * taking records (backpressure) instead of spinning. Retries are handed back through
 * {@link ResultHandler#retryForEntries}, which puts the entries at the head of the buffer.
 *
 * <p>Known limit of {@code AsyncSinkWriter} (flink-connector-base 2.2): its flush timer keeps sending
 * until the buffer is empty, so during an outage the task does not reach the next checkpoint
 * barrier; a checkpoint then expires after the checkpoint timeout. Nothing is lost (the buffer and
 * source offsets of the last completed checkpoint hold everything), but with the default of zero
 * tolerable checkpoint failures the job restarts; set
 * {@code execution.checkpointing.tolerable-failed-checkpoints} to ride out long outages.
 */
public class ElasticsearchSinkWriter<InputT> extends AsyncSinkWriter<InputT, IndexRequestEntry> {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSinkWriter.class);
    private static final long LOG_INTERVAL_MS = 30_000;

    private static final ContentType NDJSON = ContentType.create("application/vnd.elasticsearch+x-ndjson",
            new BasicNameValuePair("compatible-with", "8"));
    private static final RequestOptions BULK_OPTIONS = RequestOptions.DEFAULT.toBuilder()
            .addHeader("Accept", BulkRequests.ACCEPT)
            .build();

    /** Resolved settings handed from the sink to its writers (not serialized: built on the TaskManager). */
    static final class Settings {
        final int maxBatchSize;
        final int maxInFlightRequests;
        final int maxBufferedRequests;
        final long maxBatchSizeInBytes;
        final long maxTimeInBufferMs;
        final long maxRecordSizeInBytes;
        final long writerTimeoutMs;
        final ConnectionSettings connection;
        final String alertIndex;
        final String deadLetterIndex;
        final boolean installTemplates;
        final long httpTimeoutMs;
        final long initialBackoffMs;
        final long maxBackoffMs;
        final long maxDeadLetterPayloadBytes;

        Settings(int maxBatchSize, int maxInFlightRequests, int maxBufferedRequests, long maxBatchSizeInBytes,
                long maxTimeInBufferMs, long maxRecordSizeInBytes, long writerTimeoutMs, ConnectionSettings connection,
                String alertIndex, String deadLetterIndex, boolean installTemplates, long httpTimeoutMs,
                long initialBackoffMs, long maxBackoffMs, long maxDeadLetterPayloadBytes) {
            this.maxBatchSize = maxBatchSize;
            this.maxInFlightRequests = maxInFlightRequests;
            this.maxBufferedRequests = maxBufferedRequests;
            this.maxBatchSizeInBytes = maxBatchSizeInBytes;
            this.maxTimeInBufferMs = maxTimeInBufferMs;
            this.maxRecordSizeInBytes = maxRecordSizeInBytes;
            this.writerTimeoutMs = writerTimeoutMs;
            this.connection = connection;
            this.alertIndex = alertIndex;
            this.deadLetterIndex = deadLetterIndex;
            this.installTemplates = installTemplates;
            this.httpTimeoutMs = httpTimeoutMs;
            this.initialBackoffMs = initialBackoffMs;
            this.maxBackoffMs = maxBackoffMs;
            this.maxDeadLetterPayloadBytes = maxDeadLetterPayloadBytes;
        }

        AsyncSinkWriterConfiguration toWriterConfiguration() {
            // The 2.2 builder takes its setters in this fixed order.
            return AsyncSinkWriterConfiguration.builder()
                    .setMaxBatchSize(maxBatchSize)
                    .setMaxBatchSizeInBytes(maxBatchSizeInBytes)
                    .setMaxInFlightRequests(maxInFlightRequests)
                    .setMaxBufferedRequests(maxBufferedRequests)
                    .setMaxTimeInBufferMS(maxTimeInBufferMs)
                    .setMaxRecordSizeInBytes(maxRecordSizeInBytes)
                    .setRequestTimeoutMS(writerTimeoutMs)
                    .setFailOnTimeout(false)
                    .setRateLimitingStrategy(rateLimiting())
                    .build();
        }

        /**
         * The base writer's default starts with one batch in flight and adds 10 documents of window per
         * answered bulk, so it needs a hundred bulks to use a second connection and as many again after
         * any retry halves it. Here the window starts at all {@code max-in-flight} batches and regains a
         * whole batch per answered bulk; failures still halve it.
         */
        private RateLimitingStrategy rateLimiting() {
            int window = maxBatchSize * maxInFlightRequests;
            return CongestionControlRateLimitingStrategy.builder()
                    .setMaxInFlightRequests(maxInFlightRequests)
                    .setInitialMaxInFlightMessages(window)
                    .setScalingStrategy(AIMDScalingStrategy.builder(window)
                            .setIncreaseRate(maxBatchSize)
                            .setDecreaseFactor(0.5)
                            .build())
                    .build();
        }
    }

    private final Settings settings;
    private final RestClient client;
    private final ScheduledExecutorService retryTimer;
    private final RetryBackoff backoff;
    private final ThrottledLog retryLog = new ThrottledLog(LOG_INTERVAL_MS);
    private final ThrottledLog rejectionLog = new ThrottledLog(LOG_INTERVAL_MS);
    private final ThrottledLog deadLetterFailureLog = new ThrottledLog(LOG_INTERVAL_MS);
    private final String subtask;

    private final Counter documentsIndexed;
    private final Counter deadLettersIndexed;
    private final Counter documentsRejected;
    private final Counter deadLettersFailed;
    private final Counter bulkRequestsRetried;
    private final Counter documentsRetried;
    private final Counter sendErrors;

    /** Completed once the templates are in place; replaced after a failure. Mailbox thread only. */
    private CompletableFuture<Void> templatesInstalled;

    ElasticsearchSinkWriter(ElementConverter<InputT, IndexRequestEntry> elementConverter, WriterInitContext context,
            Settings settings, Collection<BufferedRequestState<IndexRequestEntry>> states) {
        super(elementConverter, context, settings.toWriterConfiguration(), states,
                new SimpleBatchCreator<>(settings.maxBatchSizeInBytes), new DequeRequestBuffer<>());
        this.settings = settings;
        this.subtask = context.getTaskInfo().getTaskName() + " (" + (context.getTaskInfo().getIndexOfThisSubtask() + 1)
                + "/" + context.getTaskInfo().getNumberOfParallelSubtasks() + ")";
        this.backoff = new RetryBackoff(Duration.ofMillis(settings.initialBackoffMs), Duration.ofMillis(settings.maxBackoffMs));
        this.client = settings.connection.createClient(Duration.ofMillis(settings.httpTimeoutMs));
        this.retryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "elasticsearch-sink-retry " + subtask);
            t.setDaemon(true);
            return t;
        });
        SinkWriterMetricGroup metrics = context.metricGroup();
        this.documentsIndexed = metrics.counter("documentsIndexed", new ThreadSafeSimpleCounter());
        this.deadLettersIndexed = metrics.counter("deadLettersIndexed", new ThreadSafeSimpleCounter());
        this.documentsRejected = metrics.counter("documentsRejected", new ThreadSafeSimpleCounter());
        this.deadLettersFailed = metrics.counter("deadLettersFailed", new ThreadSafeSimpleCounter());
        this.bulkRequestsRetried = metrics.counter("bulkRequestsRetried", new ThreadSafeSimpleCounter());
        this.documentsRetried = metrics.counter("documentsRetried", new ThreadSafeSimpleCounter());
        metrics.gauge("failuresInARow", backoff::failuresInARow);
        this.sendErrors = metrics.getNumRecordsSendErrorsCounter();
        if (!settings.installTemplates) templatesInstalled = CompletableFuture.completedFuture(null);
        LOG.info("Elasticsearch sink {} writing to {}", subtask, settings.connection);
    }

    @Override
    protected void submitRequestEntries(List<IndexRequestEntry> entries, ResultHandler<IndexRequestEntry> handler) {
        ensureTemplates().whenComplete((ignored, error) -> {
            if (error == null) {
                sendBulk(entries, handler);
            } else {
                onTemplateFailure(entries, handler, error instanceof CompletionException ? error.getCause() : error);
            }
        });
    }

    @Override
    protected long getSizeInBytes(IndexRequestEntry entry) {
        return BulkRequests.sizeInBytes(entry);
    }

    private CompletableFuture<Void> ensureTemplates() {
        CompletableFuture<Void> t = templatesInstalled;
        if (t == null || t.isCompletedExceptionally()) {
            t = IndexTemplates.installAsync(client, settings.alertIndex, settings.deadLetterIndex);
            t.thenRun(() -> LOG.info("Elasticsearch sink {}: index templates for {} and {} are installed", subtask,
                    settings.alertIndex, settings.deadLetterIndex));
            templatesInstalled = t;
        }
        return t;
    }

    private void onTemplateFailure(List<IndexRequestEntry> entries, ResultHandler<IndexRequestEntry> handler, Throwable error) {
        if (error instanceof IndexTemplates.TemplateRefusedException
                && !((IndexTemplates.TemplateRefusedException) error).isRetryable()) {
            // A template Elasticsearch refuses is a deployment error that no retry fixes.
            handler.completeExceptionally(new IllegalStateException(error.getMessage(), error));
            return;
        }
        bulkRequestsRetried.inc(); // the bulk waits for the templates, so it is retried with them
        retryLater(entries, handler, "installing the index templates failed: " + IndexTemplates.describe(error));
    }

    private void sendBulk(List<IndexRequestEntry> entries, ResultHandler<IndexRequestEntry> handler) {
        BulkRequests.Body body = BulkRequests.build(entries);
        List<IndexRequestEntry> deadLetters = new ArrayList<>();
        for (BulkRequests.ItemResult r : body.localRejections) reject(r.entry, r.status, r.reason, deadLetters);
        if (body.sent.isEmpty()) {
            finish(handler, deadLetters);
            return;
        }
        Request request = new Request("POST", BulkRequests.ENDPOINT);
        request.addParameter("filter_path", BulkRequests.FILTER_PATH);
        request.setEntity(new ByteArrayEntity(body.bytes, NDJSON));
        request.setOptions(BULK_OPTIONS);
        ResponseListener listener = new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                try {
                    byte[] answer = EntityUtils.toByteArray(response.getEntity());
                    onItems(BulkRequests.parseResponse(answer, body.sent), deadLetters, handler);
                } catch (IOException | RuntimeException e) {
                    bulkRequestsRetried.inc();
                    retryLater(concat(body.sent, deadLetters), handler, "unreadable bulk response: " + e.getMessage());
                }
            }

            @Override
            public void onFailure(Exception e) {
                onRequestFailure(body.sent, deadLetters, handler, e);
            }
        };
        try {
            client.performRequestAsync(request, listener);
        } catch (RuntimeException e) { // e.g. the client is closing
            listener.onFailure(e);
        }
    }

    private void onItems(List<BulkRequests.ItemResult> results, List<IndexRequestEntry> deadLetters,
            ResultHandler<IndexRequestEntry> handler) {
        long indexed = 0;
        long deadLettersDone = 0;
        List<IndexRequestEntry> retry = new ArrayList<>();
        BulkRequests.ItemResult firstRetry = null;
        for (BulkRequests.ItemResult r : results) {
            switch (r.outcome()) {
                case INDEXED:
                    if (r.entry.isDeadLetter()) deadLettersDone++;
                    else indexed++;
                    break;
                case RETRY:
                    retry.add(r.entry);
                    if (firstRetry == null) firstRetry = r;
                    break;
                default:
                    reject(r.entry, r.status, r.reason, deadLetters);
            }
        }
        documentsIndexed.inc(indexed);
        deadLettersIndexed.inc(deadLettersDone);
        if (retry.isEmpty()) {
            backoff.reset();
            finish(handler, deadLetters);
        } else {
            documentsRetried.inc(retry.size());
            retry.addAll(deadLetters);
            retryLater(retry, handler, (retry.size() - deadLetters.size()) + " of " + results.size()
                    + " documents answered HTTP " + firstRetry.status + " (" + firstRetry.reason + ")");
        }
    }

    private void onRequestFailure(List<IndexRequestEntry> sent, List<IndexRequestEntry> deadLetters,
            ResultHandler<IndexRequestEntry> handler, Exception e) {
        String why;
        if (e instanceof ResponseException) {
            Response r = ((ResponseException) e).getResponse();
            int status = r.getStatusLine().getStatusCode();
            String reason = BulkRequests.requestErrorReason(r);
            if (status == 413 && sent.size() == 1) {
                // One document larger than the server takes (http.max_content_length): no retry helps.
                reject(sent.get(0), status, reason == null ? "request_entity_too_large: HTTP 413" : reason, deadLetters);
                finish(handler, deadLetters);
                return;
            }
            why = "HTTP " + status + (reason == null ? "" : " " + reason);
        } else {
            // Connection refused, timeouts, TLS errors: their messages name hosts, never credentials.
            why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        bulkRequestsRetried.inc();
        retryLater(concat(sent, deadLetters), handler, "bulk request failed: " + why);
    }

    /** A refused document becomes a dead letter; a refused dead letter is logged and counted, not retried. */
    private void reject(IndexRequestEntry entry, int status, String reason, List<IndexRequestEntry> deadLetters) {
        String why = reason == null ? "HTTP " + status : reason;
        sendErrors.inc();
        if (entry.isDeadLetter()) {
            deadLettersFailed.inc();
            long suppressed = deadLetterFailureLog.tryAcquire();
            if (suppressed >= 0) {
                LOG.error("Elasticsearch sink {}: dead letter {} was refused (HTTP {}: {}); it is dropped, not retried{}",
                        subtask, entry, status, why, suppressedNote(suppressed));
            }
            return;
        }
        documentsRejected.inc();
        long suppressed = rejectionLog.tryAcquire();
        if (suppressed >= 0) {
            LOG.warn("Elasticsearch sink {}: document {} was refused (HTTP {}: {}); it goes to dead-letter index {}{}",
                    subtask, entry, status, why, settings.deadLetterIndex, suppressedNote(suppressed));
        }
        deadLetters.add(deadLetterFor(entry, why, settings.deadLetterIndex, settings.maxDeadLetterPayloadBytes,
                settings.maxRecordSizeInBytes, System.currentTimeMillis()));
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

    private void finish(ResultHandler<IndexRequestEntry> handler, List<IndexRequestEntry> deadLetters) {
        if (deadLetters.isEmpty()) {
            handler.complete();
        } else {
            handler.retryForEntries(deadLetters); // the dead letters go out with the next bulk
        }
    }

    private void retryLater(List<IndexRequestEntry> entries, ResultHandler<IndexRequestEntry> handler, String why) {
        long delay = backoff.nextDelayMs();
        long suppressed = retryLog.tryAcquire();
        if (suppressed >= 0) {
            LOG.warn("Elasticsearch sink {}: {}; retrying {} documents in {} ms ({} failures in a row){}", subtask, why,
                    entries.size(), delay, backoff.failuresInARow(), suppressedNote(suppressed));
        }
        try {
            retryTimer.schedule(() -> handler.retryForEntries(entries), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // The writer is closing: the entries are in the last checkpoint and will be replayed.
        }
    }

    private static String suppressedNote(long suppressed) {
        return suppressed > 0 ? " (" + suppressed + " similar messages suppressed)" : "";
    }

    private static List<IndexRequestEntry> concat(List<IndexRequestEntry> a, List<IndexRequestEntry> b) {
        List<IndexRequestEntry> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }

    @Override
    public void close() {
        retryTimer.shutdownNow();
        try {
            client.close();
        } catch (IOException e) {
            LOG.warn("Elasticsearch sink {}: closing the client failed: {}", subtask, e.toString());
        }
        super.close();
    }
}
