package io.entrawatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What {@link LocalKafka}, {@link LocalElasticsearch} and {@link LocalFlinkCluster} share: a real service
 * that a script of {@code deploy/local} starts in a temporary run dir of its own, that the script can
 * stop and resume there, and that a close stops for good, deleting the run dir. {@link #shared} keeps one
 * started service per key and JVM, stopped by a shutdown hook (and by the script's watchdog, which gets
 * this JVM's pid, when the JVM dies without running its hooks).
 */
public abstract class LocalService implements AutoCloseable {

    /**
     * A kind of service as its script knows it: the script, the words naming the service in its
     * {@code stop} and {@code resume} commands (none for the Flink script), the log in the run dir that
     * the output of every command goes to, and how long a stop may take.
     */
    record Kind(String name, Supplier<Path> script, List<String> service, String cliLog, long stopTimeoutSeconds) {

        static final Kind KAFKA = new Kind("LocalKafka", ServicesScript::script, List.of("kafka"), "services-cli.log", 60);
        static final Kind ELASTICSEARCH = new Kind("LocalElasticsearch", ServicesScript::script, List.of("es"),
                "services-cli.log", 60);
        static final Kind FLINK = new Kind("LocalFlinkCluster", ServicesScript::flinkScript, List.of(), "flink-cli.log", 90);

        /** Runs the script with the environment added to this JVM's; returns its output (also in the CLI log). */
        String run(Path runDir, List<String> args, Map<String, String> environment, long timeoutSeconds) {
            return ServicesScript.run(script.get(), args, environment, runDir.resolve(cliLog), timeoutSeconds);
        }

        /**
         * A command that starts the service ({@code start-kafka}, {@code resume es}, ...): {@code VERB
         * OPTIONS --run-dir RUN_DIR --timeout READY_SECONDS --owner-pid PID}, the script's watchdog set to
         * stop the service when this JVM ends. The script's {@code fetch} runs first, once per JVM.
         */
        String start(Path runDir, String verb, List<String> options, long readySeconds, Map<String, String> environment,
                long timeoutSeconds) {
            ServicesScript.fetchOnce(script.get(), runDir.resolve(cliLog));
            List<String> args = new ArrayList<>();
            args.add(verb);
            args.addAll(options);
            args.addAll(List.of("--run-dir", runDir.toString(), "--timeout", Long.toString(readySeconds),
                    "--owner-pid", ServicesScript.ownerPid()));
            return run(runDir, args, environment, timeoutSeconds);
        }

        /** SIGTERM, SIGKILL after the script's timeout, or with {@code kill} SIGKILL at once; the run dir stays. */
        void stop(Path runDir, boolean kill) {
            List<String> args = new ArrayList<>();
            args.add("stop");
            args.addAll(service);
            args.addAll(List.of("--run-dir", runDir.toString()));
            if (kill) {
                args.add("--kill");
            }
            run(runDir, args, Map.of(), stopTimeoutSeconds);
        }

        void stopQuietly(Path runDir) {
            try {
                stop(runDir, false);
            } catch (RuntimeException e) {
                System.err.println(name + ": stop failed: " + e.getMessage());
            }
        }
    }

    /** Starts the service in the run dir once (the ports it picks are its own affair). */
    @FunctionalInterface
    interface Launch {
        void launch(Path runDir);
    }

    /** Makes the helper for a started service from the {@code services.env} its script wrote. */
    @FunctionalInterface
    interface Create<T> {
        T create(Path runDir, Map<String, String> env) throws IOException;
    }

    private static final int START_ATTEMPTS = 3;
    private static final Map<String, LocalService> SHARED = new HashMap<>();
    private static final Map<String, Object> SHARED_LOCKS = new ConcurrentHashMap<>();

    private final Kind kind;
    /** The run dir: pids, logs, data, certificates and {@code services.env}. */
    final Path runDir;
    private volatile boolean closed;

    LocalService(Kind kind, Path runDir) {
        this.kind = kind;
        this.runDir = runDir;
    }

    /**
     * Starts a service in a new temporary run dir: {@code launch}, tried again (it picks other ports) while
     * the script says a port is taken, then {@code create}. On any failure the service is stopped and the
     * run dir deleted.
     */
    static <T extends LocalService> T start(Kind kind, String runDirPrefix, Launch launch, Create<T> create) {
        Path runDir = ServicesScript.newRunDir(runDirPrefix);
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    launch.launch(runDir);
                    break;
                } catch (ServicesScript.PortInUseException e) {
                    if (attempt >= START_ATTEMPTS) {
                        throw e;
                    }
                }
            }
            return create.create(runDir, ServicesScript.readEnv(runDir));
        } catch (RuntimeException | IOException e) {
            kind.stopQuietly(runDir);
            ServicesScript.deleteRunDir(runDir);
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
    }

    /** One service per key and JVM, started on first use and stopped when the JVM exits. Do not close it. */
    static <T extends LocalService> T shared(String key, Supplier<T> start) {
        synchronized (SHARED_LOCKS.computeIfAbsent(key, k -> new Object())) {
            LocalService service;
            synchronized (SHARED) {
                service = SHARED.get(key);
            }
            if (service == null || service.closed) {
                T started = start.get();
                String name = ((LocalService) started).kind.name();
                Runtime.getRuntime().addShutdownHook(new Thread(started::close, name + "-shutdown"));
                synchronized (SHARED) {
                    SHARED.put(key, started);
                }
                return started;
            }
            @SuppressWarnings("unchecked")
            T shared = (T) service;
            return shared;
        }
    }

    /** The run dir: pids, logs, data, certificates and {@code services.env}. */
    public Path getRunDir() {
        return runDir;
    }

    /** Runs this service's script on its run dir; returns the output (also in the CLI log of the run dir). */
    String run(List<String> args, Map<String, String> environment, long timeoutSeconds) {
        return kind.run(runDir, args, environment, timeoutSeconds);
    }

    /**
     * Stops the service and keeps its run dir for {@link #resumeService}: SIGTERM, or with {@code kill}
     * SIGKILL. Returns once the process is gone. Not for a shared service.
     */
    void stopService(boolean kill) {
        checkNotShared();
        kind.stop(runDir, kill);
    }

    /**
     * Starts the stopped service again on the same ports with the same data and secrets ({@code resume});
     * the script waits up to {@code readySeconds} for it, this helper up to {@code timeoutSeconds}.
     */
    void resumeService(long readySeconds, long timeoutSeconds) {
        checkNotShared();
        kind.start(runDir, "resume", kind.service(), readySeconds, Map.of(), timeoutSeconds);
    }

    /** Fails for a closed or a shared service: one that other tests use must not be stopped. */
    void checkNotShared() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        synchronized (SHARED) {
            if (SHARED.containsValue(this)) {
                throw new IllegalStateException(this + " is shared and serves other tests: use startRestartable()");
            }
        }
    }

    /** Stops the service (SIGTERM, SIGKILL after a timeout) and deletes its run dir. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        kind.stopQuietly(runDir);
        ServicesScript.deleteRunDir(runDir);
    }
}
