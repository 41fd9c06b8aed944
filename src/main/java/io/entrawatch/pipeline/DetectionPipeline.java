package io.entrawatch.pipeline;

import io.entrawatch.config.DeadLetterOptions;
import io.entrawatch.config.DetectionOptions;
import io.entrawatch.config.EventTimeOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.SourceOptions;
import io.entrawatch.detect.Detection;
import io.entrawatch.detect.DetectionFactory;
import io.entrawatch.detect.DetectionTopology;
import io.entrawatch.detect.rareapp.RareAppDetection;
import io.entrawatch.detect.spray.PasswordSprayDetection;
import io.entrawatch.detect.sso.SeamlessSsoSprayDetection;
import io.entrawatch.detect.validcreds.ValidCredentialsDetection;
import io.entrawatch.enrich.AsnOrganizations;
import io.entrawatch.exceptions.ExceptionsInput;
import io.entrawatch.exceptions.RuleList;
import io.entrawatch.ingest.GuardedWatermarks;
import io.entrawatch.ingest.IngestGate;
import io.entrawatch.ingest.ParsedMessage;
import io.entrawatch.ingest.SignInParser;
import io.entrawatch.model.Alert;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.OutputTags;
import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.util.ArrayList;
import java.util.List;

/**
 * The job's topology, defined once and used by production (Event Hubs in, Elasticsearch out), by
 * {@code jobs/replay} (a file in, a file out) and by the tests (collections in, collecting sinks out):
 *
 * <pre>
 *   parsed messages (source, per-partition watermarks)
 *     -> IngestGate: sign-ins; malformed and late records to the dead-letter output
 *     -> exceptions (exceptions/): each sign-in marked with the rules an exception hides it from
 *        (a fixed set in replay; in the live job, polled snapshots through broadcast state)
 *     -> each detection of the {@link #CATALOGUE} adds its own operators ({@link Detection#addTo}):
 *          A (detect/spray):   keyBy (tenant, errorCode, 10-min window) -> SprayWindowCounter -> alerts
 *          B (detect/rareapp): keyBy (tenant, user, appId) -> RareAppEvaluator (hourly, 14-day lookback) -> alerts
 *          C (detect/sso):     keyBy (tenant, 81... resultType, hour) -> SsoStage1Counter -> flags per IP;
 *                              flags and sign-ins keyBy (tenant, IP, hour) -> SsoStage2Joiner -> alerts
 *          D (detect/validcreds): keyBy (tenant, IP, 10-min window) -> SpraySourceCounter -> spray sources;
 *                              sources and valid-credential sign-ins keyBy (tenant, IP) -> ValidCredentialsEvaluator -> alerts
 *     -> the union of the alerts, and of every dead letter (the gate's and the detections' late routes)
 * </pre>
 */
public final class DetectionPipeline {
    private DetectionPipeline() {}

    /** What the pipeline produces; the caller attaches the sinks. */
    public static final class Outputs {
        public final DataStream<Alert> alerts;
        public final DataStream<DeadLetter> deadLetters;
        /** The categories the gate receives, each reported now and then (empty when the silence warning is off). */
        public final DataStream<String> categoriesSeen;

        Outputs(DataStream<Alert> alerts, DataStream<DeadLetter> deadLetters, DataStream<String> categoriesSeen) {
            this.alerts = alerts;
            this.deadLetters = deadLetters;
            this.categoriesSeen = categoriesSeen;
        }
    }

    public static SignInParser parser(JobOptions options) {
        return new SignInParser(AsnOrganizations.load(options.get(DetectionOptions.ASN_ORGANIZATIONS_FILE)),
                SignInParser.DEFAULT_MAX_MESSAGE_BYTES, (int) options.get(DeadLetterOptions.MAX_PAYLOAD_BYTES).getBytes());
    }

    /** The live job's parser: also dead-letters sign-ins far ahead of the wall clock (docs/event-time.md). */
    public static SignInParser liveParser(JobOptions options) {
        return parser(options).withMaxAheadOfClock(options.get(EventTimeOptions.MAX_AHEAD_OF_CLOCK).toMillis());
    }

