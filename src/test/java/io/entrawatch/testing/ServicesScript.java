package io.entrawatch.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the scripts of {@code deploy/local} ({@code services}, {@code flink/flink}) for the test helpers:
 * finds them, runs them with a timeout, reads the {@code services.env} they write, picks free ports and
 * cleans up run dirs.
 */
final class ServicesScript {

    /** The script's exit status when a port it was given is already taken. */
    static final int EXIT_PORT_IN_USE = 3;

    private static final Set<Path> FETCHED = new HashSet<>();

    private ServicesScript() {}

    /** Thrown when the script reports that a port is taken: pick other ports and try again. */
    static final class PortInUseException extends IllegalStateException {
        PortInUseException(String message) {
            super(message);
        }
    }

    /**
     * The script: the system property {@code entrawatch.services.script}, or
     * {@code deploy/local/services} in the working folder or one of its parents.
     */
    static Path script() {
        String configured = System.getProperty("entrawatch.services.script");
        if (configured != null && !configured.isBlank()) {
            Path p = Paths.get(configured).toAbsolutePath();
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException("entrawatch.services.script=" + p + " is not executable");
            }
            return p;
        }
        Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve("deploy/local/services");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "deploy/local/services not found from " + dir + " (set -Dentrawatch.services.script=PATH)");
    }

    /** {@code deploy/local/flink/flink}, next to {@code deploy/local/services}. */
    static Path flinkScript() {
        Path p = script().getParent().resolve("flink/flink");
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException(p + " is missing or not executable");
        }
        return p;
    }

    /** Runs the script's {@code fetch} once per JVM (downloads on a fresh machine, quick afterwards). */
    static void fetchOnce(Path script, Path logFile) {
        synchronized (FETCHED) {
            if (FETCHED.add(script)) {
                try {
                    run(script, List.of("fetch"), Map.of(), logFile, 1200);
                } catch (RuntimeException e) {
                    FETCHED.remove(script);
                    throw e;
                }
            }
        }
    }

    /**
     * Runs a script with the given arguments and {@code environment} added to this JVM's, its output
     * appended to {@code logFile}; returns that output. Fails with it when the script exits non-zero
     * ({@link PortInUseException} for {@link #EXIT_PORT_IN_USE}) or does not finish in time.
     */
    static String run(Path script, List<String> args, Map<String, String> environment, Path logFile,
            long timeoutSeconds) {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(args);
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(logFile, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            long offset = Files.size(logFile);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(environment);
            Process process = builder.start();
            boolean done = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            String output = readFrom(logFile, offset);
            if (!done) {
                throw new IllegalStateException("`" + String.join(" ", command) + "` did not finish within "
                        + timeoutSeconds + "s:\n" + tail(output));
            }
            int rc = process.exitValue();
            // a port the script found free can be taken by another process before the service binds it
            if (rc == EXIT_PORT_IN_USE || (rc != 0 && output.contains("Address already in use"))) {
                throw new PortInUseException(tail(output));
            }
            if (rc != 0) {
                throw new IllegalStateException("`" + String.join(" ", command) + "` failed (exit " + rc + "):\n"
                        + tail(output));
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private static String readFrom(Path file, long offset) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            channel.position(Math.min(offset, channel.size()));
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The last 8000 characters of a script's output or a response, for a failure message. */
    static String tail(String s) {
        return s.length() > 8000 ? "..." + s.substring(s.length() - 8000) : s;
    }

    /** Reads {@code services.env}: KEY=VALUE lines, the last line of a key wins. */
    static Map<String, String> readEnv(Path runDir) {
        Map<String, String> env = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(runDir.resolve("services.env"), StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String value = line.substring(eq + 1);
                if (value.equals("''")) {
                    value = "";
                }
                if (value.contains("\\") || value.contains("'") || value.contains("\"")) {
                    throw new IllegalStateException("unexpected quoting in services.env: " + line);
                }
                env.put(line.substring(0, eq), value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return env;
    }

    static String require(Map<String, String> env, String key) {
        String value = env.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("services.env has no " + key + ": " + env);
        }
        return value;
    }

    /** {@code count} distinct ports free on 127.0.0.1 right now. */
    static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                s.setReuseAddress(true);
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /**
     * {@code count} distinct ports free on 127.0.0.1, below the kernel's ephemeral range: a service
     * that is stopped and resumed on its ports must find them free again, and while it is down the
     * kernel hands ephemeral ports to other sockets (outgoing connections, other tests' port 0).
     * Falls back to {@link #freePorts} when the range leaves no room.
     */
    static int[] freePortsBelowEphemeralRange(int count) {
        int low = 32768;
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            low = Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: assume the usual range
        }
        // 20000 and up: clear of the fixed defaults of deploy/local (18081, 19093-19095, 19200, 19300)
        int from = 20_000;
        if (low - from < 1000) {
            return freePorts(count);
        }
        java.util.Random random = new java.util.Random();
        List<Integer> ports = new ArrayList<>();
        for (int tries = 0; ports.size() < count && tries < 1000; tries++) {
            int candidate = from + random.nextInt(low - from);
            if (!ports.contains(candidate) && bindable(candidate)) {
                ports.add(candidate);
            }
        }
        if (ports.size() < count) {
            return freePorts(count);
        }
        return ports.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static Path newRunDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a run dir unless {@code -Dentrawatch.keepRunDirs=true}. */
    static void deleteRunDir(Path runDir) {
        if (Boolean.getBoolean("entrawatch.keepRunDirs") || !Files.exists(runDir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(runDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temp folder
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a process may still be deleting files of its own
        }
    }

    static String ownerPid() {
        return Long.toString(ProcessHandle.current().pid());
    }
}
