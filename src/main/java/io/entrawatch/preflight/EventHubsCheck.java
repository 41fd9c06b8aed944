package io.entrawatch.preflight;

import io.entrawatch.config.DeadLetterOptions;
import io.entrawatch.config.Durations;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.PreflightOptions;
import io.entrawatch.config.Secrets;
import io.entrawatch.config.SourceOptions;
import io.entrawatch.ingest.EventHubsSource;
import io.entrawatch.ingest.SourceCoverage;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.config.ConfigException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Event Hubs part of the start-up check: an Admin client with the job's own client properties
 * ({@link EventHubsSource#clientProperties}) describes every Event Hub the job reads, and the
 * dead-letter Event Hub when dead letters go to Kafka. This needs TLS, the SASL login and the Event
 * Hubs to exist, so each of those failing becomes its own message.
 */
final class EventHubsCheck {
    private static final String SOURCE_TOPIC = "--" + SourceOptions.TOPICS.name;
    private static final String DLQ_TOPIC = "--" + DeadLetterOptions.TOPIC.name;
    private static final String BOOTSTRAP = "--" + SourceOptions.BOOTSTRAP_SERVERS.name;
    private static final String CA_FILE = "--" + SourceOptions.CA_FILE.name;
    private static final String PROTOCOL = "--" + SourceOptions.SECURITY_PROTOCOL.name;
    private static final String SECRET_FILE = "--" + SourceOptions.CONNECTION_STRING_FILE.name;

    private EventHubsCheck() {}

    static List<String> run(JobOptions options, Map<String, String> environment, Duration timeout) {
        String bootstrap = options.get(SourceOptions.BOOTSTRAP_SERVERS);
        if (bootstrap == null) {
            return List.of(BOOTSTRAP + " is not set: give the Event Hubs namespace's Kafka endpoint, "
                    + "<namespace>.servicebus.windows.net:9093");
        }
        String connectionString;
        try {
            connectionString = Secrets.read(options.get(SourceOptions.CONNECTION_STRING_FILE), Secrets.EVENTHUBS_ENV, environment);
        } catch (IllegalArgumentException e) {
            return List.of(e.getMessage() + ": check " + SECRET_FILE);
        }
        if (connectionString == null) {
            return List.of("no Event Hubs connection string: set the environment variable " + Secrets.EVENTHUBS_ENV
                    + " or " + SECRET_FILE);
        }

        // Event Hub name -> the option that names it
        Map<String, String> topics = new LinkedHashMap<>();
        for (String t : options.get(SourceOptions.TOPICS)) topics.putIfAbsent(t, SOURCE_TOPIC);
        if (options.get(DeadLetterOptions.TARGET).toLowerCase(Locale.ROOT).equals("kafka")) {
            topics.putIfAbsent(options.get(DeadLetterOptions.TOPIC), DLQ_TOPIC);
        }
        if (topics.isEmpty()) return List.of(SOURCE_TOPIC + " names no Event Hub");

        Properties p = EventHubsSource.clientProperties(options, connectionString);
        long ms = timeout.toMillis();
        p.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(ms));
        p.setProperty(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(ms));
        p.setProperty(CommonClientConfigs.CLIENT_ID_CONFIG, options.get(SourceOptions.GROUP_ID) + "-preflight");
        Context c = new Context(options, connectionString, bootstrap, timeout);

        Admin admin;
        try {
            admin = Admin.create(p);
        } catch (RuntimeException e) {
            return List.of(c.connectionProblem(e));
        }
        try {
            Map<String, KafkaFuture<TopicDescription>> described = admin
                    .describeTopics(topics.keySet(), new DescribeTopicsOptions().timeoutMs((int) Math.min(Integer.MAX_VALUE, ms)))
                    .topicNameValues();
            List<String> problems = new ArrayList<>();
            List<String> missingSources = new ArrayList<>();
            for (Map.Entry<String, String> topic : topics.entrySet()) {
                try {
                    described.get(topic.getKey()).get(ms + 5_000, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    if (cause instanceof UnknownTopicOrPartitionException) {
                        if (topic.getValue().equals(SOURCE_TOPIC)) missingSources.add(topic.getKey());
                        problems.add(c.unknownTopic(topic.getKey(), topic.getValue()));
                    } else if (cause instanceof TopicAuthorizationException) {
                        problems.add(c.notAuthorized(topic.getKey(), topic.getValue()));
                    } else {
                        // the same for every Event Hub: say it once
                        return List.of(c.resetAfterLogin(admin).orElseGet(() -> c.connectionProblem(cause)));
                    }
                } catch (TimeoutException e) {
                    return List.of(c.resetAfterLogin(admin).orElseGet(() ->
                            c.connectionProblem(new org.apache.kafka.common.errors.TimeoutException("no answer"))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return List.of("the Event Hubs check was interrupted");
                }
            }
            // An Azure-named per-category hub Azure has not created yet, while another source hub exists: the
            // source reads the others and this one once it appears (EventHubsTopics), so it is only a warning.
            if (missingSources.size() < options.get(SourceOptions.TOPICS).stream().distinct().count()) {
                for (String topic : missingSources) {
                    Optional<String> category = SourceCoverage.categoryOfAzureEventHub(topic);
                    if (category.isEmpty()) continue;
                    problems.set(problems.indexOf(c.unknownTopic(topic, SOURCE_TOPIC)), c.notCreatedYet(topic, category.get()));
                }
            }
            return problems;
        } finally {
            admin.close(Duration.ofSeconds(5));
        }
    }

    /** The settings the messages quote, and the secret they must never show. */
    private static final class Context {
        final JobOptions options;
        final String connectionString;
        final String bootstrap;
        final Duration timeout;

        Context(JobOptions options, String connectionString, String bootstrap, Duration timeout) {
            this.options = options;
            this.connectionString = connectionString;
            this.bootstrap = bootstrap;
            this.timeout = timeout;
        }

        String unknownTopic(String topic, String option) {
            return (option.equals(DLQ_TOPIC) ? "dead-letter " : "") + "Event Hub '" + topic + "' not found in namespace "
                    + bootstrap + " (names are case-sensitive" + (option.equals(DLQ_TOPIC) ? "; Event Hubs does not create it" : "")
                    + "): check " + option;
        }

        String notCreatedYet(String topic, String category) {
            return Preflight.WARNING + "Event Hub '" + topic + "' does not exist in namespace " + bootstrap + " yet: Azure creates "
                    + "it when the diagnostic setting streams its first " + category + " record (or the setting sends "
                    + category + " elsewhere: check " + SOURCE_TOPIC + "); the job reads the other Event Hubs and this one "
                    + "from its start once it appears, looking every --" + SourceOptions.PARTITION_DISCOVERY.name;
        }

        String notAuthorized(String topic, String option) {
            String rights = option.equals(DLQ_TOPIC) ? "Send" : "Listen";
            return "the Event Hubs connection string may not use Event Hub '" + topic + "' (topic authorization failed): "
                    + "give " + Secrets.EVENTHUBS_ENV + " or " + SECRET_FILE + " a key with " + rights
                    + " rights on it (now: " + secretSource() + "), or check " + option;
        }

        /**
         * When the endpoint accepted the SASL login and then closed every connection before answering
         * anything (the admin client's metrics: logins, no response, closed connections), the problem line
         * that says so. The Java client's first request after the login is ApiVersions at the newest
         * version it knows (v4 since kafka-clients 3.9), and it does not fall back to an older version
         * when the connection is reset, only when the broker answers UNSUPPORTED_VERSION: Event Hubs
         * namespaces have been reported to reset it.
         */
        java.util.Optional<String> resetAfterLogin(Admin admin) {
            double logins = total(admin, "successful-authentication-total");
            double responses = total(admin, "response-total");
            double closed = total(admin, "connection-close-total");
            if (logins < 1 || responses > 0 || closed < 1) return java.util.Optional.empty();
            String client = "kafka-clients " + org.apache.kafka.common.utils.AppInfoParser.getVersion();
            String v3 = "--" + SourceOptions.API_VERSIONS_V3.name;
            String fix = options.get(SourceOptions.API_VERSIONS_V3)
                    ? "even with " + v3 + " (now: true), so it is not the ApiVersions version: check what sits in front of "
                            + bootstrap + " (proxy, firewall)"
                    : "Event Hubs namespaces have been reported to reset Kafka clients 3.9 and later at ApiVersions v4, and "
                            + client + " does not fall back on a reset: set " + v3 + " true";
            return java.util.Optional.of("the Event Hubs endpoint " + bootstrap + " accepted the login, then closed the connection "
                    + "without answering the client's first request (ApiVersions), on all " + (long) closed + " connections in "
                    + Durations.format(timeout) + ": " + fix + " (docs/operations.md, Event Hubs and Kafka client versions)");
        }

        private static double total(Admin admin, String name) {
            double sum = 0;
            for (Map.Entry<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> m : admin.metrics().entrySet()) {
                if (m.getKey().name().equals(name) && m.getKey().group().equals("admin-client-metrics")
                        && m.getValue().metricValue() instanceof Number n) {
                    sum += n.doubleValue();
                }
            }
            return sum;
        }

        /** A failure that concerns the whole endpoint (TLS, login, network), by what to fix. */
        String connectionProblem(Throwable e) {
            String detail = " [" + redact(Causes.rootDetail(e)) + "]";
            if (Causes.find(e, SslAuthenticationException.class) != null || Causes.find(e, javax.net.ssl.SSLException.class) != null) {
                if (Causes.mentions(e, "PKIX", "certification path", "CertPathBuilder", "CertPathValidator")) {
                    return "the Event Hubs endpoint's certificate is not trusted: check " + CA_FILE + " (now: " + caFile() + ")" + detail;
                }
                if (Causes.mentions(e, "subject alternative name", "No name matching", "does not match")) {
                    return "the Event Hubs endpoint's certificate does not name the host in " + BOOTSTRAP + " (now: "
                            + bootstrap + "): use the namespace's host name, <namespace>.servicebus.windows.net:9093" + detail;
                }
                return "the TLS handshake with the Event Hubs endpoint " + bootstrap + " failed: check " + PROTOCOL
                        + " (now: " + options.get(SourceOptions.SECURITY_PROTOCOL) + ") and " + CA_FILE + " (now: " + caFile() + ")" + detail;
            }
            if (Causes.find(e, SaslAuthenticationException.class) != null || Causes.find(e, AuthenticationException.class) != null) {
                return "the Event Hubs connection string was refused by " + bootstrap + ": check " + Secrets.EVENTHUBS_ENV
                        + " or " + SECRET_FILE + " (now: " + secretSource()
                        + "; the key must have Listen rights on the Event Hub)" + detail;
            }
            if (Causes.find(e, org.apache.kafka.common.errors.TimeoutException.class) != null) {
                return Preflight.NO_ANSWER + "the Event Hubs endpoint " + bootstrap + " within " + Durations.format(timeout)
                        + ": check " + BOOTSTRAP + " (<namespace>.servicebus.windows.net:9093) and that this network reaches it"
                        + "; also " + PROTOCOL + " (now: " + options.get(SourceOptions.SECURITY_PROTOCOL) + "; Event Hubs needs SASL_SSL)"
                        + " and --" + PreflightOptions.TIMEOUT.name + detail;
            }
            if (Causes.find(e, ConfigException.class) != null && Causes.mentions(e, "resolvable", "bootstrap")) {
                return "cannot resolve the host in " + BOOTSTRAP + " (now: " + bootstrap
                        + "): check the namespace name, <namespace>.servicebus.windows.net:9093" + detail;
            }
            return "the Event Hubs check against " + bootstrap + " failed: check " + BOOTSTRAP + " and " + PROTOCOL + detail;
        }

        private String caFile() {
            String ca = options.get(SourceOptions.CA_FILE);
            return ca == null ? "the JVM trust store" : ca;
        }

        private String secretSource() {
            String file = options.get(SourceOptions.CONNECTION_STRING_FILE);
            return file != null ? "the file " + file : "the environment variable " + Secrets.EVENTHUBS_ENV;
        }

        /** Client messages never hold the connection string; this makes sure. */
        private String redact(String text) {
            return text.replace(connectionString, "***").replaceAll("SharedAccessKey=[^;\"\\s]*", "SharedAccessKey=***");
        }
    }
}
