package io.entrawatch.replay;

import org.apache.flink.client.deployment.executors.LocalExecutor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.classloading.SubmoduleClassLoader;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.runtime.rpc.CleanupOnCloseRpcSystem;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Reference;

import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The local Flink cluster a replay from the command line runs on (docs/replay.md, "Start-up"), started on a
 * thread of its own while the replay defines its job: the MiniCluster takes about a second to start (its RPC
 * actor systems, REST endpoint and TaskManager), defining the job (listing the input, reading the exceptions,
 * building and serializing the graph) a few tenths more, and on two cores the two overlap.
 *
 * <p>Flink's local executor still submits the job and shuts the cluster down when the job ends, as with
 * {@code StreamExecutionEnvironment.createLocalEnvironment}: the cluster it asks for is this one, whose
 * {@code start()} waits for the start begun earlier. Should it ask for another shape (one TaskManager with a
 * slot per parallel instance is what it asks for at the replay's parallelism), it gets a new cluster of that
 * shape and this one is closed.
 *
 * <p>For a small input (under {@link #SMALL_INPUT_BYTES}, the bound of jobs/replay's small-input flags) the
 * network buffers are sized to the parallelism: Flink gives a local cluster 64 MB, allocated and zeroed at
 * start, where a replay at parallelism 2 needs at most 8 MB (a folder of files, one reader per subtask; 4 MB for
 * one file). {@link #networkMemory} keeps at least twice what a replay was measured to need. A larger input
 * keeps Flink's 64 MB: more buffers between the operators may matter once the records, not the start, take
 * the time.
 *
 * <p>Flink's RPC system (Pekko and Scala: 21 MB, 10,000 classes) is a jar inside flink-rpc-akka-loader's jar,
 * which Flink's loader inflates to a temporary file at every start (0.17 s measured) before loading it in a
 * class loader of its own. jobs/replay names the copy the build unpacked once ({@value #RPC_JAR_PROPERTY},
 * target/flink-rpc/flink-rpc-akka.jar), loaded the same way, in the same kind of class loader; without the
 * property, or when its file is missing, Flink's loader does as always.
 */
final class LocalReplayCluster implements AutoCloseable {
    /** Flink's network memory for a local cluster (TaskExecutorResourceUtils), which larger parallelisms keep. */
    private static final MemorySize FLINK_LOCAL_NETWORK_MEMORY = MemorySize.ofMebiBytes(64);
    private static final MemorySize NETWORK_MEMORY_PER_SLOT = MemorySize.ofMebiBytes(8);
    /** Below this many bytes on disk an input is small: jobs/replay's bound for its small-input JVM flags too. */
    static final long SMALL_INPUT_BYTES = 64L * 1000 * 1000;
    /** The system property naming Flink's RPC jar, unpacked (flink-rpc-akka.jar). */
    static final String RPC_JAR_PROPERTY = "entrawatch.flink-rpc.jar";

    private final int parallelism;
    private final Configuration configuration;
    private final BackgroundStarted cluster;
    /** Whether the cluster was given to the executor, which then shuts it down when the job ends. */
    private final AtomicBoolean handedOver = new AtomicBoolean();

    private LocalReplayCluster(int parallelism, long inputBytes) {
        this.parallelism = parallelism;
        this.configuration = new Configuration();
        if (inputBytes < SMALL_INPUT_BYTES) {
            MemorySize network = networkMemory(parallelism);
            configuration.set(TaskManagerOptions.NETWORK_MEMORY_MIN, network);
            configuration.set(TaskManagerOptions.NETWORK_MEMORY_MAX, network);
        }
        Configuration clusterConfiguration = new Configuration(configuration);
        clusterConfiguration.set(RestOptions.BIND_PORT, "0");
        this.cluster = new BackgroundStarted(new MiniClusterConfiguration.Builder()
                .setConfiguration(clusterConfiguration)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(parallelism)
                .setRpcServiceSharing(RpcServiceSharing.SHARED)
                .build(), rpcSystem(clusterConfiguration, System.getProperty(RPC_JAR_PROPERTY)));
    }

    /** Begins starting a cluster for a replay of {@code inputBytes} at {@code parallelism}; returns at once. */
    static LocalReplayCluster start(int parallelism, long inputBytes) {
        LocalReplayCluster c = new LocalReplayCluster(parallelism, inputBytes);
        c.cluster.startInBackground();
        return c;
    }

    /** The network memory of the cluster for a small input: 8 MB a slot, Flink's 64 MB from parallelism 8 on. */
    static MemorySize networkMemory(int parallelism) {
        MemorySize perSlot = NETWORK_MEMORY_PER_SLOT.multiply(parallelism);
        return perSlot.compareTo(FLINK_LOCAL_NETWORK_MEMORY) < 0 ? perSlot : FLINK_LOCAL_NETWORK_MEMORY;
    }

    /** The RPC system from {@code unpackedJar} when it is a file, else as Flink loads it. */
    static Supplier<Reference<RpcSystem>> rpcSystem(Configuration configuration, String unpackedJar) {
        if (unpackedJar == null || !Files.isRegularFile(Path.of(unpackedJar))) return () -> Reference.owned(RpcSystem.load(configuration));
        return () -> {
            URL jar;
            try {
                jar = Path.of(unpackedJar).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException(RPC_JAR_PROPERTY + " " + unpackedJar, e);
            }
            SubmoduleClassLoader loader = new SubmoduleClassLoader(new URL[] {jar}, RpcSystem.class.getClassLoader());
            RpcSystem system = ServiceLoader.load(RpcSystem.class, loader).iterator().next();
            return Reference.owned(new CleanupOnCloseRpcSystem(system, loader, null)); // null: no temporary file to delete
        };
    }

    /** An environment at the replay's parallelism whose job runs on this cluster. */
    StreamExecutionEnvironment environment() {
        Configuration c = new Configuration(configuration);
        c.set(DeploymentOptions.TARGET, "local");
        c.set(DeploymentOptions.ATTACHED, true);
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(new OnThisCluster(), c, ReplayJob.class.getClassLoader());
        env.setParallelism(parallelism);
        return env;
    }

    /** Closes the cluster unless a job runs on it (the executor closes it when the job ends); does not wait. */
    @Override
    public void close() {
        if (!handedOver.getAndSet(true)) cluster.closeOnceStarted();
    }

    private MiniCluster clusterFor(MiniClusterConfiguration requested) {
        boolean sameShape = requested.getNumTaskManagers() == 1
                && requested.getConfiguration().get(TaskManagerOptions.NUM_TASK_SLOTS) == parallelism;
        if (sameShape && !handedOver.getAndSet(true)) return cluster;
        close();
        return new MiniCluster(requested);
    }

    /** Flink's local executor, on this cluster. */
    private final class OnThisCluster implements PipelineExecutorServiceLoader, PipelineExecutorFactory {
        @Override
        public PipelineExecutorFactory getExecutorFactory(Configuration c) {
            return this;
        }

        @Override
        public Stream<String> getExecutorNames() {
            return Stream.of(getName());
        }

        @Override
        public String getName() {
            return LocalExecutor.NAME;
        }

        @Override
        public boolean isCompatibleWith(Configuration c) {
            return true;
        }

        @Override
        public PipelineExecutor getExecutor(Configuration c) {
            return LocalExecutor.createWithFactory(c, LocalReplayCluster.this::clusterFor);
        }
    }

    /** A MiniCluster whose start runs on a thread of its own; {@link #start()} waits for it. */
    private static final class BackgroundStarted extends MiniCluster {
        private final CompletableFuture<Void> started = new CompletableFuture<>();

        BackgroundStarted(MiniClusterConfiguration configuration, Supplier<Reference<RpcSystem>> rpcSystem) {
            super(configuration, rpcSystem);
        }

        void startInBackground() {
            Thread t = new Thread(() -> {
                try {
                    super.start();
                    started.complete(null);
                } catch (Throwable e) {
                    started.completeExceptionally(e);
                }
            }, "replay cluster start"); // not a daemon, as main, which started the cluster before, is not
            t.start();
        }

        @Override
        public void start() throws Exception {
            try {
                started.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception cause) throw cause;
                throw e;
            }
        }

        void closeOnceStarted() {
            started.whenComplete((ok, failed) -> closeAsync());
        }
    }
}
