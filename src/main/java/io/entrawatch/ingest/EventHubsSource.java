package io.entrawatch.ingest;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.SourceOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.time.Instant;
import java.util.Locale;
import java.util.Properties;

/**
 * The Event Hubs source: a Flink KafkaSource configured the way Azure documents the Event Hubs Kafka
 * endpoint (SASL_SSL, PLAIN, username {@code $ConnectionString}, password the connection string) with
 * Microsoft's recommended client settings. Offsets are committed on checkpoints. An Event Hub of
 * {@code --source.topic} that does not exist yet is read once it appears ({@link EventHubsTopics}).
 */
public final class EventHubsSource {
    /** Event Hubs' limit on a Kafka produce request (and so on a record batch): 1,046,528 bytes. */
    public static final int MAX_REQUEST_BYTES = 1_046_528;

    private EventHubsSource() {}

    public static KafkaSource<ParsedMessage> create(JobOptions options, String connectionString, SignInParser parser) {
        String bootstrap = options.get(SourceOptions.BOOTSTRAP_SERVERS);
        if (bootstrap == null) {
            throw new IllegalArgumentException("--source.bootstrap-servers is required, e.g. "
                    + "<namespace>.servicebus.windows.net:9093");
        }
        if (connectionString == null) {
            throw new IllegalArgumentException("no Event Hubs connection string: set the environment variable "
                    + "EVENTHUBS_CONNECTION_STRING or --source.connection-string-file");
        }
        return KafkaSource.<ParsedMessage>builder()
                .setBootstrapServers(bootstrap)
                // a missing Event Hub is left out until it appears, instead of failing the job (EventHubsTopics)
                .setKafkaSubscriber(new EventHubsTopics(options.get(SourceOptions.TOPICS)))
                .setGroupId(options.get(SourceOptions.GROUP_ID))
                .setStartingOffsets(startingOffsets(options.get(SourceOptions.STARTING_OFFSETS)))
                .setDeserializer(new EventHubsDeserializer(parser))
                .setProperties(clientProperties(options, connectionString))
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms",
                        Long.toString(options.get(SourceOptions.PARTITION_DISCOVERY).toMillis()))
                .setClientIdPrefix(options.get(SourceOptions.GROUP_ID))
                .build();
    }

    /** Kafka client properties for the Event Hubs endpoint (also used by the dead-letter producer). */
    public static Properties clientProperties(JobOptions options, String connectionString) {
        Properties p = new Properties();
        p.setProperty("security.protocol", options.get(SourceOptions.SECURITY_PROTOCOL));
        p.setProperty("sasl.mechanism", "PLAIN");
        p.setProperty("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"$ConnectionString\" password=\"" + connectionString.replace("\\", "\\\\").replace("\"", "\\\"") + "\";");
        // Microsoft's recommended settings for Event Hubs (Azure closes idle connections at 240 s).
        p.setProperty("metadata.max.age.ms", "180000");
        p.setProperty("connections.max.idle.ms", "180000");
        p.setProperty("request.timeout.ms", "60000");
        p.setProperty("session.timeout.ms", "30000");
        p.setProperty("max.poll.interval.ms", "300000");
        String ca = options.get(SourceOptions.CA_FILE);
        if (ca != null) {
            p.setProperty("ssl.truststore.type", "PEM");
            p.setProperty("ssl.truststore.location", ca);
        }
        if (options.get(SourceOptions.API_VERSIONS_V3)) {
            if (!options.get(SourceOptions.SECURITY_PROTOCOL).toUpperCase(Locale.ROOT).equals("SASL_SSL")) {
                throw new IllegalArgumentException("--" + SourceOptions.API_VERSIONS_V3.name + " works on TLS only: it needs --"
                        + SourceOptions.SECURITY_PROTOCOL.name + " SASL_SSL (now: " + options.get(SourceOptions.SECURITY_PROTOCOL) + ")");
            }
            p.setProperty("ssl.engine.factory.class", ApiVersionsV3SslEngineFactory.class.getName());
        }
        return p;
    }

    static OffsetsInitializer startingOffsets(String text) {
        String t = text.trim();
        switch (t.toLowerCase(Locale.ROOT)) {
            case "committed": return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case "earliest": return OffsetsInitializer.earliest();
            case "latest": return OffsetsInitializer.latest();
            default:
                if (t.toLowerCase(Locale.ROOT).startsWith("timestamp:")) {
                    String v = t.substring("timestamp:".length()).trim();
                    long ms;
                    try {
                        ms = v.chars().allMatch(Character::isDigit) ? Long.parseLong(v) : Instant.parse(v).toEpochMilli();
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException("--source.starting-offsets timestamp '" + v
                                + "' is neither epoch millis nor an ISO-8601 instant such as 2025-11-14T00:00:00Z");
                    }
                    return OffsetsInitializer.timestamp(ms);
                }
                throw new IllegalArgumentException("--source.starting-offsets '" + t
                        + "': use committed, earliest, latest or timestamp:<ISO-8601 instant>");
        }
    }
}
