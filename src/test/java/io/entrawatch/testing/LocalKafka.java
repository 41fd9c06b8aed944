package io.entrawatch.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A real one-node Kafka broker (a child JVM started by {@code deploy/local/services start-kafka})
 * that authenticates exactly like the Azure Event Hubs Kafka endpoint: SASL_SSL, mechanism PLAIN,
 * username {@code $ConnectionString}, password an Event Hubs connection string, server certificate
 * trusted through a PEM file.
 *
 * <p>Each instance has its own free ports and temporary run dir, so several can coexist. {@link
 * #shared()} starts one per JVM, stopped by a shutdown hook; the broker is also stopped by the
 * script's watchdog if this JVM dies without running its hooks.
 */
public final class LocalKafka extends LocalService {

    private static final long START_TIMEOUT_SECONDS = 120;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);

    private final String bootstrapServers;
    private final String connectionString;
    private final Path caFile;
    private final int proxiedPort;

    private LocalKafka(Path runDir, String bootstrapServers, String connectionString, Path caFile, int proxiedPort) {
        super(Kind.KAFKA, runDir);
        this.bootstrapServers = bootstrapServers;
        this.connectionString = connectionString;
        this.caFile = caFile;
        this.proxiedPort = proxiedPort;
    }

    /** Starts a fresh broker on free ports in a new temporary run dir and waits until it is ready. */
    public static LocalKafka start() {
        return start(false);
    }

    /**
     * A fresh broker for a test that stops and starts it again ({@link #stopBroker}, {@link #startBroker}):
     * its ports lie below the kernel's ephemeral range, so no other socket takes them while it is down.
     * Never shared: the test closes it.
     */
    public static LocalKafka startRestartable() {
        return start(true, 0);
    }

    /**
     * A fresh broker with a second SASL_SSL listener ({@link #getProxiedPort}) that advertises
     * {@code proxyPort}: a client bootstrapped through a proxy on that port, which forwards to the
     * proxied listener, makes every connection through the proxy, as every connection to Event Hubs goes
     * to the namespace's endpoint. {@link #getBootstrapServers} stays direct (topics, producing). Never
     * shared: the test closes it.
     */
    public static LocalKafka startBehindProxy(int proxyPort) {
        return start(false, proxyPort);
    }

    private static LocalKafka start(boolean restartable) {
        return start(restartable, 0);
    }

    private static LocalKafka start(boolean restartable, int proxyPort) {
        int[] proxied = new int[1];
        return start(Kind.KAFKA, "entrawatch-kafka-", runDir -> {
            int[] ports = restartable ? ServicesScript.freePortsBelowEphemeralRange(4) : ServicesScript.freePorts(4);
            List<String> options = new ArrayList<>(List.of(
                    "--port", Integer.toString(ports[0]),
                    "--internal-port", Integer.toString(ports[1]),
                    "--controller-port", Integer.toString(ports[2])));
            if (proxyPort > 0) {
                proxied[0] = ports[3];
                options.addAll(List.of("--proxied-port", Integer.toString(ports[3]),
                        "--proxied-advertised-port", Integer.toString(proxyPort)));
            }
            Kind.KAFKA.start(runDir, "start-kafka", options, 90, Map.of(), START_TIMEOUT_SECONDS);
        }, (runDir, env) -> {
            Path connectionStringFile = Path.of(ServicesScript.require(env, "EVENTHUBS_CONNECTION_STRING_FILE"));
            String connectionString = Files.readString(connectionStringFile, StandardCharsets.UTF_8).trim();
            return new LocalKafka(runDir, ServicesScript.require(env, "KAFKA_BOOTSTRAP"), connectionString,
                    Path.of(ServicesScript.require(env, "KAFKA_CA_FILE")), proxied[0]);
        });
    }

    /** One broker per JVM, started on first use and stopped when the JVM exits. Do not close it. */
    public static LocalKafka shared() {
        return shared("LocalKafka", LocalKafka::start);
    }

    /** {@code 127.0.0.1:PORT} of the SASL_SSL listener. */
    public String getBootstrapServers() {
        return bootstrapServers;
    }

    /** The port of the proxied SASL_SSL listener ({@link #startBehindProxy}), 0 when there is none. */
    public int getProxiedPort() {
        return proxiedPort;
    }

    /** The Event Hubs-style connection string that is the SASL PLAIN password. */
    public String getConnectionString() {
        return connectionString;
    }

    /** The broker's certificate as PEM: a truststore for {@code ssl.truststore.type=PEM}. */
    public Path getCaFile() {
        return caFile;
    }

    /** The broker's own key and certificate: a PKCS12 keystore and its password (a proxy can serve TLS with it). */
    public record ServerKeyStore(Path location, String password) {}

    /** The broker's keystore, as its {@code server.properties} names it. */
    public ServerKeyStore serverKeyStore() {
        Properties server = new Properties();
        try (var in = Files.newBufferedReader(runDir.resolve("kafka").resolve("server.properties"), StandardCharsets.UTF_8)) {
            server.load(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new ServerKeyStore(Path.of(server.getProperty("ssl.keystore.location")), server.getProperty("ssl.keystore.password"));
    }

    /**
     * The client settings of an Event Hubs client, and nothing else: bootstrap servers,
     * SASL_SSL, PLAIN with username {@code $ConnectionString} and the connection string as
     * password, and the PEM truststore.
     */
    public Properties clientProperties() {
        return clientProperties(connectionString);
    }

    /** {@link #clientProperties()} with another connection string (to test a wrong key). */
    public Properties clientProperties(String connectionString) {
        Properties p = new Properties();
        p.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.setProperty(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        p.setProperty(SaslConfigs.SASL_MECHANISM, "PLAIN");
        p.setProperty(SaslConfigs.SASL_JAAS_CONFIG,
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$ConnectionString\" "
                        + "password=\"" + connectionString + "\";");
        p.setProperty(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        p.setProperty(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, caFile.toString());
        return p;
    }

    /** Creates a topic (replication factor 1) and waits until every partition has a leader. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            awaitLeaders(admin, name, partitions);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Grows the topic to {@code partitions} partitions ({@code Admin.createPartitions}, as partitions are
     * added to an Event Hub on the Premium and Dedicated tiers) and waits until every one has a leader.
     */
    public void addPartitions(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createPartitions(Map.of(name, NewPartitions.increaseTo(partitions)))
                    .all().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            awaitLeaders(admin, name, partitions);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot grow topic " + name + " to " + partitions + " partitions: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The offsets the consumer group has committed on the topic, by partition (partitions without a commit left out). */
    public Map<Integer, Long> committedOffsets(String groupId, String topic) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<Integer, Long> offsets = new TreeMap<>();
            committed.forEach((tp, o) -> {
                if (tp.topic().equals(topic) && o != null) offsets.put(tp.partition(), o.offset());
            });
            return offsets;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list the offsets of group " + groupId + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private Admin admin() {
        Properties p = clientProperties();
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(CLIENT_TIMEOUT.toMillis()));
        return Admin.create(p);
    }

    /** Waits until the topic has {@code partitions} partitions, each with a leader. */
    private static void awaitLeaders(Admin admin, String name, int partitions)
            throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + CLIENT_TIMEOUT.toNanos();
        while (true) {
            String missing;
            try {
                TopicDescription d = admin.describeTopics(List.of(name)).allTopicNames()
                        .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(name);
                missing = d.partitions().size() != partitions ? d.partitions().size() + " of " + partitions
                        + " partitions" : d.partitions().stream()
                                .filter(pi -> pi.leader() == null || pi.leader().isEmpty())
                                .map(pi -> "partition " + pi.partition())
                                .collect(Collectors.joining(", "));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                missing = "topic metadata";
            }
            if (missing.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + name + " has no leader for " + missing
                        + " after " + CLIENT_TIMEOUT);
            }
            Thread.sleep(100);
        }
    }

    /** Sends the values (no keys) to the topic, flushes, and waits until every one is acknowledged. */
    public void produce(String topic, List<byte[]> values) {
        Properties p = clientProperties();
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(CLIENT_TIMEOUT.toMillis()));
        p.setProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(CLIENT_TIMEOUT.toMillis()));
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>(values.size());
            for (byte[] value : values) {
                sent.add(producer.send(new ProducerRecord<>(topic, value)));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot produce to " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Reads the topic from the beginning (all partitions, no consumer group) until {@code count}
     * records arrived or the timeout passed, and returns what it read.
     */
    public List<ConsumerRecord<byte[], byte[]>> consume(String topic, int count, Duration timeout) {
        Properties p = clientProperties();
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.setProperty(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(CLIENT_TIMEOUT.toMillis()));
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Collection<TopicPartition> partitions = consumer.partitionsFor(topic, CLIENT_TIMEOUT).stream()
                    .map(pi -> new TopicPartition(pi.topic(), pi.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Topic names on the broker (internal ones excluded). */
    public Set<String> listTopics() {
        try (Admin admin = admin()) {
            return admin.listTopics().names().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list topics: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Stops the broker and keeps its run dir (data, certificate, connection string) for {@link #startBroker}:
     * SIGTERM, a controlled shutdown as in a restart, or with {@code kill} SIGKILL, a crash. Returns once
     * the process is gone.
     */
    public void stopBroker(boolean kill) {
        checkNotShared();
        if (kill) {
            // SIGKILL from here, without the script's start-up time: the crash comes right after the last ack
            brokerProcess().ifPresent(p -> {
                p.destroyForcibly();
                try {
                    p.onExit().get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("the broker (pid " + p.pid() + ") did not die: " + e, e);
                }
            });
        }
        stopService(kill);
    }

    /** The broker's JVM: the pid in kafka.pid, if it runs with this run dir on its command line. */
    private java.util.Optional<ProcessHandle> brokerProcess() {
        try {
            long pid = Long.parseLong(Files.readString(runDir.resolve("kafka.pid"), StandardCharsets.UTF_8).trim());
            return ProcessHandle.of(pid).filter(p -> p.info().commandLine().map(c -> c.contains(runDir + "/")).orElse(false));
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Starts the stopped broker again on the same ports with the same data, certificate and connection
     * string ({@code services resume kafka}); returns when it logs that it started.
     */
    public void startBroker() {
        resumeService(120, START_TIMEOUT_SECONDS + 30);
    }

    @Override
    public String toString() {
        return "LocalKafka[" + bootstrapServers + ", " + runDir + "]";
    }
}
