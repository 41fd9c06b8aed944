package io.entrawatch.testing;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.flink.util.ExceptionUtils;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Stopping a MiniCluster job with a savepoint in tests, and reading what a savepoint holds. */
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

    /** The metadata of the savepoint in {@code savepointDir} (its {@code _metadata} file): each operator's state. */
    public static CheckpointMetadata metadata(Path savepointDir) throws IOException {
        try (InputStream in = Files.newInputStream(savepointDir.resolve("_metadata"))) {
            return Checkpoints.loadCheckpointMetadata(new DataInputStream(in), Savepoints.class.getClassLoader(),
                    savepointDir.toUri().toString());
        }
    }

    /** {@link #metadata} of the savepoint at {@code pointer}, as {@link #stop} returns it ({@code file:/...}). */
    public static CheckpointMetadata metadata(String pointer) throws IOException {
        return metadata(Path.of(URI.create(pointer)));
    }

    /** The operator id Flink derives from a uid (what a savepoint's state is filed under). */
    public static OperatorID operatorId(String uid) {
        return new OperatorID(StreamGraphHasherV2.generateUserSpecifiedHash(uid));
    }
}
