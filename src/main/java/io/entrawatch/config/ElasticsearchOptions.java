package io.entrawatch.config;

import io.entrawatch.sink.elasticsearch.BulkSettings;
import io.entrawatch.sink.elasticsearch.ConnectionSettings;
import io.entrawatch.sink.elasticsearch.DeadLetterRouting;
import io.entrawatch.sink.elasticsearch.ElasticsearchSink;
import io.entrawatch.sink.elasticsearch.ElasticsearchSinkBuilder;
import io.entrawatch.sink.elasticsearch.IndexTemplateSettings;
import io.entrawatch.sink.elasticsearch.RetrySettings;

import java.nio.file.Path;
import java.util.Map;

/**
 * The job's {@code es.*} and {@code dead-letter.*} options as the Elasticsearch sink's settings; the
 * sink itself knows no options. Secrets are read here ({@link Secrets}) and handed on as values.
 */
public final class ElasticsearchOptions {
    private ElasticsearchOptions() {}

    /**
     * Hosts, credentials, CA and request timeout from {@code es.*}; the password and API key come from
     * the files named by {@code es.password-file} / {@code es.api-key-file}, else from env ES_PASSWORD /
     * ES_API_KEY.
     */
    public static ConnectionSettings connection(JobOptions options, Map<String, String> env) {
        ConnectionSettings.Builder b = ConnectionSettings.builder().hosts(options.get(JobOptions.ES_HOSTS));
        String user = options.get(JobOptions.ES_USERNAME);
        if (user != null) {
            String password = Secrets.read(options.get(JobOptions.ES_PASSWORD_FILE), Secrets.ES_PASSWORD_ENV, env);
            if (password == null) {
                throw new IllegalArgumentException("--" + JobOptions.ES_USERNAME.name + " is set but no password: set env "
                        + Secrets.ES_PASSWORD_ENV + " or --" + JobOptions.ES_PASSWORD_FILE.name);
            }
            b.basicAuth(user, password);
        } else {
            String apiKey = Secrets.read(options.get(JobOptions.ES_API_KEY_FILE), Secrets.ES_API_KEY_ENV, env);
            if (apiKey != null) b.apiKey(apiKey);
        }
        String ca = options.get(JobOptions.ES_CA_FILE);
        if (ca != null) b.caCertificatesFile(Path.of(ca));
        return b.requestTimeout(options.get(JobOptions.ES_REQUEST_TIMEOUT)).build();
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
                .setIndexTemplates(IndexTemplateSettings.of(options.get(JobOptions.ES_INDEX),
                        options.get(JobOptions.ES_INSTALL_TEMPLATE)));
    }

    static BulkSettings bulk(JobOptions options) {
        return BulkSettings.builder()
                .maxActions(options.get(JobOptions.ES_MAX_BATCH))
                .maxBytes(options.get(JobOptions.ES_MAX_BATCH_BYTES))
                .maxInFlight(options.get(JobOptions.ES_MAX_IN_FLIGHT))
                .maxBuffered(options.get(JobOptions.ES_MAX_BUFFERED))
                .flushInterval(options.get(JobOptions.ES_FLUSH_INTERVAL))
                .build();
    }

    static RetrySettings retry(JobOptions options) {
        return RetrySettings.of(options.get(JobOptions.ES_RETRY_INITIAL_BACKOFF), options.get(JobOptions.ES_RETRY_MAX_BACKOFF));
    }

    static DeadLetterRouting deadLetterRouting(JobOptions options) {
        return DeadLetterRouting.builder()
                .index(options.get(JobOptions.DLQ_INDEX))
                .maxPayloadBytes(options.get(JobOptions.DLQ_MAX_PAYLOAD))
                .build();
    }
}
