package io.entrawatch.config;

import java.time.Duration;
import java.util.List;

/** Azure Event Hubs over its Kafka endpoint: the source of the sign-ins. */
public final class SourceOptions {
    private SourceOptions() {}

    public static final Option<String> BOOTSTRAP_SERVERS = Option.string("source.bootstrap-servers", null,
            "Event Hubs Kafka endpoint, <namespace>.servicebus.windows.net:9093.");
    public static final Option<List<String>> TOPICS = Option.list("source.topic",
            "insights-logs-signinlogs,insights-logs-noninteractiveusersigninlogs",
            "Event Hub name(s) (Kafka topics) carrying the sign-in logs, comma-separated. The default is the hubs Azure "
                    + "creates for SignInLogs and NonInteractiveUserSignInLogs when the diagnostic setting names no Event Hub; "
                    + "a hub that does not exist yet is read once it appears.");
    public static final Option<String> GROUP_ID = Option.string("source.group-id", "entrawatch",
            "Kafka consumer group.id, which keeps the committed offsets. Event Hubs creates a Kafka consumer group on first "
                    + "use; it is not an Event Hubs consumer group and is not created on the hub (nor shown in the portal).");
    public static final Option<String> STARTING_OFFSETS = Option.string("source.starting-offsets", "committed",
            "committed (the group's committed offsets, earliest when none), earliest, latest, or "
                    + "timestamp:<ISO-8601 instant or epoch millis>.");
    public static final Option<String> SECURITY_PROTOCOL = Option.string("source.security-protocol", "SASL_SSL",
            "Kafka security.protocol: SASL_SSL for Event Hubs (SASL_PLAINTEXT only for local tests).");
    public static final Option<String> CA_FILE = Option.string("source.ssl.ca-file", null,
            "PEM file of CA certificates to trust for the Kafka endpoint (default: the JVM's trust store).");
    public static final Option<Boolean> API_VERSIONS_V3 = Option.bool("source.api-versions-v3", "false",
            "Send the Kafka client's ApiVersions request as v3, not v4 (SASL_SSL only): for Event Hubs namespaces that "
                    + "reset the connection at v4 (docs/operations.md, Event Hubs and Kafka client versions).");
    public static final Option<String> CONNECTION_STRING_FILE = Option.string("source.connection-string-file", null,
            "File holding the Event Hubs connection string (else env EVENTHUBS_CONNECTION_STRING).");
    public static final Option<Duration> PARTITION_DISCOVERY = Option.duration("source.partition-discovery", "1 min",
            "How often the source looks for partitions added to an Event Hub, and for Event Hubs of --source.topic that did "
                    + "not exist yet; both are read from their start once found (docs/operations.md, Partitions added to an "
                    + "Event Hub). 0 = only at start.");
    public static final Option<Duration> CATEGORY_SILENCE_WARNING = Option.duration("source.category-silence-warning", "1 h",
            "Live job: warn (log and metric) when no sign-in of a category an enabled detection reads has arrived for this "
                    + "long, naming the category, the detections and the Event Hubs read (0 = off).");

    /** This group's options, in documentation order. */
    public static final List<Option<?>> ALL = List.of(BOOTSTRAP_SERVERS, TOPICS, GROUP_ID, STARTING_OFFSETS, SECURITY_PROTOCOL, CA_FILE,
            API_VERSIONS_V3, CONNECTION_STRING_FILE, PARTITION_DISCOVERY, CATEGORY_SILENCE_WARNING);
}
