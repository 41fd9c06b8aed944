package io.entrawatch;

import io.entrawatch.config.DeadLetterOptions;
import io.entrawatch.config.ElasticsearchOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.SourceOptions;
import io.entrawatch.ingest.EventHubsSource;
import io.entrawatch.model.Alert;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.DeadLetterDocuments;
import io.entrawatch.sink.elasticsearch.ConnectionSettings;
import io.entrawatch.sink.elasticsearch.ElasticsearchSink;
import io.entrawatch.sink.elasticsearch.IndexRequests;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;

/**
 * The job's sinks, as its options describe them: alerts into Elasticsearch ({@code es.index}), dead
 * letters into an Elasticsearch index (default) or a Kafka topic on the Event Hubs namespace.
 */
public final class JobSinks {
    private JobSinks() {}

    /**
     * Alerts into {@code es.index}, each sent with {@code event.created} and {@code event.ingested}: the time
     * the sink sent it (what Elastic Security's promotion rule reads, docs/alerts.md).
     */
    public static ElasticsearchSink<Alert> alerts(JobOptions options, ConnectionSettings elasticsearch) {
        return ElasticsearchOptions.<Alert>sink(options, elasticsearch)
                .setElementConverter(IndexRequests.alertConverter(options.get(ElasticsearchOptions.INDEX)))
                .setEventTimes(true)
                .build();
    }

    /** Dead letters into {@code dead-letter.index} (dead-letter.target=elasticsearch). */
    public static ElasticsearchSink<DeadLetter> deadLettersToElasticsearch(JobOptions options,
            ConnectionSettings elasticsearch) {
        return ElasticsearchOptions.<DeadLetter>sink(options, elasticsearch)
                .setElementConverter(IndexRequests.deadLetterConverter(options.get(DeadLetterOptions.INDEX)))
                .build();
    }

    /** Attaches the dead-letter sink that {@code dead-letter.target} names. */
    public static void attachDeadLetters(DataStream<DeadLetter> deadLetters, JobOptions options, String connectionString,
            ConnectionSettings elasticsearch) {
        String target = options.get(DeadLetterOptions.TARGET).toLowerCase(Locale.ROOT);
        switch (target) {
            case "elasticsearch":
                deadLetters.sinkTo(deadLettersToElasticsearch(options, elasticsearch))
                        .uid("dead-letters-to-elasticsearch").name("Dead letters to Elasticsearch");
                break;
            case "kafka":
                String topic = options.get(DeadLetterOptions.TOPIC);
                deadLetters.sinkTo(KafkaSink.<DeadLetter>builder()
                                .setBootstrapServers(options.get(SourceOptions.BOOTSTRAP_SERVERS))
                                .setKafkaProducerConfig(deadLetterProducerConfig(options, connectionString))
                                // Event Hubs has no Kafka transactions: at-least-once, keyed by position.
                                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                                .setRecordSerializer(KafkaRecordSerializationSchema.<DeadLetter>builder()
                                        .setTopic(topic)
                                        .setKeySerializationSchema(new KeyBytes())
                                        .setValueSerializationSchema(new DocumentBytes())
                                        .build())
                                .build())
                        .uid("dead-letters-to-kafka").name("Dead letters to Kafka " + topic);
                break;
            default:
                throw new IllegalArgumentException("--dead-letter.target '" + target + "': use elasticsearch or kafka");
        }
    }

    /**
     * The dead-letter producer's settings: the Event Hubs client settings, and requests no larger than
     * Event Hubs takes ({@link EventHubsSource#MAX_REQUEST_BYTES}; Kafka's default is 1 MiB, above it).
     */
    static Properties deadLetterProducerConfig(JobOptions options, String connectionString) {
        Properties p = EventHubsSource.clientProperties(options, connectionString);
        p.setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(EventHubsSource.MAX_REQUEST_BYTES));
        return p;
    }

    /** Kafka key: the dead letter's deterministic id (its position), so a re-sent one is recognisable. */
    static final class KeyBytes implements SerializationSchema<DeadLetter> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(DeadLetter d) {
            return d.documentId().getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * The largest Kafka value of a dead letter: a request also holds the key, the record and batch headers
     * and the topic; 16 KiB is room for them under {@link EventHubsSource#MAX_REQUEST_BYTES}.
     */
    static final int MAX_VALUE_BYTES = EventHubsSource.MAX_REQUEST_BYTES - 16 * 1024;

    /**
     * Kafka value: the same JSON document as in the dead-letter index, its payload cut further when the
     * document would not fit in {@link #MAX_VALUE_BYTES} (a payload of control characters grows up to six
     * times in JSON): a record too large would fail the producer, and the job with it, again at every
     * restart. {@code payload_bytes} still gives the original size.
     */
    static final class DocumentBytes implements SerializationSchema<DeadLetter> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(DeadLetter d) {
            byte[] json = DeadLetterDocuments.json(d);
            String payload = d.payload;
            while (json.length > MAX_VALUE_BYTES && payload != null && !payload.isEmpty()) {
                int cut = (int) (payload.length() * (0.95 * MAX_VALUE_BYTES / json.length));
                if (cut > 0 && Character.isHighSurrogate(payload.charAt(cut - 1))) cut--;
                payload = payload.substring(0, Math.max(0, Math.min(cut, payload.length() - 1)));
                json = DeadLetterDocuments.json(d.kind, d.reason, payload, d.payloadBytes, d.topic, d.partition, d.offset,
                        d.recordIndex, d.observedAt, null, null);
            }
            return json;
        }
    }
}
