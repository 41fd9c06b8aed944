package io.entrawatch;

import io.entrawatch.config.ElasticsearchOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.PreflightOptions;
import io.entrawatch.config.RunOptions;
import io.entrawatch.config.Secrets;
import io.entrawatch.config.SourceOptions;
import io.entrawatch.exceptions.ExceptionsInput;
import io.entrawatch.ingest.CategorySilenceWatch;
import io.entrawatch.ingest.EventHubsSource;
import io.entrawatch.ingest.ParsedMessage;
import io.entrawatch.ingest.SourceCoverage;
import io.entrawatch.pipeline.DetectionPipeline;
import io.entrawatch.preflight.Preflight;
import io.entrawatch.sink.elasticsearch.ConnectionSettings;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * The streaming job: Entra ID sign-in logs from Azure Event Hubs (Kafka endpoint) in, detections,
 * alerts out to Elasticsearch. Options: {@code --help}; secrets from the environment or files.
 */
public final class EntraWatchJob {
    private static final Logger LOG = LoggerFactory.getLogger(EntraWatchJob.class);

    private EntraWatchJob() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println("entrawatch: streaming detections for Microsoft Entra ID sign-in logs\n"
                    + "secrets: EVENTHUBS_CONNECTION_STRING, ES_PASSWORD or ES_API_KEY (or the *-file options)\n"
                    + "options (--name value, or --config FILE with 'name: value' lines):\n" + JobOptions.help());
            return;
        }
        JobOptions options = JobOptions.parse(args, null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        defineJob(env, options, System.getenv());
        preflight(options, System.getenv());
        env.execute(options.get(RunOptions.JOB_NAME));
    }

    /**
     * The start-up check ({@link Preflight}) unless {@code --preflight.enabled false}: throws a
     * {@link io.entrawatch.preflight.PreflightException} that lists what to fix, so nothing is submitted
     * with settings Event Hubs or Elasticsearch refuse; a host that does not answer, an Event Hub Azure has not
     * created yet and a topic list without the hub of a category a detection reads are only warned about. In
     * {@code main} only: tests and replay share
     * {@link #defineJob} without it.
     */
    public static void preflight(JobOptions options, Map<String, String> environment) {
        if (!options.get(PreflightOptions.ENABLED)) {
            LOG.info("entrawatch start-up check skipped (--{} false)", PreflightOptions.ENABLED.name);
            return;
        }
        long started = System.nanoTime();
        List<String> warnings = Preflight.check(options, environment, SourceCoverage.needs(DetectionPipeline.detections(options)));
        for (String warning : warnings) {
            String line = "entrawatch start-up check: " + warning
                    + (Preflight.isUnreachable(warning) ? " (submitting anyway: the job retries until it answers)" : "");
            LOG.warn(line);
            System.err.println(line);
        }
        if (warnings.isEmpty()) {
            LOG.info("entrawatch start-up check passed in {} ms: Event Hubs and Elasticsearch accept the settings",
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    /**
     * Production wiring: Event Hubs source, the shared pipeline, Elasticsearch and dead-letter sinks.
     * Secrets are read from {@code environment} (or the files the options name).
     */
    public static void defineJob(StreamExecutionEnvironment env, JobOptions options, Map<String, String> environment) {
        String connectionString = Secrets.read(options.get(SourceOptions.CONNECTION_STRING_FILE), Secrets.EVENTHUBS_ENV, environment);
        ConnectionSettings elasticsearch = ElasticsearchOptions.connection(options, environment);
        configure(env, options);
        DataStream<ParsedMessage> messages = env
                .fromSource(EventHubsSource.create(options, connectionString, DetectionPipeline.liveParser(options)),
                        DetectionPipeline.watermarks(options), "Event Hubs")
                .uid("event-hubs-source");
        ExceptionsInput exceptions = ExceptionsInput.fromOptions(env, options, DetectionPipeline.RULES, elasticsearch);
        DetectionPipeline.Outputs outputs = DetectionPipeline.defineWorkflow(messages, exceptions, options);
        outputs.alerts.sinkTo(JobSinks.alerts(options, elasticsearch))
                .uid("alerts-to-elasticsearch").name("Alerts to Elasticsearch");
        JobSinks.attachDeadLetters(outputs.deadLetters, options, connectionString, elasticsearch);
        long silence = options.get(SourceOptions.CATEGORY_SILENCE_WARNING).toMillis();
        if (silence > 0) {
            outputs.categoriesSeen
                    .transform("Category silence watch", Types.VOID, new CategorySilenceWatch(
                            SourceCoverage.needs(DetectionPipeline.detections(options)), options.get(SourceOptions.TOPICS), silence))
                    .setParallelism(1)
                    .uid("category-silence-watch");
        }

        LOG.info("entrawatch starting: topics {} on {}, alerts to {} index {}, options {}",
                options.get(SourceOptions.TOPICS), options.get(SourceOptions.BOOTSTRAP_SERVERS),
                elasticsearch.hosts(), options.get(ElasticsearchOptions.INDEX), options.explicitValues());
    }

    /**
     * Checkpointing (offsets are committed and the sink flushed on each), parallelism, maximum parallelism,
     * object reuse.
     */
    static void configure(StreamExecutionEnvironment env, JobOptions options) {
        long interval = options.get(RunOptions.CHECKPOINT_INTERVAL).toMillis();
        if (interval > 0) env.enableCheckpointing(interval, CheckpointingMode.EXACTLY_ONCE);
        int parallelism = options.get(RunOptions.PARALLELISM);
        if (parallelism > 0) env.setParallelism(parallelism);
        // Set explicitly rather than derived from the parallelism (Flink's default grows with it above 85): the
        // key-group count stays the same whatever parallelism the job is restored at, so its savepoints rescale.
        env.setMaxParallelism(RunOptions.maxParallelism(options, env.getConfig().getMaxParallelism(), env.getParallelism()));
        // Safe: no operator keeps a reference to an input record after handing it on.
        env.getConfig().enableObjectReuse();
    }
}
