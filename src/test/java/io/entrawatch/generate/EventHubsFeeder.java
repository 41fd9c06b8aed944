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
        createTopic(props, topic, partitions);
        long n = feed(props, topic, Path.of(rest.get(0)), System.err);
        System.err.printf(Locale.ROOT, "feeder: %,d messages sent to %s%n", n, topic);
    }

    /** Creates the topic when missing and waits until every partition has a leader. */
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
        Properties p = new Properties();
        p.putAll(clientProps);
        p.setProperty("acks", "all");
        p.setProperty("linger.ms", "20");
        p.setProperty("batch.size", String.valueOf(512 * 1024));
        p.setProperty("max.request.size", String.valueOf(2 * 1024 * 1024));
        p.setProperty("compression.type", "lz4");
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
