package io.entrawatch.sink.elasticsearch;

import java.io.Serializable;

/**
 * Everything an {@link ElasticsearchSink} and its writers are configured with, in groups: connection,
 * bulk batching, retry, dead-letter routing and index templates. Built and checked by
 * {@link ElasticsearchSinkBuilder}; immutable and serializable.
 */
public final class ElasticsearchSinkSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ConnectionSettings connection;
    private final BulkSettings bulk;
    private final RetrySettings retry;
    private final DeadLetterRouting deadLetters;
    private final IndexTemplateSettings templates;

    ElasticsearchSinkSettings(ConnectionSettings connection, BulkSettings bulk, RetrySettings retry,
            DeadLetterRouting deadLetters, IndexTemplateSettings templates) {
        this.connection = connection;
        this.bulk = bulk;
        this.retry = retry;
        this.deadLetters = deadLetters;
        this.templates = templates;
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
                + templates + "}";
    }
}
