package io.entrawatch.pipeline;

import io.entrawatch.config.JobOptions;
import io.entrawatch.detect.Detection;
import io.entrawatch.detect.SignInFilters;
import io.entrawatch.detect.rareapp.RareAppDetection;
import io.entrawatch.detect.rareapp.RareAppEvaluator;
import io.entrawatch.detect.rareapp.RareAppKey;
import io.entrawatch.detect.spray.PasswordSprayDetection;
import io.entrawatch.detect.spray.SprayKey;
import io.entrawatch.detect.spray.SprayWindowCounter;
import io.entrawatch.enrich.AsnOrganizations;
import io.entrawatch.ingest.IngestGate;
import io.entrawatch.ingest.ParsedMessage;
import io.entrawatch.ingest.SignInParser;
import io.entrawatch.model.Alert;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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
 *     -> detection A: keyBy (tenant, errorCode, 10-min window) -> SprayWindowCounter -> alerts
 *     -> detection B: keyBy (tenant, user, appId) -> RareAppEvaluator (hourly, 14-day lookback) -> alerts
 * </pre>
 */
public final class DetectionPipeline {
    private DetectionPipeline() {}

    /** What the pipeline produces; the caller attaches the sinks. */
    public static final class Outputs {
        public final DataStream<Alert> alerts;
        public final DataStream<DeadLetter> deadLetters;

        Outputs(DataStream<Alert> alerts, DataStream<DeadLetter> deadLetters) {
            this.alerts = alerts;
            this.deadLetters = deadLetters;
        }
    }

    public static SignInParser parser(JobOptions options) {
        return new SignInParser(AsnOrganizations.load(options.get(JobOptions.ASN_FILE)),
                SignInParser.DEFAULT_MAX_MESSAGE_BYTES, options.get(JobOptions.DLQ_MAX_PAYLOAD).intValue());
    }

    /**
     * Watermarks at the source: bounded out-of-orderness on each message's newest sign-in, with idleness
     * so a quiet partition does not stall the job.
     */
    public static WatermarkStrategy<ParsedMessage> watermarks(JobOptions options) {
        return WatermarkStrategy.<ParsedMessage>forBoundedOutOfOrderness(options.get(JobOptions.OUT_OF_ORDERNESS))
                .withTimestampAssigner((m, previous) -> m.maxTimestamp)
                .withIdleness(options.get(JobOptions.IDLENESS));
    }

    public static SignInFilters filters(JobOptions options) {
        return new SignInFilters(options.get(JobOptions.FAILURE_CODES), options.get(JobOptions.EXCLUDED_AS_ORGS));
    }

    public static PasswordSprayDetection spray(JobOptions options) {
        return new PasswordSprayDetection(filters(options), options.get(JobOptions.SPRAY_WINDOW),
                options.get(JobOptions.SPRAY_THRESHOLD));
    }

    public static RareAppDetection rareApp(JobOptions options) {
        return new RareAppDetection(filters(options), options.get(JobOptions.RARE_APP_LOOKBACK),
                options.get(JobOptions.RARE_APP_INTERVAL), options.get(JobOptions.RARE_APP_THRESHOLD),
                options.get(JobOptions.RARE_APP_SUPPRESSION), options.get(JobOptions.RARE_APP_ALERT_FROM));
    }

    /** The detections switched on by the options. */
    public static List<Detection> detections(JobOptions options) {
        List<Detection> list = new ArrayList<>();
        if (options.get(JobOptions.SPRAY_ENABLED)) list.add(spray(options));
        if (options.get(JobOptions.RARE_APP_ENABLED)) list.add(rareApp(options));
        return list;
    }

    public static Outputs defineWorkflow(DataStream<ParsedMessage> messages, JobOptions options) {
        List<Detection> detections = detections(options);
        SingleOutputStreamOperator<SignIn> signIns = messages
                .process(new IngestGate(detections, options.get(JobOptions.OUT_OF_ORDERNESS).toMillis(),
                        options.get(JobOptions.DLQ_MAX_PAYLOAD).intValue()))
                .setParallelism(messages.getParallelism()) // chained to the source: sees each partition in order
                .uid("ingest-gate").name("Ingest: sign-ins, dead letters, lateness");
        DataStream<DeadLetter> deadLetters = signIns.getSideOutput(OutputTags.DEAD_LETTERS);
        List<DataStream<Alert>> alerts = new ArrayList<>();

        for (Detection d : detections) {
            if (d instanceof PasswordSprayDetection) {
                PasswordSprayDetection spray = (PasswordSprayDetection) d;
                SingleOutputStreamOperator<Alert> sprayAlerts = signIns
                        .filter(spray::countsOnTime).name("Detection A filter")
                        .keyBy(spray::keyOf, TypeInformation.of(SprayKey.class))
                        .process(new SprayWindowCounter(spray))
                        .uid("password-spray").name("Detection A: password spray");
                alerts.add(sprayAlerts);
                deadLetters = deadLetters.union(sprayAlerts.getSideOutput(OutputTags.DEAD_LETTERS));
            }
        }
        for (Detection d : detections) {
            if (d instanceof RareAppDetection) {
                RareAppDetection rareApp = (RareAppDetection) d;
                SingleOutputStreamOperator<Alert> rareAppAlerts = signIns
                        // a lambda, not rareApp::countsOnTime: two serialized references to the same default method
                        // (Detection.countsOnTime) would deserialize with the first one's captured type
                        .filter(s -> rareApp.countsOnTime(s)).name("Detection B filter")
                        .keyBy(rareApp::keyOf, TypeInformation.of(RareAppKey.class))
                        .process(new RareAppEvaluator(rareApp))
                        .uid("rare-app").name("Detection B: unusual client app");
                alerts.add(rareAppAlerts);
                deadLetters = deadLetters.union(rareAppAlerts.getSideOutput(OutputTags.DEAD_LETTERS));
            }
        }
        DataStream<Alert> all = alerts.isEmpty() ? null : alerts.get(0);
        for (int i = 1; i < alerts.size(); i++) all = all.union(alerts.get(i));
        if (all == null) throw new IllegalArgumentException("every detection is switched off; enable at least one");
        return new Outputs(all, deadLetters);
    }
}
