package io.entrawatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The metrics configuration the FlinkDeployment ships ({@code metrics.*} of
 * {@code deploy/kubernetes/flink-deployment.yaml}'s {@code spec.flinkConfiguration}), read as written,
 * for a local cluster that exports exactly what the Kubernetes one does; and the rest of that
 * flinkConfiguration, for tests that run a job with the shipped fault-tolerance settings.
 */
public final class DeploymentMetrics {
    /** The reporter's port key: the local cluster gives every JVM its own free port instead. */
    public static final String PROMETHEUS_PORT = "metrics.reporter.prom.port";

    private DeploymentMetrics() {
    }

    /** The repository's root (the directory with {@code deploy/kubernetes}). */
    public static Path root() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("deploy/kubernetes"))) return d;
        }
        throw new IllegalStateException("deploy/kubernetes not found");
    }

    /** Every {@code metrics.*} key of the FlinkDeployment's flinkConfiguration with its value, sorted by key. */
    public static Map<String, String> options() {
        Map<String, String> metrics = new TreeMap<>();
        flinkConfiguration().forEach((k, v) -> {
            if (k.startsWith("metrics.")) metrics.put(k, v);
        });
        if (metrics.isEmpty()) throw new IllegalStateException("no metrics.* keys in flink-deployment.yaml");
        return metrics;
    }

    /** Every key of the FlinkDeployment's flinkConfiguration with its value as written, sorted by key. */
    @SuppressWarnings("unchecked")
    public static Map<String, String> flinkConfiguration() {
        String yaml;
        try {
            yaml = Files.readString(root().resolve("deploy/kubernetes/flink-deployment.yaml"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> doc = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml);
        Map<String, Object> conf = (Map<String, Object>) ((Map<String, Object>) doc.get("spec")).get("flinkConfiguration");
        Map<String, String> all = new TreeMap<>();
        conf.forEach((k, v) -> all.put(k, String.valueOf(v)));
        return all;
    }

    /**
     * {@code -D key=value} options of {@code deploy/local/flink/flink start} for every key of
     * {@link #options()} but the port (each JVM of the local cluster gets a free one). Values are
     * YAML-quoted, as the script writes them into config.yaml as they are.
     */
    public static List<String> clusterStartOptions() {
        List<String> d = new ArrayList<>();
        options().forEach((k, v) -> {
            if (!k.equals(PROMETHEUS_PORT)) {
                d.add("-D");
                d.add(k + "='" + v.replace("'", "''") + "'");
            }
        });
        return d;
    }
}
