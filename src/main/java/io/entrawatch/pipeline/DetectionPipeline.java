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
import io.entrawatch.detect.sso.SeamlessSsoSprayDetection;
import io.entrawatch.detect.sso.SsoFlag;
import io.entrawatch.detect.sso.SsoHourKey;
import io.entrawatch.detect.sso.SsoIpKey;
import io.entrawatch.detect.sso.SsoStage1Counter;
import io.entrawatch.detect.sso.SsoStage2Joiner;
import io.entrawatch.enrich.AsnOrganizations;
import io.entrawatch.ingest.GuardedWatermarks;
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
import org.apache.flink.util.Collector;

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
 *     -> detection C: keyBy (tenant, 81... resultType, hour) -> SsoStage1Counter -> flags per IP;
 *                     flags and sign-ins keyBy (tenant, IP, hour) -> SsoStage2Joiner -> alerts
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

    /** The live job's parser: also dead-letters sign-ins far ahead of the wall clock (README "Event time"). */
    public static SignInParser liveParser(JobOptions options) {
        return parser(options).withMaxAheadOfClock(options.get(JobOptions.MAX_AHEAD_OF_CLOCK).toMillis());
    }

    /**
     * Watermarks at the source: bounded out-of-orderness on each message's newest sign-in, with idleness
     * so a quiet partition does not stall the job. A sign-in far ahead of its partition does not move
     * the watermark until confirmed ({@link io.entrawatch.ingest.EventTimeGuard}, as in the gate).
     */
    public static WatermarkStrategy<ParsedMessage> watermarks(JobOptions options) {
        long outOfOrderness = options.get(JobOptions.OUT_OF_ORDERNESS).toMillis();
        long maxAhead = options.get(JobOptions.MAX_AHEAD).toMillis();
        return WatermarkStrategy.<ParsedMessage>forGenerator(ctx -> new GuardedWatermarks(outOfOrderness, maxAhead))
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

    public static SeamlessSsoSprayDetection ssoSpray(JobOptions options) {
        return new SeamlessSsoSprayDetection(options.get(JobOptions.SSO_SPRAY_WINDOW),
                options.get(JobOptions.SSO_SPRAY_ACCOUNT_THRESHOLD), options.get(JobOptions.SSO_SPRAY_RESULT_TYPE_PREFIX));
    }

    /** The detections switched on by the options. */
    public static List<Detection> detections(JobOptions options) {
        List<Detection> list = new ArrayList<>();
        if (options.get(JobOptions.SPRAY_ENABLED)) list.add(spray(options));
        if (options.get(JobOptions.RARE_APP_ENABLED)) list.add(rareApp(options));
        if (options.get(JobOptions.SSO_SPRAY_ENABLED)) list.add(ssoSpray(options));
        return list;
    }

    public static Outputs defineWorkflow(DataStream<ParsedMessage> messages, JobOptions options) {
        List<Detection> detections = detections(options);
        SingleOutputStreamOperator<SignIn> signIns = messages
                .process(new IngestGate(detections, options.get(JobOptions.OUT_OF_ORDERNESS).toMillis(),
                        options.get(JobOptions.DLQ_MAX_PAYLOAD).intValue(), options.get(JobOptions.MAX_AHEAD).toMillis()))
                .setParallelism(messages.getParallelism()) // chained to the source: sees each partition in order
                .uid("ingest-gate").name("Ingest: sign-ins, dead letters, lateness");
        DataStream<DeadLetter> deadLetters = signIns.getSideOutput(OutputTags.DEAD_LETTERS);
        List<DataStream<Alert>> alerts = new ArrayList<>();
        // The filters run at the gate's parallelism, so they chain to it and only the sign-ins a detection
        // keeps are serialized, once, into its keyBy. At the job's parallelism instead (replay reads one
        // partition at p=1 and runs the job at p=2) every sign-in was serialized once per detection into a
        // rebalance to the filters and again into the keyBy: that made replay slower at p=2 than at p=1.
        int gate = signIns.getParallelism();

        for (Detection d : detections) {
            // The on-time filters are lambdas, not d::countsOnTime: bound references to the same interface
            // method from one class share a deserializer that casts to the first receiver's type.
            if (d instanceof PasswordSprayDetection) {
                PasswordSprayDetection spray = (PasswordSprayDetection) d;
                SingleOutputStreamOperator<Alert> sprayAlerts = signIns
                        .filter(s -> spray.countsOnTime(s)).setParallelism(gate).name("Detection A filter")
                        .keyBy(spray::keyOf, TypeInformation.of(SprayKey.class))
                        .process(new SprayWindowCounter(spray))
                        .uid("password-spray").name("Detection A: password spray");
                alerts.add(sprayAlerts);
                deadLetters = deadLetters.union(sprayAlerts.getSideOutput(OutputTags.DEAD_LETTERS));
            }
            if (d instanceof RareAppDetection) {
                RareAppDetection rareApp = (RareAppDetection) d;
                SingleOutputStreamOperator<Alert> rareAppAlerts = signIns
                        .filter(s -> rareApp.countsOnTime(s)).setParallelism(gate).name("Detection B filter")
                        .keyBy(rareApp::keyOf, TypeInformation.of(RareAppKey.class))
                        .process(new RareAppEvaluator(rareApp))
                        .uid("rare-app").name("Detection B: unusual client app");
                alerts.add(rareAppAlerts);
                deadLetters = deadLetters.union(rareAppAlerts.getSideOutput(OutputTags.DEAD_LETTERS));
            }
            if (d instanceof SeamlessSsoSprayDetection) {
                SeamlessSsoSprayDetection sso = (SeamlessSsoSprayDetection) d;
                DataStream<SignIn> onTime = signIns.filter(s -> sso.countsOnTime(s)).setParallelism(gate).name("Detection C filter");
                SingleOutputStreamOperator<SsoFlag> flags = onTime
                        .filter(sso::keepsForStage1).setParallelism(gate).name("Detection C stage 1 filter")
                        .keyBy(sso::stage1KeyOf, TypeInformation.of(SsoHourKey.class))
                        .process(new SsoStage1Counter(sso))
                        .uid("sso-spray-stage1").name("Detection C stage 1: 81xxx accounts per hour");
                SingleOutputStreamOperator<Alert> ssoAlerts = flags
                        .keyBy(SsoFlag::key, TypeInformation.of(SsoIpKey.class))
                        .connect(onTime.flatMap((SignIn s, Collector<SignIn> kept) -> {
                                    if (sso.keepsForStage2(s)) kept.collect(sso.forStage2(s));
                                }, TypeInformation.of(SignIn.class)).setParallelism(gate).name("Detection C stage 2 filter, projected")
                                .keyBy(sso::stage2KeyOf, TypeInformation.of(SsoIpKey.class)))
                        .process(new SsoStage2Joiner(sso))
                        .uid("sso-spray-stage2").name("Detection C stage 2: flagged IPs joined with their sign-ins");
                alerts.add(ssoAlerts);
                deadLetters = deadLetters.union(flags.getSideOutput(OutputTags.DEAD_LETTERS))
                        .union(ssoAlerts.getSideOutput(OutputTags.DEAD_LETTERS));
            }
        }
        DataStream<Alert> all = alerts.isEmpty() ? null : alerts.get(0);
        for (int i = 1; i < alerts.size(); i++) all = all.union(alerts.get(i));
        if (all == null) throw new IllegalArgumentException("every detection is switched off; enable at least one");
        return new Outputs(all, deadLetters);
    }
}
