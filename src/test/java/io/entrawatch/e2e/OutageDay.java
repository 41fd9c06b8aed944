package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawatch.config.JobOptions;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated day of the Elasticsearch outage tests, in the two parts they send: the first 30 % before
 * the node is killed, the rest (with 3 malformed messages spread through it) and a flush that closes
 * every window of the day while it is down. Holds the alerts jobs/replay computes for all of it, and
 * checks what the indices hold at the end.
 */
final class OutageDay {
    static final long SEED = 42;
    static final long RECORDS = 20_000;
    static final int PARTITIONS = 2;

    final List<String> before;
    final List<String> during;
    final List<String> malformed;
    final String flush;
    /** Replay's alerts for the whole day, by {@code _id}. */
    final Map<String, JsonNode> expected;

    private OutageDay(List<String> before, List<String> during, List<String> malformed, String flush,
            Map<String, JsonNode> expected) {
        this.before = before;
        this.during = during;
        this.malformed = malformed;
        this.flush = flush;
        this.expected = expected;
    }

    /** Generates the day and runs jobs/replay over it on the test's cluster (call it while no job holds the slots). */
    static OutageDay generate(Path dir) throws Exception {
        List<String> day = EndToEnd.generatedDay(SEED, RECORDS);
        int cut = day.size() * 3 / 10;
        List<String> before = new ArrayList<>(day.subList(0, cut));
        List<String> during = new ArrayList<>(day.subList(cut, day.size()));
        List<String> malformed = EndToEnd.malformed("while Elasticsearch is down");
        EndToEnd.spread(during, malformed);
        String flush = EndToEnd.flush(Instant.parse("2025-11-16T00:00:00Z"));

        List<String> all = new ArrayList<>(before);
        all.addAll(during);
        all.add(flush);
        Map<String, JsonNode> expected = EndToEnd.replayAlerts(dir, all, JobOptions.defaults());
        assertTrue(expected.size() > 100, "the generated day raises well over 100 alerts: " + expected.size());
        return new OutageDay(before, during, malformed, flush, expected);
    }

    /** Creates the topic with {@link #PARTITIONS} partitions. */
    static void createTopic(LocalKafka kafka, String topic) {
        kafka.createTopic(topic, PARTITIONS);
    }

    void sendBefore(LocalKafka kafka, String topic) {
        EndToEnd.send(kafka, topic, before, PARTITIONS);
    }

    /** The rest of the day, then the flush to every partition. */
    void sendRest(LocalKafka kafka, String topic) {
        EndToEnd.send(kafka, topic, during, PARTITIONS);
        EndToEnd.sendToEveryPartition(kafka, topic, flush, PARTITIONS);
    }

    /** The alert index holds exactly replay's alerts under their ids: none lost, none extra, none different. */
    void assertAlerts(LocalElasticsearch es, String alertIndex) {
        Map<String, JsonNode> actual = EndToEnd.documents(es, alertIndex);
        assertEquals(expected.keySet(), actual.keySet(), alertIndex);
        assertEquals(expected, actual, alertIndex);
        assertEquals(expected.size(), es.count(alertIndex), alertIndex);
    }

    /** The dead-letter index holds the three malformed messages read from {@code topic}, and no refused alert. */
    void assertDeadLetters(LocalElasticsearch es, String deadLetterIndex, String topic) {
        List<String> kinds = new ArrayList<>();
        for (JsonNode d : EndToEnd.documents(es, deadLetterIndex).values()) {
            kinds.add(d.path("kind").asText() + " " + d.path("topic").asText());
            assertTrue(d.path("original_id").isMissingNode(), "an alert Elasticsearch refused: " + d);
        }
        List<String> want = new ArrayList<>();
        for (int i = 0; i < malformed.size(); i++) want.add("malformed " + topic);
        assertEquals(want, kinds, deadLetterIndex);
    }
}