    /**
     * Watermarks at the source: bounded out-of-orderness on each message's newest sign-in, with idleness
     * so a quiet partition does not stall the job. A sign-in far ahead of its partition does not move
     * the watermark until confirmed ({@link io.entrawatch.ingest.EventTimeGuard}, as in the gate).
     */
    public static WatermarkStrategy<ParsedMessage> watermarks(JobOptions options) {
        long outOfOrderness = options.get(EventTimeOptions.MAX_OUT_OF_ORDERNESS).toMillis();
        long maxAhead = options.get(EventTimeOptions.MAX_AHEAD).toMillis();
        return WatermarkStrategy.<ParsedMessage>forGenerator(ctx -> new GuardedWatermarks(outOfOrderness, maxAhead))
                .withTimestampAssigner((m, previous) -> m.maxTimestamp)
                .withIdleness(options.get(EventTimeOptions.IDLENESS));
    }

    /**
     * Every detection the job has, in alert-stream order. Adding a detection is one package and one
     * line here; the pipeline never asks which detection it holds.
     */
    public static final List<DetectionFactory<?>> CATALOGUE = List.of(
            PasswordSprayDetection.FACTORY,
            RareAppDetection.FACTORY,
            SeamlessSsoSprayDetection.FACTORY,
            ValidCredentialsDetection.FACTORY);

    /** The rules exceptions can name: every rule of the catalogue, switched on or not, in catalogue order. */
    public static final RuleList RULES = new RuleList(
            CATALOGUE.stream().map(f -> f.rule().id).toList(),
            CATALOGUE.stream().map(f -> f.rule().shortName).toList());

    /** The detections switched on by the options. */
    public static List<Detection> detections(JobOptions options) {
        List<Detection> list = new ArrayList<>();
        for (DetectionFactory<?> factory : CATALOGUE) factory.fromOptions(options).ifPresent(list::add);
        return list;
    }

    /** The pipeline without exceptions. */
    public static Outputs defineWorkflow(DataStream<ParsedMessage> messages, JobOptions options) {
        return defineWorkflow(messages, ExceptionsInput.none(), options);
    }

    public static Outputs defineWorkflow(DataStream<ParsedMessage> messages, ExceptionsInput exceptions, JobOptions options) {
        List<Detection> detections = detections(options);
        SingleOutputStreamOperator<SignIn> signIns = messages
                .process(new IngestGate(detections, options.get(EventTimeOptions.MAX_OUT_OF_ORDERNESS).toMillis(),
                        (int) options.get(DeadLetterOptions.MAX_PAYLOAD_BYTES).getBytes(), options.get(EventTimeOptions.MAX_AHEAD).toMillis(),
                        categoryReportMillis(options)))
                .setParallelism(messages.getParallelism()) // chained to the source: sees each partition in order
                .uid("ingest-gate").name("Ingest: sign-ins, dead letters, lateness");
        DataStream<DeadLetter> deadLetters = signIns.getSideOutput(OutputTags.DEAD_LETTERS);
        DetectionTopology topology = new DetectionTopology(exceptions.applyTo(signIns, RULES), RULES.ids());
        List<DataStream<Alert>> alerts = new ArrayList<>();
        for (Detection d : detections) alerts.add(d.addTo(topology));
        for (DataStream<DeadLetter> late : topology.deadLetters()) deadLetters = deadLetters.union(late);
        DataStream<Alert> all = alerts.isEmpty() ? null : alerts.get(0);
        for (int i = 1; i < alerts.size(); i++) all = all.union(alerts.get(i));
        if (all == null) throw new IllegalArgumentException("every detection is switched off; enable at least one");
        return new Outputs(all, deadLetters, signIns.getSideOutput(OutputTags.CATEGORIES_SEEN));
    }

    /**
     * How often the gate reports each category it receives: a tenth of --source.category-silence-warning, at
     * most every 10 s; 0 (no reports) when the warning is off.
     */
    static long categoryReportMillis(JobOptions options) {
        long silence = options.get(SourceOptions.CATEGORY_SILENCE_WARNING).toMillis();
        return silence <= 0 ? 0 : Math.max(1, Math.min(10_000, silence / 10));
    }
}
