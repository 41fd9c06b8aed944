package io.entrawatch.sink.elasticsearch;

import org.apache.flink.connector.base.sink.writer.ElementConverter;

/**
 * Builds an {@link ElasticsearchSink} from grouped settings. Required: {@link #setConnection},
 * {@link #setElementConverter} and {@link #setDeadLetterRouting}; bulk, retry, templates and event times
 * have defaults ({@link BulkSettings#defaults()}, {@link RetrySettings#defaults()}, no templates, no event
 * times).
 *
 * <pre>{@code
 * ElasticsearchSink<Alert> sink = ElasticsearchSink.<Alert>builder()
 *         .setConnection(ConnectionSettings.builder().hosts("https://es:9200").apiKey(key).build())
 *         .setBulk(BulkSettings.builder().maxActions(1000).flushInterval(Duration.ofSeconds(1)).build())
 *         .setRetry(RetrySettings.of(Duration.ofMillis(100), Duration.ofSeconds(30)))
 *         .setDeadLetterRouting(DeadLetterRouting.toIndex("alerts-dead-letters"))
 *         .setIndexTemplates(IndexTemplateSettings.install("alerts"))
 *         .setEventTimes(true)
 *         .setElementConverter(IndexRequests.alertConverter("alerts"))
 *         .build();
 * }</pre>
 */
public class ElasticsearchSinkBuilder<InputT> {
    private ConnectionSettings connection;
    private BulkSettings bulk = BulkSettings.defaults();
    private RetrySettings retry = RetrySettings.defaults();
    private DeadLetterRouting deadLetters;
    private IndexTemplateSettings templates = IndexTemplateSettings.none();
    private ElementConverter<InputT, IndexRequestEntry> elementConverter;
    private boolean eventTimes;

    ElasticsearchSinkBuilder() {}

    /** Hosts, credentials, CA and request timeout. */
    public ElasticsearchSinkBuilder<InputT> setConnection(ConnectionSettings connection) {
        this.connection = connection;
        return this;
    }

    /** Batching: documents and bytes per bulk, bulks in flight, documents buffered, flush interval. */
    public ElasticsearchSinkBuilder<InputT> setBulk(BulkSettings bulk) {
        this.bulk = bulk;
        return this;
    }

    /** Backoff between retries of failed bulks and of items answered 408/429/5xx. */
    public ElasticsearchSinkBuilder<InputT> setRetry(RetrySettings retry) {
        this.retry = retry;
        return this;
    }

    /** Where refused documents go, as kind {@code rejected}. */
    public ElasticsearchSinkBuilder<InputT> setDeadLetterRouting(DeadLetterRouting deadLetters) {
        this.deadLetters = deadLetters;
        return this;
    }

    /** Which index templates to install before the first bulk (each subtask; installing is idempotent). */
    public ElasticsearchSinkBuilder<InputT> setIndexTemplates(IndexTemplateSettings templates) {
        this.templates = templates;
        return this;
    }

    /**
     * Whether every document other than a dead letter is sent with {@code event.created} and
     * {@code event.ingested} set to the time of the bulk request that sends it (the alerts' sink: the
     * documents themselves stay deterministic, the index records when they arrived).
     */
    public ElasticsearchSinkBuilder<InputT> setEventTimes(boolean eventTimes) {
        this.eventTimes = eventTimes;
        return this;
    }

    /** Turns an input element into the document to index: its index, id and source. */
    public ElasticsearchSinkBuilder<InputT> setElementConverter(ElementConverter<InputT, IndexRequestEntry> converter) {
        this.elementConverter = converter;
        return this;
    }

    public ElasticsearchSink<InputT> build() {
        if (connection == null) throw new IllegalArgumentException("setConnection(...) is required");
        if (elementConverter == null) throw new IllegalArgumentException("setElementConverter(...) is required");
        if (deadLetters == null) {
            throw new IllegalArgumentException("a dead-letter index is required (rejected documents go there)");
        }
        if (bulk == null || retry == null || templates == null) {
            throw new IllegalArgumentException("bulk, retry and index template settings cannot be null");
        }
        if (deadLetters.index().equals(templates.alertIndex())) {
            throw new IllegalArgumentException("the alert index and the dead-letter index must differ: " + templates.alertIndex());
        }
        return new ElasticsearchSink<>(elementConverter,
                new ElasticsearchSinkSettings(connection, bulk, retry, deadLetters, templates, eventTimes));
    }
}
