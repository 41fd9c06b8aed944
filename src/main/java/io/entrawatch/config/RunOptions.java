package io.entrawatch.config;

import java.time.Duration;
import java.util.List;

/** The Flink job itself: name, checkpoints, parallelism. */
public final class RunOptions {
    private RunOptions() {}

    /** Flink's own bound on the maximum parallelism (the key-group count), {@code 2^15}. */
    public static final int MAX_PARALLELISM_UPPER_BOUND = 1 << 15;

    public static final Option<String> JOB_NAME = Option.string("job.name", "entrawatch", "Flink job name.");
    public static final Option<Duration> CHECKPOINT_INTERVAL = Option.duration("checkpoint.interval", "1 min",
            "Checkpoint interval: offsets are committed and the sink flushed on each checkpoint.");
    public static final Option<Integer> PARALLELISM = Option.integer("parallelism", "0",
            "Job parallelism; 0 keeps the cluster's default (-p). jobs/replay: 0 is one reader per core for a folder (at most one "
                    + "per file) and 2 for a single file, never more than the cores.");
    public static final Option<Integer> MAX_PARALLELISM = Option.integer("max-parallelism", "128", 1, MAX_PARALLELISM_UPPER_BOUND,
            "Live job: the most parallel instances it can ever be rescaled to from its savepoints; keyed state is split into this "
                    + "many key groups, fixed for the life of the savepoints (a savepoint taken with another value does not "
                    + "restore). 128 is what Flink chose for every savepoint taken before this option (at parallelism up to 85). "
                    + "Not given: Flink's pipeline.max-parallelism when the cluster sets it, else 128.");

    /** This group's options, in documentation order. */
    public static final List<Option<?>> ALL = List.of(JOB_NAME, CHECKPOINT_INTERVAL, PARALLELISM, MAX_PARALLELISM);

    /**
     * The maximum parallelism the live job runs with: {@code --max-parallelism}, or, when it is not given and
     * the Flink configuration sets {@code pipeline.max-parallelism} ({@code flinkMaxParallelism > 0}), that
     * value. Fails, naming both, when the two are given and differ (one of them would be ignored, and the
     * key-group count must not change by accident), and when {@code parallelism} (the job's default
     * parallelism, from {@code --parallelism} or {@code -p}) exceeds it.
     */
    public static int maxParallelism(JobOptions options, int flinkMaxParallelism, int parallelism) {
        int max = options.get(MAX_PARALLELISM);
        if (flinkMaxParallelism > 0 && flinkMaxParallelism != max) {
            if (options.isSet(MAX_PARALLELISM)) {
                throw new IllegalArgumentException("--" + MAX_PARALLELISM.name + " " + max + " and Flink's pipeline.max-parallelism "
                        + flinkMaxParallelism + " disagree: give one of them, or the same value to both");
            }
            max = flinkMaxParallelism;
        }
        if (parallelism > max) {
            throw new IllegalArgumentException("parallelism " + parallelism + " exceeds the maximum parallelism " + max + " (--"
                    + MAX_PARALLELISM.name + "): keyed state cannot be split over more instances than it has key groups");
        }
        return max;
    }
}
