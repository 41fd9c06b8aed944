package io.entrawatch.sink.elasticsearch;

import java.io.Serializable;

/**
 * Everything an {@link ElasticsearchSink} and its writers are configured with, in groups: connection,
 * bulk batching, retry, dead-letter routing, index templates and event times. Built and checked by
 * {@link ElasticsearchSinkBuilder}; immutable and serializable.
 */
public final class ElasticsearchSinkSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ConnectionSettings connection;
    private final BulkSettings bulk;
    private final RetrySettings retry;
    private final DeadLetterRouting deadLetters;
    private final IndexTemplateSettings templates;
    private final boolean eventTimes;

    ElasticsearchSinkSettings(ConnectionSettings connection, BulkSettings bulk, RetrySettings retry,
            DeadLetterRouting deadLetters, IndexTemplateSettings templates, boolean eventTimes) {
        this.connection = connection;
        this.bulk = bulk;
        this.retry = retry;
        this.deadLetters = deadLetters;
        this.templates = templates;
        this.eventTimes = eventTimes;
    }

    public ConnectionSettings connection() {
        return connection;
    }

    public BulkSettings bulk() {
        return bulk;
    }

    public RetrySettings retry() {
        return retry;
    }

    public DeadLetterRouting deadLetters() {
        return deadLetters;
    }

    public IndexTemplateSettings templates() {
        return templates;
    }

    /** Whether documents other than dead letters are sent with {@code event.created} and {@code event.ingested}. */
    public boolean eventTimes() {
        return eventTimes;
    }

    /**
     * Source bytes kept in a {@code rejected} dead letter: the configured amount, but at most half the
     * largest document, since the dead letter carries the source and must fit a bulk (1 KiB at least).
     */
    long deadLetterPayloadBytes() {
        return Math.max(1024, Math.min(deadLetters.maxPayloadBytes(), bulk.maxDocumentBytes() / 2));
    }

    /** The base writer's request timeout: a safety net only, since the HTTP timeout and the backoff end a request first. */
    long writerTimeoutMs() {
        return 2 * connection.requestTimeout().toMillis() + retry.maxBackoff().toMillis() + 10_000;
    }

    @Override
    public String toString() {
        return "ElasticsearchSinkSettings{" + connection + ", " + bulk + ", " + retry + ", " + deadLetters + ", "
                + templates + ", eventTimes=" + eventTimes + "}";
    }
}
