package io.entrawatch.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The Flink MiniCluster the ITCases run on: one TaskManager with two slots, so keyBy and watermarks cross channels. */
public final class TestClusters {
    private TestClusters() {}

    public static MiniClusterExtension twoSlots() {
        return twoSlots(new Configuration());
    }

    /** {@link #twoSlots()} reporting every metric to {@code reporter}, for tests that read the job's metrics. */
    public static MiniClusterExtension twoSlots(InMemoryReporter reporter) {
        return twoSlots(reporter.addToConfiguration(new Configuration()));
    }

    /** One TaskManager with {@code slots} slots: room for a job at that parallelism. */
    public static MiniClusterExtension slots(int slots) {
        return cluster(slots, new Configuration());
    }

    /**
     * One TaskManager with {@code slots} slots, reporting every metric to {@code reporter}: for jobs above
     * parallelism 2, or two jobs at parallelism 2 side by side.
     */
    public static MiniClusterExtension slots(int slots, InMemoryReporter reporter) {
        return cluster(slots, reporter.addToConfiguration(new Configuration()));
    }

    /** The environment of the test's MiniCluster at {@code parallelism}. */
    public static StreamExecutionEnvironment environment(int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        return env;
    }

    private static MiniClusterExtension twoSlots(Configuration configuration) {
        return cluster(2, configuration);
    }

    private static MiniClusterExtension cluster(int slots, Configuration configuration) {
        return new MiniClusterExtension(() -> new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(slots).setConfiguration(configuration).build());
    }
}
