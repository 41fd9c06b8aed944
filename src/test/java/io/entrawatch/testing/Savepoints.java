package io.entrawatch.testing;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.util.ExceptionUtils;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Stopping a MiniCluster job with a savepoint in tests. */
public final class Savepoints {
    private Savepoints() {}

    /**
     * Stops with a savepoint into {@code dir}, retried while a task is still starting: a job can produce
     * output while one of its tasks is still being deployed or restoring its state (slowly, on a loaded
     * machine), and Flink refuses a savepoint until every task runs. Any other failure, or still starting
     * after {@code timeout}, is thrown.
     */
    public static String stop(JobClient job, boolean drain, Path dir, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return job.stopWithSavepoint(drain, dir.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000_000L), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                boolean starting = ExceptionUtils.findThrowableWithMessage(e, "Not all required tasks are currently running").isPresent();
                if (!starting || System.nanoTime() > deadline) throw e;
                Thread.sleep(200);
            }
        }
    }
}
