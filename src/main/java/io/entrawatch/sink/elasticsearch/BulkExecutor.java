package io.entrawatch.sink.elasticsearch;

import org.apache.flink.connector.base.sink.writer.ResultHandler;
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

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends one batch as one {@code _bulk} call and sorts the outcome of every item into indexed, retried
 * (408, 429, 5xx, and the whole bulk when the call fails) or refused ({@link DeadLetterRouter}); see
 * {@link BulkRequests#classifyItem}. Dead letters of refused items go back to the base writer with
 * the retries, or on their own, and so out with the next bulk. With event times on, every document other
 * than a dead letter is sent with {@code event.created} and {@code event.ingested} set to the time of the
 * bulk request ({@link BulkRequests#build(List, java.time.Instant)}).
 */
final class BulkExecutor {
    private static final ContentType NDJSON = ContentType.create("application/vnd.elasticsearch+x-ndjson",
            new BasicNameValuePair("compatible-with", "8"));
    private static final RequestOptions BULK_OPTIONS = RequestOptions.DEFAULT.toBuilder()
            .addHeader("Accept", BulkRequests.ACCEPT)
            .build();

    private final RestClient client;
    private final DeadLetterRouter deadLetterRouter;
    private final RetryScheduler retries;
    private final SinkWriterMetrics metrics;
    /** Null: documents are sent without event times. */
    private final Clock eventTimes;

    BulkExecutor(RestClient client, DeadLetterRouter deadLetterRouter, RetryScheduler retries, SinkWriterMetrics metrics,
            Clock eventTimes) {
        this.client = client;
        this.deadLetterRouter = deadLetterRouter;
        this.retries = retries;
        this.metrics = metrics;
        this.eventTimes = eventTimes;
    }

    void execute(List<IndexRequestEntry> entries, ResultHandler<IndexRequestEntry> handler) {
        BulkRequests.Body body = BulkRequests.build(entries, eventTimes == null ? null : eventTimes.instant());
        List<IndexRequestEntry> deadLetters = new ArrayList<>();
        for (BulkRequests.ItemResult r : body.localRejections) deadLetterRouter.reject(r.entry, r.status, r.reason, deadLetters);
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
                    metrics.bulkRequestsRetried.inc();
                    retries.retryLater(concat(body.sent, deadLetters), handler, "unreadable bulk response: " + e.getMessage());
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
                    deadLetterRouter.reject(r.entry, r.status, r.reason, deadLetters);
            }
        }
        metrics.documentsIndexed.inc(indexed);
        metrics.deadLettersIndexed.inc(deadLettersDone);
        if (retry.isEmpty()) {
            retries.succeeded();
            finish(handler, deadLetters);
        } else {
            metrics.documentsRetried.inc(retry.size());
            retry.addAll(deadLetters);
            retries.retryLater(retry, handler, (retry.size() - deadLetters.size()) + " of " + results.size()
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
                deadLetterRouter.reject(sent.get(0), status, reason == null ? "request_entity_too_large: HTTP 413" : reason,
                        deadLetters);
                finish(handler, deadLetters);
                return;
            }
            why = "HTTP " + status + (reason == null ? "" : " " + reason);
        } else {
            // Connection refused, timeouts, TLS errors: their messages name hosts, never credentials.
            why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        metrics.bulkRequestsRetried.inc();
        retries.retryLater(concat(sent, deadLetters), handler, "bulk request failed: " + why);
    }

    private static void finish(ResultHandler<IndexRequestEntry> handler, List<IndexRequestEntry> deadLetters) {
        if (deadLetters.isEmpty()) {
            handler.complete();
        } else {
            handler.retryForEntries(deadLetters); // the dead letters go out with the next bulk
        }
    }

    private static List<IndexRequestEntry> concat(List<IndexRequestEntry> a, List<IndexRequestEntry> b) {
        List<IndexRequestEntry> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }
}
