package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawatch.config.JobOptions;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.entrawatch.e2e.EndToEnd.counter;
import static io.entrawatch.e2e.EndToEnd.countOrMinusOne;
import static io.entrawatch.e2e.EndToEnd.secondsSince;
import static io.entrawatch.e2e.EndToEnd.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault: the Kafka broker (the Event Hubs endpoint) restarts mid-stream. The production job
 * reads a generated day from a real broker of its own (SASL_SSL, PLAIN, {@code $ConnectionString}) at
 * parallelism 2 and writes into a real Elasticsearch 9.2 (HTTPS, basic auth). Once the first alerts are
 * indexed, another tenth of the day is sent and acknowledged and the broker is stopped at once (SIGTERM, a
 * restart; or SIGKILL, a crash), then started again on the same port, data, certificate and connection
 * string; the rest of the day is sent once it is back. The alert index must then hold exactly the alerts
 * jobs/replay computes for the whole day, the dead-letter index exactly the planted malformed messages,
 * and the job must have kept running: the Kafka consumer reconnects by itself.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class KafkaBrokerRestartITCase {
    private static final InMemoryReporter REPORTER = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots(REPORTER);

    private static final long SEED = 42;
    private static final long RECORDS = 20_000;
    private static final int PARTITIONS = 2;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "broker stopped with SIGKILL: {0}")
    @ValueSource(booleans = {false, true})
    void theJobMissesNothingWhenTheBrokerRestarts(boolean kill) throws Exception {
        LocalElasticsearch es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        try (LocalKafka kafka = LocalKafka.startRestartable()) {
            String suffix = "kafka-restart-" + (kill ? "kill-" : "term-") + System.nanoTime();
            String topic = "signins-" + suffix;
            String alertIndex = "alerts-" + suffix;
            String deadLetterIndex = "dead-letters-" + suffix;
            kafka.createTopic(topic, PARTITIONS);

            // 30 % of the day first; the next 40 % sent right before the broker stops (the job may not have
            // fetched all of it yet); the rest (with 3 malformed messages) once it is back, then a flush that
            // closes every window of the day.
            List<String> day = EndToEnd.generatedDay(SEED, RECORDS);
            int first = day.size() * 3 / 10;
            int second = day.size() * 7 / 10;
            List<String> before = new ArrayList<>(day.subList(0, first));
            List<String> rightBeforeStop = new ArrayList<>(day.subList(first, second));
            List<String> after = new ArrayList<>(day.subList(second, day.size()));
            List<String> malformed = EndToEnd.malformed("after the broker restart");
            EndToEnd.spread(after, malformed);
            String flush = EndToEnd.flush(Instant.parse("2025-11-16T00:00:00Z"));

            List<String> all = new ArrayList<>(before);
            all.addAll(rightBeforeStop);
            all.addAll(after);
            all.add(flush);
            Map<String, JsonNode> expected = EndToEnd.replayAlerts(dir, all, JobOptions.defaults());
            assertTrue(expected.size() > 100, "the generated day raises well over 100 alerts: " + expected.size());

            List<String> args = EndToEnd.jobArgs(kafka, topic, es, alertIndex, deadLetterIndex);
            args.addAll(List.of("--checkpoint.interval", "5 s", "--parallelism", "2"));
            JobClient job = EndToEnd.startJob(args, EndToEnd.secrets(kafka, es), "e2e kafka restart");
            JobID id = job.getJobID();
            Restart r = new Restart(kill);
            // the job's status, every 250 ms from the stop until every alert is indexed
            Set<JobStatus> seen = EnumSet.noneOf(JobStatus.class);
            ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
            try {
                EndToEnd.send(kafka, topic, before, PARTITIONS);
                waitUntil(Duration.ofMinutes(5), () -> countOrMinusOne(es, alertIndex) >= 1, "a first alert in Elasticsearch");
                r.inIndexAtStop = countOrMinusOne(es, alertIndex);

                EndToEnd.send(kafka, topic, rightBeforeStop, PARTITIONS);
                long stopped = System.nanoTime();
                kafka.stopBroker(kill);
                r.fetchedAtStop = fetched(id);
                r.sentAtStop = before.size() + rightBeforeStop.size();
                watcher.scheduleWithFixedDelay(() -> {
                    JobStatus s = status(job);
                    synchronized (seen) {
                        seen.add(s);
                    }
                }, 0, 250, TimeUnit.MILLISECONDS);
                r.stop = secondsSince(stopped);

                long starting = System.nanoTime();
                kafka.startBroker();
                r.startUp = secondsSince(starting);
                r.down = secondsSince(stopped);
                long back = System.nanoTime();

                EndToEnd.send(kafka, topic, after, PARTITIONS);
                EndToEnd.sendToEveryPartition(kafka, topic, flush, PARTITIONS);
                r.sentAfterBack = secondsSince(back);
                es.awaitCount(alertIndex, expected.size(), Duration.ofMinutes(10).toMillis());
                r.allPresentAfterBack = secondsSince(back);
                es.awaitCount(deadLetterIndex, malformed.size(), Duration.ofMinutes(5).toMillis());

                watcher.shutdown();
                assertTrue(watcher.awaitTermination(1, TimeUnit.MINUTES));
                r.statuses = seen;
                r.restarts = EndToEnd.numRestarts(REPORTER, id);
                r.readInAll = counter(REPORTER, id, "\\.entrawatch\\.messagesIn$");
                r.fetchedInAll = fetched(id);
                r.checkpoints = EndToEnd.checkpoints(CLUSTER.getClientConfiguration(), id);
                assertEquals(Set.of(JobStatus.RUNNING), seen, "the job keeps running through the broker restart");
                assertEquals(0, r.restarts, "the Kafka consumer reconnects without failing the job");
                assertEquals(all.size() + PARTITIONS - 1, r.readInAll, "every message read once (the flush on each partition)");
                assertEquals(r.readInAll, r.fetchedInAll, "no message fetched twice from the broker");
            } finally {
                watcher.shutdownNow();
                job.cancel().get(2, TimeUnit.MINUTES);
            }

            Map<String, JsonNode> actual = EndToEnd.documents(es, alertIndex);
            assertEquals(expected.keySet(), actual.keySet());
            assertEquals(expected, actual);
            assertEquals(expected.size(), es.count(alertIndex));
            r.overwritten = EndToEnd.overwritten(es, alertIndex);

            List<String> kinds = new ArrayList<>();
            for (JsonNode d : EndToEnd.documents(es, deadLetterIndex).values()) {
                kinds.add(d.path("kind").asText() + " " + d.path("topic").asText());
            }
            assertEquals(List.of("malformed " + topic, "malformed " + topic, "malformed " + topic), kinds);

            System.out.println(r.describe(expected.size()));
        }
    }

    /** Kafka records the job's consumers fetched from the broker (their {@code records-consumed-total}). */
    private static long fetched(JobID id) {
        return EndToEnd.consumedFromKafka(REPORTER, id);
    }

    private static JobStatus status(JobClient job) {
        try {
            return job.getJobStatus().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the job status: " + e, e);
        }
    }

    /** The figures of one run, printed for docs/testing.md. */
    private static final class Restart {
        final boolean kill;
        long inIndexAtStop;
        long fetchedAtStop;
        long fetchedInAll;
        long sentAtStop;
        double stop;
        double startUp;
        double down;
        double sentAfterBack;
        double allPresentAfterBack;
        Set<JobStatus> statuses;
        long restarts;
        long readInAll;
        long overwritten;
        JsonNode checkpoints;

        Restart(boolean kill) {
            this.kill = kill;
        }

        String describe(int alerts) {
            return String.format(Locale.ROOT, "kafka broker restart (%s): %d alerts expected, %d in the index at the stop;"
                            + " the job had fetched %d of the %d messages sent when the broker was stopped; stop %.1f s, start-up %.1f s"
                            + " (down %.1f s); the rest of the day sent %.1f s after it was back; all %d alerts present %.1f s"
                            + " after it was back; job %s, numRestarts %d; %d messages read in all; documents written twice %d; %s",
                    kill ? "SIGKILL" : "SIGTERM", alerts, inIndexAtStop, fetchedAtStop, sentAtStop, stop, startUp, down,
                    sentAfterBack, alerts, allPresentAfterBack, statuses, restarts, readInAll, overwritten,
                    EndToEnd.describeCheckpoints(checkpoints));
        }
    }
}
