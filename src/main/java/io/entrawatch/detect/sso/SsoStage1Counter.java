package io.entrawatch.detect.sso;

import io.entrawatch.model.SignIn;
import io.entrawatch.pipeline.CountedMetric;
import io.entrawatch.pipeline.OutputTags;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Stage 1 of detection C: per (tenant, 81... resultType, hour) the distinct accounts (exact) and the
 * 100 lexicographically smallest distinct addresses. When the watermark passes the hour's end and the
 * accounts are more than the threshold, it emits one {@link SsoFlag} per kept address; the flags reach
 * stage 2 before the watermark that fires stage 2's hour (Flink forwards a timer's output before the
 * watermark that fired it), so stage 2 sees every flag of its hour.
 *
 * <p>State per key: the distinct UPNs (exact count needs them; they are the failing accounts of one
 * error code in one hour), a counter, and at most 100 addresses. The hour's timer clears all of it,
 * flagged or not.
 */
public class SsoStage1Counter extends KeyedProcessFunction<SsoHourKey, SignIn, SsoFlag> {
    private static final long serialVersionUID = 1L;

    private final SeamlessSsoSprayDetection detection;
    private transient MapState<String, Boolean> accounts;
    private transient ValueState<Integer> accountCount;
    private transient ValueState<String[]> addresses;
    private transient CountedMetric flags;
    private transient CountedMetric lateAtOperator;

    public SsoStage1Counter(SeamlessSsoSprayDetection detection) {
        this.detection = detection;
    }

    @Override
    public void open(OpenContext ctx) {
        accounts = getRuntimeContext().getMapState(new MapStateDescriptor<>("accounts", Types.STRING, Types.BOOLEAN));
        accountCount = getRuntimeContext().getState(new ValueStateDescriptor<>("accountCount", Types.INT));
        addresses = getRuntimeContext().getState(new ValueStateDescriptor<>("addresses", BasicArrayTypeInfo.STRING_ARRAY_TYPE_INFO));
        var group = getRuntimeContext().getMetricGroup().addGroup("entrawatch").addGroup("rule", detection.metadata().shortName);
        flags = CountedMetric.register(getRuntimeContext(), group, "stage1Flags");
        lateAtOperator = CountedMetric.register(getRuntimeContext(), group, "lateAtOperator");
    }

    @Override
    public void processElement(SignIn s, Context ctx, Collector<SsoFlag> out) throws Exception {
        long hourEnd = ctx.getCurrentKey().hourStart + detection.windowMillis();
        if (ctx.timerService().currentWatermark() >= hourEnd - 1) {
            // The ingest gate admits only on-time sign-ins; this catches an idle partition resuming behind
            // the others after the hour fired here.
            lateAtOperator.inc();
            ctx.output(OutputTags.DEAD_LETTERS, detection.lateAtOperator(s, hourEnd, "stage 1 operator"));
            return;
        }
        if (s.userPrincipalName != null && !accounts.contains(s.userPrincipalName)) {
            accounts.put(s.userPrincipalName, Boolean.TRUE);
            Integer n = accountCount.value();
            accountCount.update(n == null ? 1 : n + 1);
        }
        if (s.ipAddress != null) {
            String[] kept = addresses.value();
            String[] next = SmallestValues.add(kept, s.ipAddress, SeamlessSsoSprayDetection.EVIDENCE_LIMIT);
            if (next != kept) addresses.update(next);
        }
        ctx.timerService().registerEventTimeTimer(hourEnd - 1);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SsoFlag> out) throws Exception {
        SsoHourKey key = ctx.getCurrentKey();
        Integer n = accountCount.value();
        String[] ips = addresses.value();
        if (n != null && n > detection.accountThreshold() && ips != null) {
            for (String ip : ips) {
                out.collect(new SsoFlag(key.tenantId, ip, key.hourStart, key.resultType, n));
                flags.inc();
            }
        }
        accounts.clear();
        accountCount.clear();
        addresses.clear();
    }
}
