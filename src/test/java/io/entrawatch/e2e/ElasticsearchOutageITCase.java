package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.entrawatch.e2e.EndToEnd.counter;
import static io.entrawatch.e2e.EndToEnd.countOrMinusOne;
import static io.entrawatch.e2e.EndToEnd.secondsSince;
import static io.entrawatch.e2e.EndToEnd.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault: Elasticsearch is unavailable for a minute mid-stream. The production job reads a
 * generated day from a real Kafka broker (Event Hubs authentication) at parallelism 2 and writes into a
 * real Elasticsearch 9.2 node (HTTPS, basic auth) of its own. Once the first alerts are indexed the node
 * is killed (SIGKILL, data kept); the rest of the day is sent while it is down, so that most alerts and
 * every dead letter fall due during the outage; the node stays down for a minute and is started again on
 * the same port and data. Then the alert index must hold exactly the alerts jobs/replay computes for the
 * whole day (ids and documents, none missing, none extra), the dead-letter index exactly the planted
 * malformed messages and no refused alert, and the job must have kept running without a restart: the
 * sink retries with backoff for as long as Elasticsearch is away (see {@code ElasticsearchSink}).
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class ElasticsearchOutageITCase {
    private static final InMemoryReporter REPORTER = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots(REPORTER);

    /** How long the node stays down at least (it then needs its start-up time on top). */
    private static final Duration OUTAGE = Duration.ofSeconds(60);
    private static final String ALERTS = "\\.rule\\.[^.]+\\.alerts$";

    @TempDir
    Path dir;

    @Test
    void everyAlertArrivesOnceAfterElasticsearchWasDownForAMinute() throws Exception {
        LocalKafka kafka = LocalKafka.shared();
        try (LocalElasticsearch es = LocalElasticsearch.startRestartable(LocalElasticsearch.V9, true)) {
            String suffix = "es-outage-" + System.nanoTime();
            String topic = "signins-" + suffix;
            String alertIndex = "alerts-" + suffix;
            String deadLetterIndex = "dead-letters-" + suffix;
            OutageDay.createTopic(kafka, topic);
            OutageDay day = OutageDay.generate(dir);
            Map<String, JsonNode> expected = day.expected;

            List<String> args = EndToEnd.jobArgs(kafka, topic, es, alertIndex, deadLetterIndex);
            args.addAll(List.of("--checkpoint.interval", "5 s", "--parallelism", "2"));
            JobClient job = EndToEnd.startJob(args, EndToEnd.secrets(kafka, es), "e2e elasticsearch outage");
            JobID id = job.getJobID();
            Outage o = new Outage();
            try {
                day.sendBefore(kafka, topic);
                waitUntil(Duration.ofMinutes(5), () -> countOrMinusOne(es, alertIndex) >= 1, "a first alert in Elasticsearch");
                o.inIndexBeforeKill = countOrMinusOne(es, alertIndex);

                long killed = System.nanoTime();
                es.stopNode(true);
                assertEquals(-1, countOrMinusOne(es, alertIndex), "the node no longer answers");
                day.sendRest(kafka, topic);

                // Every alert of the day falls due while the node is down: the detections hand them all to the sink.
                Set<JobStatus> seen = EnumSet.noneOf(JobStatus.class);
                waitUntil(Duration.ofMinutes(5), () -> {
                    EndToEnd.keepsRunning(REPORTER, job, seen);
                    return counter(REPORTER, id, ALERTS) >= expected.size();
                }, "the detections to emit all " + expected.size() + " alerts (emitted " + counter(REPORTER, id, ALERTS) + ")");
                o.allDueAfterKill = secondsSince(killed);
                // Down for the outage, and for at least 10 s after the last alert fell due.
                long downUntil = Math.max(killed + OUTAGE.toNanos(), System.nanoTime() + Duration.ofSeconds(10).toNanos());
                waitUntil(OUTAGE.plusMinutes(5), () -> {
                    EndToEnd.keepsRunning(REPORTER, job, seen);
                    return System.nanoTime() >= downUntil;
                }, "the outage to last");
                assertEquals(-1, countOrMinusOne(es, alertIndex), "the node is still down at the end of the outage");
                o.downBeforeResume = secondsSince(killed);
                o.statusesDuringOutage = seen;
                o.restartsDuringOutage = EndToEnd.numRestarts(REPORTER, id);
                o.bulksRetriedDuringOutage = counter(REPORTER, id, "\\.bulkRequestsRetried$");
                assertEquals(Set.of(JobStatus.RUNNING), seen, "the job keeps running while Elasticsearch is down");
                assertEquals(0, o.restartsDuringOutage, "the sink waits for Elasticsearch without failing the job");
                assertTrue(o.bulksRetriedDuringOutage > 0, "the sinks retried their bulks during the outage");

                long resumed = System.nanoTime();
                es.startNode();
                o.startUp = secondsSince(resumed);
                o.down = secondsSince(killed);
                long back = System.nanoTime();
                es.awaitCount(alertIndex, expected.size(), Duration.ofMinutes(10).toMillis());
                o.allPresentAfterBack = secondsSince(back);
                es.awaitCount(deadLetterIndex, day.malformed.size(), Duration.ofMinutes(5).toMillis());

                o.restarts = EndToEnd.numRestarts(REPORTER, id);
                o.bulksRetried = counter(REPORTER, id, "\\.bulkRequestsRetried$");
                o.documentsRetried = counter(REPORTER, id, "\\.documentsRetried$");
                o.checkpoints = EndToEnd.checkpoints(CLUSTER.getClientConfiguration(), id);
                assertEquals(JobStatus.RUNNING, EndToEnd.status(job));
                assertEquals(0, o.restarts, "no restart after the outage either");
            } finally {
                job.cancel().get(2, TimeUnit.MINUTES);
            }

            // Exactly the alerts of the whole day, under their ids: none lost, none extra.
            day.assertAlerts(es, alertIndex);
            o.overwritten = EndToEnd.overwritten(es, alertIndex);
            assertEquals(0, counter(REPORTER, id, "\\.documentsRejected$"), "Elasticsearch refused no alert");
            // Dead letters: the three malformed messages sent during the outage, nothing refused, no alert.
            day.assertDeadLetters(es, deadLetterIndex, topic);

            System.out.println(o.describe(expected.size()));
        }
    }

    /** The figures of one run, printed for docs/testing.md. */
    private static final class Outage {
        long inIndexBeforeKill;
        double allDueAfterKill;
        double downBeforeResume;
        double startUp;
        double down;
        double allPresentAfterBack;
        Set<JobStatus> statusesDuringOutage;
        long restartsDuringOutage;
        long restarts;
        long bulksRetriedDuringOutage;
        long bulksRetried;
        long documentsRetried;
        long overwritten;
        JsonNode checkpoints;

        String describe(int alerts) {
            return String.format(Locale.ROOT, "elasticsearch outage: %d alerts expected, %d in the index when the node was"
                            + " killed; all due %.1f s after the kill; resumed after %.1f s down, healthy after %.1f s of start-up"
                            + " (down %.1f s in all); all %d alerts present %.1f s after it answered; job %s during the outage,"
                            + " numRestarts %d; bulks retried %d (%d during the outage), items retried %d; documents written"
                            + " twice %d; %s",
                    alerts, inIndexBeforeKill, allDueAfterKill, downBeforeResume, startUp, down, alerts, allPresentAfterBack,
                    statusesDuringOutage, restarts, bulksRetried, bulksRetriedDuringOutage, documentsRetried, overwritten,
                    EndToEnd.describeCheckpoints(checkpoints));
        }
    }
}
