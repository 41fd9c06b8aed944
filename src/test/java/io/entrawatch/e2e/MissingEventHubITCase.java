package io.entrawatch.e2e;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.SourceOptions;
import io.entrawatch.ingest.EventHubsSource;
import io.entrawatch.ingest.EventHubsTopics;
import io.entrawatch.pipeline.DetectionPipeline;
import io.entrawatch.testing.LocalKafka;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.enumerator.subscriber.KafkaSubscriber;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An Event Hub of {@code --source.topic} that does not exist, on the real Kafka broker that logs in like
 * Event Hubs (topics are not created by clients, as on Event Hubs): Flink's own topic list fails on it,
 * the job's source ({@link EventHubsTopics}) reads the other hubs, and a hub created while the job runs
 * is found by partition discovery and read from its start.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MissingEventHubITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.twoSlots();

    private static LocalKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = LocalKafka.shared();
    }

    @Test
    void theConnectorsTopicListFailsOnAMissingTopicWhereEventHubsTopicsLeavesItOut() {
        String present = "missing-hub-present-" + System.nanoTime();
        String missing = "missing-hub-absent-" + System.nanoTime();
        kafka.createTopic(present, 2);
        try (AdminClient admin = AdminClient.create(kafka.clientProperties())) {
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> KafkaSubscriber.getTopicListSubscriber(List.of(present, missing)).getSubscribedTopicPartitions(admin));
            System.out.println("Flink's topic list with a missing topic: " + e);
            EventHubsTopics topics = new EventHubsTopics(List.of(present, missing));
            assertEquals(Set.of(new TopicPartition(present, 0), new TopicPartition(present, 1)),
                    topics.getSubscribedTopicPartitions(admin));
            kafka.createTopic(missing, 1);
            assertEquals(Set.of(new TopicPartition(present, 0), new TopicPartition(present, 1), new TopicPartition(missing, 0)),
                    topics.getSubscribedTopicPartitions(admin), "once it exists, it is part of the next discovery");
        }
    }

    @Test
    void aHubCreatedWhileTheJobRunsIsReadFromItsStart() throws Exception {
        String present = "late-hub-present-" + System.nanoTime();
        String later = "late-hub-later-" + System.nanoTime();
        kafka.createTopic(present, 1);
        kafka.produce(present, List.of(bytes("p0"), bytes("p1"), bytes("p2")));
        JobOptions options = JobOptions.defaults()
                .with(SourceOptions.BOOTSTRAP_SERVERS, kafka.getBootstrapServers())
                .with(SourceOptions.TOPICS, present + "," + later)
                .with(SourceOptions.CA_FILE, kafka.getCaFile().toString())
                .with(SourceOptions.GROUP_ID, "late-hub-" + System.nanoTime())
                .with(SourceOptions.STARTING_OFFSETS, "earliest")
                .with(SourceOptions.PARTITION_DISCOVERY, "1 s");
        StreamExecutionEnvironment env = TestClusters.environment(1);
        env.getConfig().enableObjectReuse();
        List<String> read = new ArrayList<>();
        try (CloseableIterator<String> it = env
                .fromSource(EventHubsSource.create(options, kafka.getConnectionString(), DetectionPipeline.parser(options)),
                        WatermarkStrategy.noWatermarks(), "Event Hubs")
                .map(m -> m.topic + "@" + m.offset).returns(Types.STRING)
                .executeAndCollect("a missing Event Hub")) {
            while (read.size() < 3) read.add(it.next()); // the job runs, reading the hub that exists
            assertEquals(List.of(present + "@0", present + "@1", present + "@2"), read);

            // Azure creates the hub with its first record; the job was not restarted
            kafka.createTopic(later, 1);
            kafka.produce(later, List.of(bytes("l0"), bytes("l1")));
            while (read.size() < 5) read.add(it.next());
        }
        assertEquals(List.of(later + "@0", later + "@1"), read.subList(3, 5), "read from its first record: " + read);
        assertFalse(read.subList(3, 5).stream().anyMatch(r -> r.startsWith(present)), read.toString());
        assertTrue(read.size() == 5, read.toString());
    }

    private static byte[] bytes(String s) {
        return ("{\"records\":[{\"note\":\"" + s + "\"}]}").getBytes(StandardCharsets.UTF_8);
    }
}
