package io.entrawatch.config;

import org.apache.flink.configuration.MemorySize;
import java.util.List;

/** Dead letters: where everything the job cannot use goes, with the reason. */
public final class DeadLetterOptions {
    private DeadLetterOptions() {}

    public static final Option<String> TARGET = Option.string("dead-letter.target", "elasticsearch",
            "Where dead letters go: elasticsearch (an index) or kafka (a topic on the same endpoint).");
    public static final Option<String> INDEX = Option.string("dead-letter.index", "entrawatch-dead-letters",
            "Dead-letter index (dead-letter.target=elasticsearch); rejected alerts always go here.");
    public static final Option<String> TOPIC = Option.string("dead-letter.topic", "entrawatch-dead-letters",
            "Dead-letter topic (dead-letter.target=kafka).");
    public static final Option<MemorySize> MAX_PAYLOAD_BYTES = Option.bytes("dead-letter.max-payload-bytes", "256kb",
            "Payload kept per dead letter; longer ones are truncated (the original size is recorded).");

    /** This group's options, in documentation order. */
    public static final List<Option<?>> ALL = List.of(TARGET, INDEX, TOPIC, MAX_PAYLOAD_BYTES);
}
