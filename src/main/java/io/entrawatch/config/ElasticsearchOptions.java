package io.entrawatch.config;

import io.entrawatch.sink.elasticsearch.BulkSettings;
import io.entrawatch.sink.elasticsearch.ConnectionSettings;
import io.entrawatch.sink.elasticsearch.DeadLetterRouting;
import io.entrawatch.sink.elasticsearch.ElasticsearchSink;
import io.entrawatch.sink.elasticsearch.ElasticsearchSinkBuilder;
import io.entrawatch.sink.elasticsearch.IndexTemplateSettings;
import io.entrawatch.sink.elasticsearch.RetrySettings;

import org.apache.flink.configuration.MemorySize;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code es.*} options, and how the job's options become the Elasticsearch sink's settings; the
 * sink itself knows no options. Secrets are read here ({@link Secrets}) and handed on as values.
 */
public final class ElasticsearchOptions {
    private ElasticsearchOptions() {}

    public static final Option<List<String>> HOSTS = Option.list("es.hosts", "http://localhost:9200",
            "Elasticsearch URLs, comma-separated (https://... for TLS).");
    public static final Option<String> USERNAME = Option.string("es.username", null,
            "Basic-auth user (password from env ES_PASSWORD or --es.password-file).");
    public static final Option<String> PASSWORD_FILE = Option.string("es.password-file", null,
            "File holding the Elasticsearch password (else env ES_PASSWORD).");
    public static final Option<String> API_KEY_FILE = Option.string("es.api-key-file", null,
            "File holding an Elasticsearch API key, base64 'id:key' (else env ES_API_KEY).");
    public static final Option<String> CA_FILE = Option.string("es.ca-file", null,
            "PEM CA certificate to trust for https Elasticsearch (default: the JVM's trust store).");
    public static final Option<String> INDEX = Option.string("es.index", "entrawatch-alerts",
            "Index (or write alias) the alerts go to.");
    public static final Option<Boolean> INSTALL_TEMPLATE = Option.bool("es.install-template", "true",
            "Install the index templates (ECS types) and bootstrap the write aliases before the first write; idempotent.");
    public static final Option<Integer> BULK_MAX_ACTIONS = Option.integer("es.bulk.max-actions", "1000",
            "Documents per bulk request at most.");
    public static final Option<MemorySize> BULK_MAX_BYTES = Option.bytes("es.bulk.max-bytes", "5mb",
            "Bytes per bulk request at most.");
    public static final Option<Integer> BULK_MAX_IN_FLIGHT = Option.integer("es.bulk.max-in-flight", "4",
            "Bulk requests in flight per sink subtask.");
    public static final Option<Integer> BULK_MAX_BUFFERED = Option.integer("es.bulk.max-buffered", "10000",
            "Documents buffered per sink subtask before backpressure.");
    public static final Option<Duration> BULK_FLUSH_INTERVAL = Option.duration("es.bulk.flush-interval", "1 s",
            "A partial batch is sent after this long.");
    public static final Option<Duration> REQUEST_TIMEOUT = Option.duration("es.request-timeout", "60 s",
            "Timeout of one bulk request; it is retried after.");
    public static final Option<Duration> RETRY_INITIAL_BACKOFF = Option.duration("es.retry.initial-backoff", "100 ms",
            "Wait before retrying a failed bulk (Elasticsearch unreachable, 429, 5xx); doubles per failure in a row.");
    public static final Option<Duration> RETRY_MAX_BACKOFF = Option.duration("es.retry.max-backoff", "30 s",
            "Longest wait between retries; the sink retries for as long as Elasticsearch is down.");

    /** This group's options, in documentation order. */
    public static final List<Option<?>> ALL = List.of(HOSTS, USERNAME, PASSWORD_FILE, API_KEY_FILE, CA_FILE, INDEX, INSTALL_TEMPLATE, BULK_MAX_ACTIONS, BULK_MAX_BYTES, BULK_MAX_IN_FLIGHT, BULK_MAX_BUFFERED, BULK_FLUSH_INTERVAL, REQUEST_TIMEOUT, RETRY_INITIAL_BACKOFF, RETRY_MAX_BACKOFF);


    /**
     * Hosts, credentials, CA and request timeout from {@code es.*}; the password and API key come from
     * the files named by {@code es.password-file} / {@code es.api-key-file}, else from env ES_PASSWORD /
     * ES_API_KEY.
     */
    public static ConnectionSettings connection(JobOptions options, Map<String, String> env) {
        ConnectionSettings.Builder b = ConnectionSettings.builder().hosts(options.get(HOSTS));
        String user = options.get(USERNAME);
        if (user != null) {
            String password = Secrets.read(options.get(PASSWORD_FILE), Secrets.ES_PASSWORD_ENV, env);
            if (password == null) {
                throw new IllegalArgumentException("--" + USERNAME.name + " is set but no password: set env "
                        + Secrets.ES_PASSWORD_ENV + " or --" + PASSWORD_FILE.name);
            }
            b.basicAuth(user, password);
        } else {
            String apiKey = Secrets.read(options.get(API_KEY_FILE), Secrets.ES_API_KEY_ENV, env);
            if (apiKey != null) b.apiKey(apiKey);
        }
        String ca = options.get(CA_FILE);
        if (ca != null) b.caCertificatesFile(Path.of(ca));
        return b.requestTimeout(options.get(REQUEST_TIMEOUT)).build();
    }

    /**
     * A sink builder with {@code connection} and everything but the element converter from the options:
     * {@code es.bulk.*}, {@code es.retry.*}, {@code es.index}, {@code es.install-template},
     * {@code dead-letter.index}, {@code dead-letter.max-payload-bytes}.
     */
    public static <T> ElasticsearchSinkBuilder<T> sink(JobOptions options, ConnectionSettings connection) {
        return ElasticsearchSink.<T>builder()
                .setConnection(connection)
                .setBulk(bulk(options))
                .setRetry(retry(options))
                .setDeadLetterRouting(deadLetterRouting(options))
                .setIndexTemplates(IndexTemplateSettings.of(options.get(INDEX),
                        options.get(INSTALL_TEMPLATE)));
    }

    static BulkSettings bulk(JobOptions options) {
        return BulkSettings.builder()
                .maxActions(options.get(BULK_MAX_ACTIONS))
                .maxBytes(options.get(BULK_MAX_BYTES).getBytes())
                .maxInFlight(options.get(BULK_MAX_IN_FLIGHT))
                .maxBuffered(options.get(BULK_MAX_BUFFERED))
                .flushInterval(options.get(BULK_FLUSH_INTERVAL))
                .build();
    }

    static RetrySettings retry(JobOptions options) {
        return RetrySettings.of(options.get(RETRY_INITIAL_BACKOFF), options.get(RETRY_MAX_BACKOFF));
    }

    static DeadLetterRouting deadLetterRouting(JobOptions options) {
        return DeadLetterRouting.builder()
                .index(options.get(DeadLetterOptions.INDEX))
                .maxPayloadBytes(options.get(DeadLetterOptions.MAX_PAYLOAD_BYTES).getBytes())
                .build();
    }
}
