package io.entrawatch.generate;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.Secrets;
import io.entrawatch.config.SourceOptions;
import io.entrawatch.ingest.EventHubsSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Streams a file of Event Hubs message bodies (one per line) into a topic the way Azure Monitor's
 * diagnostic setting would: over the Kafka endpoint with the Event Hubs login. For the demo, the
 * end-to-end tests and benchmarks. Uses the job's own options for the endpoint
 * ({@code --source.bootstrap-servers}, {@code --source.topic}, {@code --source.ssl.ca-file}, ...).
 *
 * <p>On a local broker it creates the topic ({@code --partitions}) and compresses with lz4. On an Event
 * Hubs namespace ({@code *.servicebus.windows.net} and Azure's other clouds) it creates nothing (create
 * the Event Hub in Azure: Event Hubs sets partitions and retention there, not through Kafka's admin
 * API), only checks that the Event Hub exists, sends uncompressed, and keeps each request within Event
 * Hubs' 1,046,528 bytes.
 *
 * <pre>EventHubsFeeder FILE [--partitions N] [--source.* options]</pre>
 */
public final class EventHubsFeeder {
    private EventHubsFeeder() {}

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>();
        int partitions = 2;
        List<String> jobArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--partitions")) partitions = Integer.parseInt(args[++i]);
            else jobArgs.add(args[i]);
        }
        JobOptions options = JobOptions.parse(jobArgs.toArray(new String[0]), rest);
        if (rest.size() != 1) {
            System.err.println("usage: EventHubsFeeder FILE.ndjson [--partitions N] [--source.bootstrap-servers ... --source.topic ...]");
            System.exit(2);
        }
        String secret = Secrets.read(options.get(SourceOptions.CONNECTION_STRING_FILE), Secrets.EVENTHUBS_ENV, System.getenv());
        Properties props = EventHubsSource.clientProperties(options, secret);
        props.setProperty("bootstrap.servers", options.get(SourceOptions.BOOTSTRAP_SERVERS));
        String topic = options.get(SourceOptions.TOPICS).get(0);
        if (isEventHubs(props.getProperty("bootstrap.servers"))) requireTopic(props, topic);
        else createTopic(props, topic, partitions);
        long n = feed(props, topic, Path.of(rest.get(0)), System.err);
        System.err.printf(Locale.ROOT, "feeder: %,d messages sent to %s%n", n, topic);
    }

    /** Host suffixes of Event Hubs namespaces: Azure's public cloud, China, US Government, Germany. */
    static final List<String> EVENT_HUBS_DOMAINS = List.of(".servicebus.windows.net", ".servicebus.chinacloudapi.cn",
            ".servicebus.usgovcloudapi.net", ".servicebus.cloudapi.de");

    /** Whether the bootstrap servers name an Event Hubs namespace rather than a Kafka broker. */
    static boolean isEventHubs(String bootstrapServers) {
        if (bootstrapServers == null) return false;
        for (String server : bootstrapServers.split(",")) {
            String host = server.trim().replaceFirst("^[A-Za-z_]+://", "").replaceFirst(":\\d+$", "").toLowerCase(Locale.ROOT);
            if (EVENT_HUBS_DOMAINS.stream().anyMatch(host::endsWith)) return true;
        }
        return false;
    }

    /** Fails unless the Event Hub exists: the feeder never creates one on Event Hubs. */
    static void requireTopic(Properties clientProps, String topic) throws Exception {
        try (Admin admin = Admin.create(clientProps)) {
            admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                throw new IllegalStateException("Event Hub '" + topic + "' does not exist in "
                        + clientProps.getProperty("bootstrap.servers") + ": create it in Azure (portal, az eventhubs eventhub "
                        + "create); the feeder creates topics only on a local broker");
            }
            throw e;
        }
    }

    /**
     * The producer settings on top of the client settings: acks=all and large batches everywhere; lz4 and
     * requests up to 2 MiB on a local broker, no compression and requests within Event Hubs' limit there.
     */
    static Properties producerProperties(Properties clientProps) {
        Properties p = new Properties();
        p.putAll(clientProps);
        p.setProperty("acks", "all");
        p.setProperty("linger.ms", "20");
        p.setProperty("batch.size", String.valueOf(512 * 1024));
        if (isEventHubs(clientProps.getProperty("bootstrap.servers"))) {
            p.setProperty("max.request.size", String.valueOf(EventHubsSource.MAX_REQUEST_BYTES));
            p.setProperty("compression.type", "none");
        } else {
            p.setProperty("max.request.size", String.valueOf(2 * 1024 * 1024));
            p.setProperty("compression.type", "lz4");
        }
        return p;
    }

    /** Creates the topic when missing and waits until every partition has a leader (a local broker only). */
    public static void createTopic(Properties clientProps, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(clientProps)) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
            long deadline = System.currentTimeMillis() + 60_000;
            while (true) {
                try {
                    TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
                    if (d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) return;
                } catch (ExecutionException e) {
                    // not visible yet
                }
                if (System.currentTimeMillis() > deadline) throw new IllegalStateException("topic " + topic + " has no leader after 60 s");
                Thread.sleep(100);
            }
        }
    }

    /** Sends every line of {@code file} as one message, round-robin over partitions; returns the count. */
    public static long feed(Properties clientProps, String topic, Path file, java.io.PrintStream progress) throws Exception {
        Properties p = producerProperties(clientProps);
        AtomicReference<Exception> failure = new AtomicReference<>();
        long n = 0;
        long started = System.currentTimeMillis();
        long lastReport = started;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
             BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int partitions = producer.partitionsFor(topic).size();
            String line;
            while ((line = in.readLine()) != null) {
                if (failure.get() != null) throw failure.get();
                producer.send(new ProducerRecord<>(topic, (int) (n % partitions), null, line.getBytes(StandardCharsets.UTF_8)),
                        (md, e) -> { if (e != null) failure.compareAndSet(null, e); });
                n++;
                long now = System.currentTimeMillis();
                if (now - lastReport > 2000) {
                    lastReport = now;
                    progress.printf(Locale.ROOT, "feeder: %,d messages sent%n", n);
                }
            }
            producer.flush();
        }
        if (failure.get() != null) throw failure.get();
        return n;
    }

}
