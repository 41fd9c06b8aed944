package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawatch.testing.DeploymentMetrics;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.entrawatch.e2e.EndToEnd.countOrMinusOne;
import static io.entrawatch.e2e.EndToEnd.counter;
import static io.entrawatch.e2e.EndToEnd.secondsSince;
import static io.entrawatch.e2e.EndToEnd.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault: Elasticsearch is down for several checkpoint timeouts. While the node is away the sink holds
 * its bulks and the checkpoint waiting for it cannot complete: each one expires after the checkpoint
 * timeout (see {@code ElasticsearchSinkWriter}). Two production jobs (parallelism 2 each) read the same
 * generated day from topics of their own on a real Kafka broker and write into one real Elasticsearch
 * 9.2 node, with a checkpoint timeout of {@value #TIMEOUT_SECONDS} s instead of the clusters' 10 min:
 * <ul>
 *   <li><b>shipped</b>: the tolerable failed checkpoints and the restart strategy exactly as
 *       {@code deploy/kubernetes/flink-deployment.yaml} sets them. It must ride the outage out without a
 *       single restart, RUNNING throughout (unless the node's start-up on a slow machine makes more
 *       checkpoints fail in a row than it tolerates: then it restarts, as configured).
 *   <li><b>Flink defaults</b>: nothing set, as the job gets on a cluster that configures neither (no
 *       tolerable failure; the restart strategy Flink picks for a job with checkpoints, exponential delay
 *       without a limit). The first expired checkpoint fails it; it must restart from its last completed
 *       checkpoint as often as it takes and recover by itself.
 * </ul>
 * Once the first alerts are indexed the node is killed (SIGKILL, data kept), the rest of the day goes in,
 * and the node stays down for at least {@value #MIN_OUTAGE_SECONDS} s and until at least
 * {@value #EXPIRED} checkpoints of the shipped job have failed and the other job has restarted. After the
 * node is back both alert indices must hold exactly the alerts jobs/replay computes for the day (ids and
 * documents; a rewrite of the same {@code _id} is counted, not an error), the dead-letter indices exactly
 * the planted malformed messages, and both jobs must be RUNNING with a checkpoint completed after the
 * outage. The test prints the figures: failed checkpoints, restarts, the time from the node's return to
 * all alerts.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class LongElasticsearchOutageITCase {
    private static final InMemoryReporter REPORTER = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.slots(4, REPORTER);

    static final int TIMEOUT_SECONDS = 10;
    /** The checkpoint timeout of both jobs: the clusters' 10 min scaled down so that the outage is several of them. */
    private static final Duration TIMEOUT = Duration.ofSeconds(TIMEOUT_SECONDS);
    /** The minimum pause between checkpoints (the FlinkDeployment's 30 s, scaled down likewise). */
    private static final Duration MIN_PAUSE = Duration.ofSeconds(1);
    private static final String INTERVAL = "2 s";
    static final int MIN_OUTAGE_SECONDS = 45;
    /** Checkpoints of the shipped job that must have failed while the node is down. */
    static final int EXPIRED = 4;
    private static final String ALERTS = "\\.rule\\.[^.]+\\.alerts$";

    @TempDir
    Path dir;

    @Test
    void everyAlertArrivesOnceAfterAnOutageOfSeveralCheckpointTimeouts() throws Exception {
        long started = System.nanoTime();
        LocalKafka kafka = LocalKafka.shared();
        try (LocalElasticsearch es = LocalElasticsearch.startRestartable(LocalElasticsearch.V9, true)) {
            phase(started, "Elasticsearch started");
            OutageDay day = OutageDay.generate(dir);
            phase(started, "replay done");
            Map<String, JsonNode> expected = day.expected;
            Map<String, String> shippedKeys = shippedFaultTolerance();
            int tolerable = Integer.parseInt(shippedKeys.get(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER.key()));
            Run shipped = new Run("shipped", scaled(Configuration.fromMap(shippedKeys)), kafka, es);
            Run defaults = new Run("flink defaults", scaled(new Configuration()), kafka, es);
            List<Run> runs = List.of(shipped, defaults);
            for (Run r : runs) r.start(kafka, es);
            try {
                for (Run r : runs) day.sendBefore(kafka, r.topic);
                waitUntil(Duration.ofMinutes(5), () -> runs.stream().allMatch(r -> countOrMinusOne(es, r.alertIndex) >= 1),
                        "a first alert of each job in Elasticsearch");
                for (Run r : runs) {
                    r.inIndexBeforeKill = countOrMinusOne(es, r.alertIndex);
                    r.restartsBeforeKill = r.restarts();
                    r.failedBeforeKill = r.failedCheckpoints();
                }

                phase(started, "first alerts indexed");
                long killed = System.nanoTime();
                es.stopNode(true);
                assertEquals(-1, countOrMinusOne(es, shipped.alertIndex), "the node no longer answers");
                for (Run r : runs) day.sendRest(kafka, r.topic);

                // The shipped job never restarts, so its alert counters show when the whole day has fallen due.
                Set<JobStatus> seen = EnumSet.noneOf(JobStatus.class);
                waitUntil(Duration.ofMinutes(5), () -> {
                    EndToEnd.keepsRunning(REPORTER, shipped.job, seen);
                    defaults.statuses.add(EndToEnd.status(defaults.job));
                    return counter(REPORTER, shipped.id, ALERTS) >= expected.size();
                }, "the shipped job's detections to emit all " + expected.size() + " alerts");
                double allDue = secondsSince(killed);
                phase(started, "all alerts due");
                // Down for several checkpoint timeouts: the shipped job has seen checkpoints fail, the other restarted.
                long minimum = killed + Duration.ofSeconds(MIN_OUTAGE_SECONDS).toNanos();
                waitUntil(Duration.ofMinutes(6), () -> {
                    EndToEnd.keepsRunning(REPORTER, shipped.job, seen);
                    defaults.statuses.add(EndToEnd.status(defaults.job));
                    return System.nanoTime() >= minimum
                            && shipped.failedCheckpoints() - shipped.failedBeforeKill >= EXPIRED
                            && defaults.restarts() > defaults.restartsBeforeKill;
                }, "the outage to last " + MIN_OUTAGE_SECONDS + " s, " + EXPIRED + " failed checkpoints of the shipped job"
                        + " (now " + shipped.failedCheckpoints() + ") and a restart of the other (numRestarts "
                        + defaults.restarts() + ")");
                assertEquals(-1, countOrMinusOne(es, shipped.alertIndex), "the node is still down at the end of the outage");
                double downBeforeResume = secondsSince(killed);
                shipped.statuses.addAll(seen);
                for (Run r : runs) {
                    r.failedDuringOutage = r.failedCheckpoints() - r.failedBeforeKill;
                    r.restartsDuringOutage = r.restarts() - r.restartsBeforeKill;
                }
                assertEquals(Set.of(JobStatus.RUNNING), shipped.statuses, "the shipped job keeps running while Elasticsearch is down");
                assertEquals(0, shipped.restarts(), "the shipped configuration tolerates the failed checkpoints");

                phase(started, "outage over");
                long resumed = System.nanoTime();
                es.startNode();
                double startUp = secondsSince(resumed);
                long back = System.nanoTime();
                phase(started, "Elasticsearch back");
                for (Run r : runs) r.completedAtBack = r.completedCheckpoints();
                waitUntil(Duration.ofMinutes(10), () -> {
                    for (Run r : runs) {
                        if (r.allPresentAfterBack < 0 && countOrMinusOne(es, r.alertIndex) >= expected.size()) {
                            r.allPresentAfterBack = secondsSince(back);
                        }
                    }
                    return runs.stream().allMatch(r -> r.allPresentAfterBack >= 0);
                }, "all " + expected.size() + " alerts in both indices");
                // Both jobs RUNNING, and checkpointing again: a checkpoint completed since the node answered.
                waitUntil(Duration.ofMinutes(5), () -> runs.stream().allMatch(r -> EndToEnd.status(r.job) == JobStatus.RUNNING
                        && r.completedCheckpoints() > r.completedAtBack), "both jobs RUNNING with a checkpoint completed after the outage");
                phase(started, "both jobs RUNNING and checkpointing");
                for (Run r : runs) {
                    es.awaitCount(r.deadLetterIndex, day.malformed.size(), Duration.ofMinutes(5).toMillis());
                    r.restartsAtEnd = r.restarts();
                    r.checkpoints = EndToEnd.checkpoints(CLUSTER.getClientConfiguration(), r.id);
                }
                // The node's start-up adds to the outage; on a slow machine it may last more than the tolerable
                // failed checkpoints (at this test's timeout), and then the shipped job restarts as configured.
                long failedInARow = shipped.failedCheckpoints() - shipped.failedBeforeKill;
                if (failedInARow <= tolerable) {
                    assertEquals(0, shipped.restartsAtEnd, "no restart of the shipped job with " + failedInARow
                            + " failed checkpoints, " + tolerable + " tolerable");
                }
                assertTrue(defaults.restartsAtEnd >= 1, "the job without tolerable failures restarted");
                System.out.printf(Locale.ROOT, "long elasticsearch outage: checkpoint timeout %d s, %d alerts expected; all due"
                                + " %.1f s after the kill; resumed after %.1f s down, healthy after %.1f s of start-up%n",
                        TIMEOUT_SECONDS, expected.size(), allDue, downBeforeResume, startUp);
            } finally {
                for (Run r : runs) if (r.job != null) r.job.cancel().get(2, TimeUnit.MINUTES);
            }

            for (Run r : runs) {
                day.assertAlerts(es, r.alertIndex);
                day.assertDeadLetters(es, r.deadLetterIndex, r.topic);
                r.overwritten = EndToEnd.overwritten(es, r.alertIndex);
            }
            assertEquals(0, counter(REPORTER, shipped.id, "\\.documentsRejected$"), "Elasticsearch refused no alert");
            for (Run r : runs) System.out.println(r.describe(expected.size()));
        }
    }

    /** Prints how far the test has come (seconds since its start), for its figures and a slow run's diagnosis. */
    private static void phase(long started, String what) {
        System.out.printf(Locale.ROOT, "long elasticsearch outage: %s after %.1f s%n", what, secondsSince(started));
    }

    /** The FlinkDeployment's tolerable failed checkpoints and restart strategy, as shipped (the keys must be there). */
    private static Map<String, String> shippedFaultTolerance() {
        Map<String, String> shipped = new TreeMap<>();
        DeploymentMetrics.flinkConfiguration().forEach((k, v) -> {
            if (k.equals(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER.key()) || k.startsWith("restart-strategy.")) shipped.put(k, v);
        });
        assertTrue(shipped.containsKey(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER.key()) && shipped.containsKey("restart-strategy.type"),
                "the FlinkDeployment sets tolerable failed checkpoints and a restart strategy: " + shipped);
        System.out.println("long elasticsearch outage: the FlinkDeployment's " + shipped);
        return shipped;
    }

    /** The test's checkpoint timeout and minimum pause on top of {@code flink}. */
    private static Configuration scaled(Configuration flink) {
        flink.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, TIMEOUT);
        flink.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, MIN_PAUSE);
        return flink;
    }

    /** One of the two jobs: its configuration, topic, indices, and the figures of its run. */
    private static final class Run {
        final String name;
        final Configuration flink;
        final String topic;
        final String alertIndex;
        final String deadLetterIndex;
        final Set<JobStatus> statuses = EnumSet.noneOf(JobStatus.class);
        JobClient job;
        JobID id;
        long inIndexBeforeKill;
        long restartsBeforeKill;
        long failedBeforeKill;
        long failedDuringOutage;
        long restartsDuringOutage;
        long completedAtBack;
        double allPresentAfterBack = -1;
        long restartsAtEnd;
        long overwritten;
        JsonNode checkpoints;

        Run(String name, Configuration flink, LocalKafka kafka, LocalElasticsearch es) {
            this.name = name;
            this.flink = flink;
            String suffix = "long-es-outage-" + name.replace(' ', '-') + "-" + System.nanoTime();
            this.topic = "signins-" + suffix;
            this.alertIndex = "alerts-" + suffix;
            this.deadLetterIndex = "dead-letters-" + suffix;
            OutageDay.createTopic(kafka, topic);
        }

        void start(LocalKafka kafka, LocalElasticsearch es) throws Exception {
            List<String> args = EndToEnd.jobArgs(kafka, topic, es, alertIndex, deadLetterIndex);
            args.addAll(List.of("--checkpoint.interval", INTERVAL, "--parallelism", "2"));
            job = EndToEnd.startJob(args, EndToEnd.secrets(kafka, es), "e2e long elasticsearch outage (" + name + ")", flink);
            id = job.getJobID();
        }

        long restarts() {
            return Math.max(0, EndToEnd.numRestarts(REPORTER, id));
        }

        long failedCheckpoints() {
            return EndToEnd.checkpoints(CLUSTER.getClientConfiguration(), id).at("/counts/failed").asLong();
        }

        long completedCheckpoints() {
            return EndToEnd.checkpoints(CLUSTER.getClientConfiguration(), id).at("/counts/completed").asLong();
        }

        String describe(int alerts) {
            return String.format(Locale.ROOT, "long elasticsearch outage (%s): %d in the index when the node was killed;"
                            + " checkpoints failed during the outage %d; restarts during the outage %d, numRestarts at the end %d;"
                            + " job %s during the outage; all %d alerts present %.1f s after the node answered; documents written"
                            + " twice %d; %s",
                    name, inIndexBeforeKill, failedDuringOutage, restartsDuringOutage, restartsAtEnd, statuses, alerts,
                    allPresentAfterBack, overwritten, EndToEnd.describeCheckpoints(checkpoints));
        }
    }
}
