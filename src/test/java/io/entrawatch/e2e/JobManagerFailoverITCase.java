package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawatch.testing.FileTrees;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalFlinkCluster;
import io.entrawatch.testing.LocalKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JobManager failover on the real standalone cluster with high availability ({@code deploy/local/flink/flink
 * start --ha}: a ZooKeeper server, a leading and a standby JobManager, two TaskManagers of one slot,
 * RocksDB; the job jar submitted by Flink's CLI, parallelism 2, checkpoints every 2 s), real Kafka with
 * Event Hubs' authentication and real Elasticsearch 9.2 (HTTPS, basic auth).
 *
 * <p>The leading JobManager is {@code kill -9}ed mid-stream ({@link MidStreamFault}: after a checkpoint
 * that holds an open spray window, while the job writes the second batch's alerts, before the rest of
 * the stream is produced). Once its ZooKeeper session has expired the standby takes the leadership,
 * recovers the job (same job id) from the job graph and the latest completed checkpoint that ZooKeeper
 * points to, and the TaskManagers, which stay alive, register with it and run the job's tasks again.
 * The alerts in Elasticsearch are then exactly those of a fault-free run ({@code jobs/replay}): none
 * lost, none duplicated. Then another standby is started, and the leadership stays where it is.
 *
 * <p>Timings on stderr: from the kill to the new leader answering REST, to every task RUNNING, and to
 * all alerts in Elasticsearch.
 */
class JobManagerFailoverITCase {
    private static final Duration TIMEOUT = MidStreamFault.TIMEOUT;

    private static LocalKafka kafka;
    private static LocalElasticsearch es;
    private static LocalFlinkCluster cluster;
    private static ClusterScenario scenario;
    private static Path jar;

    @BeforeAll
    static void startCluster() {
        jar = Path.of("target/entrawatch.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), jar + " is missing: run `mvn package` (failsafe runs after it)");
        kafka = LocalKafka.shared();
        es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        long t0 = System.nanoTime();
        cluster = LocalFlinkCluster.start(2, 1, ClusterScenario.secrets(kafka, es), List.of("--ha"));
        scenario = new ClusterScenario(kafka, es, cluster);
        timing("cluster start (ZooKeeper, 2 JobManagers, 2 TaskManagers registered)", t0);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    private static void timing(String what, long startNanos) {
        ClusterScenario.timing(JobManagerFailoverITCase.class, what, startNanos);
    }

    @Test
    void theLeadingJobManagerKilledMidStreamHandsTheJobToTheStandbyFromItsLatestCheckpoint(@TempDir Path dir) throws Exception {
        String leaderBefore = cluster.waitForLeader(TIMEOUT);
        MidStreamFault run = MidStreamFault.start(JobManagerFailoverITCase.class, scenario, cluster, jar,
                ClusterScenario.secrets(kafka, es), "jm-failover", dir);
        try {
            String jobId = run.jobId();
            SortedSet<String> taskManagers = cluster.taskManagersOf(jobId);
            assertEquals(2, taskManagers.size(), "the job's tasks run on both TaskManagers: " + taskManagers);
            long lastCheckpointBeforeKill = cluster.checkpoints(jobId).at("/latest/completed/id").asLong();
            long alertsAtKill = run.alertsNowMidStream();
            long killedAt = System.currentTimeMillis();
            long k0 = System.nanoTime();
            String killed = cluster.killLeadingJobManager();
            run.faultInjected();
            // nothing completes a checkpoint now: the newest one with its metadata written is the latest
            long latestOnDisk = latestCheckpointOnDisk(jobId);
            assertEquals(leaderBefore, killed, "the leader was killed");
            run.printAtFault("kill -9 the leading JobManager " + killed, alertsAtKill, lastCheckpointBeforeKill);

            String leader = cluster.waitForLeader(TIMEOUT);
            timing("kill to the new leader " + leader + " answering REST", k0);
            assertNotEquals(killed, leader, "another JobManager leads");
            // the new leader recovered the same job (no second one)
            List<String> jobs = ids(cluster.get("/jobs/overview").path("jobs"), "jid");
            assertEquals(List.of(jobId), jobs, "the jobs the new leader runs");
            cluster.waitUntilRunning(jobId, TIMEOUT);
            timing("kill to the job RUNNING again (every task)", k0);
            run.waitForAllAlerts(k0);

            // restored by the new leader from the latest checkpoint completed before the kill
            JsonNode checkpoints = cluster.checkpoints(jobId);
            JsonNode restored = checkpoints.at("/latest/restored");
            assertTrue(checkpoints.at("/counts/restored").asInt() >= 1, "restored from a checkpoint: " + checkpoints.path("counts"));
            assertFalse(restored.path("is_savepoint").asBoolean(true), "a checkpoint, not a savepoint: " + restored);
            assertTrue(restored.path("id").asLong() >= lastCheckpointBeforeKill,
                    "restored checkpoint " + restored.path("id") + ", the REST API showed " + lastCheckpointBeforeKill + " before the kill");
            // the latest, or the one before if the kill fell between its metadata and its registration in ZooKeeper
            assertTrue(restored.path("id").asLong() <= latestOnDisk && restored.path("id").asLong() >= latestOnDisk - 1,
                    "restored checkpoint " + restored.path("id") + ", the newest one written before the kill was " + latestOnDisk);
            assertTrue(restored.path("restore_timestamp").asLong() >= killedAt, "restored after the kill: " + restored);
            // and it checkpoints on, its ids following the restored one (the counter is kept in ZooKeeper)
            long newCheckpoint = waitForCheckpointAfter(jobId, restored.path("id").asLong());
            // the TaskManagers were not restarted: the same two (resource ids) registered with the new leader
            assertEquals(taskManagers, new TreeSet<>(ids(cluster.get("/taskmanagers").path("taskmanagers"), "id")),
                    "the TaskManagers the new leader knows");
            assertEquals(taskManagers, cluster.taskManagersOf(jobId), "the TaskManagers that run the job's tasks");
            JsonNode job = cluster.job(jobId);
            System.err.printf("JobManagerFailoverITCase: the new leader restored checkpoint %d (the newest with its "
                            + "metadata written at the kill: %d; the REST API showed %d just before) %.1f s after the kill, "
                            + "then completed checkpoint %d; %d restore(s); job %s %s, numRestarts %d%n",
                    restored.path("id").asLong(), latestOnDisk, lastCheckpointBeforeKill,
                    (restored.path("restore_timestamp").asLong() - killedAt) / 1e3, newCheckpoint,
                    checkpoints.at("/counts/restored").asInt(), jobId,
                    job.path("state").asText(), cluster.jobMetric(jobId, "numRestarts"));

            // a new standby: it answers (through the leader), and the leadership stays
            long s0 = System.nanoTime();
            String standby = cluster.addJobManager();
            timing("start of a new standby JobManager " + standby, s0);
            assertEquals(leader, cluster.waitForLeader(TIMEOUT), "the leadership stays with " + leader);
            assertEquals("RUNNING", cluster.job(jobId).path("state").asText());
        } finally {
            run.close();
        }
        run.assertAlertsOfTheFaultFreeRun();
    }

    private static List<String> ids(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.path(field).asText()).toList();
    }

    /** The highest N of the job's {@code chk-N} directories with a {@code _metadata} file (written when a checkpoint completes). */
    private static long latestCheckpointOnDisk(String jobId) {
        return FileTrees.regularFiles(cluster.getRunDir().resolve("flink/checkpoints/" + jobId)).stream()
                .filter(p -> p.getFileName().toString().equals("_metadata") && p.getParent().getFileName().toString().startsWith("chk-"))
                .mapToLong(p -> Long.parseLong(p.getParent().getFileName().toString().substring("chk-".length())))
                .max().orElseThrow(() -> new AssertionError("no completed checkpoint of " + jobId + " on disk"));
    }

    /** Waits until the job completed a checkpoint with an id above {@code id}; returns that id. */
    private static long waitForCheckpointAfter(String jobId, long id) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            long latest = cluster.checkpoints(jobId).at("/latest/completed/id").asLong();
            if (latest > id) return latest;
            Thread.sleep(250);
        }
        throw new AssertionError("no checkpoint after " + id + " within " + TIMEOUT + ": " + cluster.checkpoints(jobId).path("counts"));
    }
}
