package io.entrawatch.ingest;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Parses each Event Hubs message inside the Kafka source, so the source knows every message's event
 * time and assigns per-partition watermarks itself. Never throws on bad input (see {@link SignInParser}).
 */
public class EventHubsDeserializer implements KafkaRecordDeserializationSchema<ParsedMessage> {
    private static final long serialVersionUID = 1L;

    private final SignInParser parser;

    public EventHubsDeserializer(SignInParser parser) {
        this.parser = parser;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ParsedMessage> out) {
        out.collect(parser.parse(record.value(), record.topic(), record.partition(), record.offset(),
                System.currentTimeMillis()));
    }

    @Override
    public TypeInformation<ParsedMessage> getProducedType() {
        return TypeInformation.of(ParsedMessage.class);
    }
}
