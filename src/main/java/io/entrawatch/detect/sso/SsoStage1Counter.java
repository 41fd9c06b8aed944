package io.entrawatch.detect.sso;

import io.entrawatch.detect.DistinctValues;
import io.entrawatch.detect.KeyedWindows;
import io.entrawatch.detect.SmallestValues;
import io.entrawatch.metrics.CountedMetric;
import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicArrayTypeInfo;
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
    private final KeyedWindows windows;
    private transient DistinctValues accounts;
    private transient ValueState<String[]> addresses;
    private transient CountedMetric flags;

    public SsoStage1Counter(SeamlessSsoSprayDetection detection) {
        this.detection = detection;
        this.windows = new KeyedWindows(detection, "stage 1 operator");
    }

    @Override
    public void open(OpenContext ctx) {
        accounts = DistinctValues.declare(getRuntimeContext(), "accounts", "accountCount");
        addresses = getRuntimeContext().getState(new ValueStateDescriptor<>("addresses", BasicArrayTypeInfo.STRING_ARRAY_TYPE_INFO));
        windows.open(getRuntimeContext());
        flags = windows.counter("stage1Flags");
    }

    @Override
    public void processElement(SignIn s, Context ctx, Collector<SsoFlag> out) throws Exception {
        long hourEnd = ctx.getCurrentKey().hourStart + detection.windowMillis();
        if (windows.routeIfLate(s, hourEnd, ctx.timerService(), ctx::output)) return;
        accounts.add(s.userPrincipalName);
        if (s.ipAddress != null) {
            String[] kept = addresses.value();
            String[] next = SmallestValues.add(kept, s.ipAddress, SeamlessSsoSprayDetection.EVIDENCE_LIMIT);
            if (next != kept) addresses.update(next);
        }
        KeyedWindows.fireAtEnd(ctx.timerService(), hourEnd);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SsoFlag> out) throws Exception {
        SsoHourKey key = ctx.getCurrentKey();
        int n = accounts.count();
        String[] ips = addresses.value();
        if (n > detection.accountThreshold() && ips != null) {
            for (String ip : ips) {
                out.collect(new SsoFlag(key.tenantId, ip, key.hourStart, key.resultType, n));
                flags.inc();
            }
        }
        accounts.clear();
        addresses.clear();
    }
}
