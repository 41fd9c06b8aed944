package io.entrawatch.config;

import java.time.Duration;
import java.util.List;

/** The Flink job itself: name, checkpoints, parallelism. */
public final class RunOptions {
    private RunOptions() {}

    public static final Option<String> JOB_NAME = Option.string("job.name", "entrawatch", "Flink job name.");
    public static final Option<Duration> CHECKPOINT_INTERVAL = Option.duration("checkpoint.interval", "1 min",
            "Checkpoint interval: offsets are committed and the sink flushed on each checkpoint.");
    public static final Option<Integer> PARALLELISM = Option.integer("parallelism", "0",
            "Job parallelism; 0 keeps the cluster's default (-p).");

    /** This group's options, in documentation order. */
    public static final List<Option<?>> ALL = List.of(JOB_NAME, CHECKPOINT_INTERVAL, PARALLELISM);
}
