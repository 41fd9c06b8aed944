package io.entrawatch.preflight;

import io.entrawatch.config.Durations;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.PreflightOptions;
import io.entrawatch.config.SourceOptions;
import io.entrawatch.ingest.SourceCoverage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The job's start-up check, run by {@code EntraWatchJob.main} before the job is submitted (never by
 * tests' or replay's job definitions): with exactly the client settings the job will use, it asks the
 * Event Hubs Kafka endpoint to describe the configured Event Hubs ({@link EventHubsCheck}) and
 * Elasticsearch whether the job's user holds the privileges it needs ({@link ElasticsearchCheck}).
 * Both run at the same time, each bounded by {@code --preflight.timeout}.
 *
 * <p>A wrong CA, a refused connection string or password, a missing Event Hub, a missing privilege or
 * an unreachable host becomes one line that names the option (or environment variable) to fix; all
 * problems found are listed, not only the first. No line holds a secret. {@code --preflight.enabled
 * false} skips the check.
 *
 * <p>A host that does not answer is only a warning: an outage looks the same, and the job itself waits
 * an outage out (its source reconnects, its sink retries). Stopping the start for it would also fail an
 * application-mode deployment whose JobManager fails over during an outage, since {@code main} runs again.
 * Lines that begin with {@link #WARNING} are warnings too: an Azure-named per-category Event Hub that
 * Azure has not created yet (the source reads it once it appears), and a topic list that plainly lacks
 * the hub of a category an enabled detection reads ({@link SourceCoverage#topicListWarnings}).
 */
public final class Preflight {
    /** How a problem line begins when the host did not answer (a warning, see the class comment). */
    static final String NO_ANSWER = "no answer from ";
    static final String CANNOT_REACH = "cannot reach ";
    /** How a line begins that is a warning about the settings, not a problem that stops the start. */
    public static final String WARNING = "warning: ";

    private Preflight() {}

    /** {@link #check(JobOptions, Map, Map)} without the topic-list warnings. */
    public static List<String> check(JobOptions options, Map<String, String> environment) {
        return check(options, environment, Map.of());
    }

    /**
     * Runs the check; throws {@link PreflightException} listing every line found when one of them is a
     * problem, not a warning ({@link #isWarning}). Returns the warnings (empty when all is well): hosts that
     * did not answer, and {@code --source.topic} lacking the Azure-named hub of a category in {@code needs}
     * (category -> the detections that read it, {@link SourceCoverage#needs}).
     */
    public static List<String> check(JobOptions options, Map<String, String> environment, Map<String, List<String>> needs) {
        List<String> lines = new ArrayList<>(problems(options, environment));
        lines.addAll(topicListWarnings(options, needs));
        if (lines.stream().anyMatch(p -> !isWarning(p))) throw new PreflightException(lines);
        return lines;
    }

    /** The warnings about {@code --source.topic} leaving out the hub of a category in {@code needs}; no network. */
    static List<String> topicListWarnings(JobOptions options, Map<String, List<String>> needs) {
        return SourceCoverage.topicListWarnings(options.get(SourceOptions.TOPICS), needs).stream().map(w -> WARNING + w).toList();
    }

    /** Whether a problem line says only that a host did not answer. */
    public static boolean isUnreachable(String problem) {
        return problem.startsWith(NO_ANSWER) || problem.startsWith(CANNOT_REACH);
    }

    /** Whether a line is a warning (the job is submitted anyway): a host that did not answer, or {@link #WARNING}. */
    public static boolean isWarning(String line) {
        return isUnreachable(line) || line.startsWith(WARNING);
    }

    /** Every problem found, one line each (empty: Event Hubs and Elasticsearch accept the settings). */
    public static List<String> problems(JobOptions options, Map<String, String> environment) {
        Duration timeout = options.get(PreflightOptions.TIMEOUT);
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("--" + PreflightOptions.TIMEOUT.name + " must be positive, not "
                    + Durations.format(timeout));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "entrawatch-preflight");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletableFuture<List<String>> eventHubs = run(pool, "Event Hubs",
                    () -> EventHubsCheck.run(options, environment, timeout));
            CompletableFuture<List<String>> elasticsearch = run(pool, "Elasticsearch",
                    () -> ElasticsearchCheck.run(options, environment, timeout));
            List<String> all = new ArrayList<>(eventHubs.join());
            all.addAll(elasticsearch.join());
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A check on the pool; a check that throws (it should not) becomes one problem with its message. */
    private static CompletableFuture<List<String>> run(ExecutorService pool, String what, Supplier<List<String>> check) {
        return CompletableFuture.supplyAsync(check, pool).exceptionally(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            return List.of("the " + what + " check failed: " + Causes.oneLine(cause.getMessage() == null
                    ? cause.getClass().getSimpleName() : cause.getMessage()));
        });
    }
}
