package io.entrawatch.ingest;

import org.apache.flink.connector.kafka.source.enumerator.subscriber.KafkaSubscriber;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * The Event Hubs of {@code --source.topic}, for the Kafka source's partition discovery: like the
 * connector's own topic list, except that an Event Hub that does not exist is left out (and logged)
 * instead of failing the job. The connector's list describes all topics in one call and fails the
 * source, so the whole job, when one is missing, and again on every restart.
 *
 * <p>That matters because Azure creates the per-category hubs ({@code insights-logs-<category>}) only
 * when the diagnostic setting streams the first record of that category: a hub of the default topic
 * list may not exist yet. Partition discovery ({@code --source.partition-discovery}) asks again, and a
 * hub that has appeared is read from its start (the source reads partitions found after the first
 * discovery from the earliest offset). Any other error (authorization, network) still fails the
 * discovery as before.
 */
public final class EventHubsTopics implements KafkaSubscriber {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EventHubsTopics.class);

    private final List<String> topics;
    /** The hubs missing at the last discovery, so a change is logged once (the enumerator's thread only). */
    private transient Set<String> lastMissing;

    public EventHubsTopics(List<String> topics) {
        if (topics.isEmpty()) throw new IllegalArgumentException("--source.topic names no Event Hub");
        this.topics = List.copyOf(topics);
    }

    public List<String> topics() {
        return topics;
    }

    @Override
    public Set<TopicPartition> getSubscribedTopicPartitions(AdminClient admin) {
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics).topicNameValues();
        Set<TopicPartition> partitions = new HashSet<>();
        List<String> missing = new ArrayList<>();
        for (String topic : topics) {
            try {
                for (TopicPartitionInfo p : described.get(topic).get().partitions()) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new RuntimeException("Failed to get metadata for Event Hub " + topic, e.getCause());
                }
                missing.add(topic);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RuntimeException("interrupted while describing the Event Hubs " + topics, e);
            }
        }
        report(missing);
        return partitions;
    }

    private void report(List<String> missing) {
        Set<String> now = new HashSet<>(missing);
        if (now.equals(lastMissing == null ? Set.of() : lastMissing)) return;
        if (missing.isEmpty()) {
            LOG.info("Event Hubs: every Event Hub of --source.topic exists now: {}", topics);
        } else {
            LOG.warn("Event Hubs: {} of --source.topic {} not found in the namespace; reading the others, and looking again at "
                    + "every partition discovery (--source.partition-discovery). Azure creates an insights-logs-<category> hub "
                    + "when the diagnostic setting streams the first record of that category; a hub that appears is read "
                    + "from its start", missing, topics);
        }
        lastMissing = now;
    }
}
