package io.entrawatch.detect.validcreds;

import io.entrawatch.detect.AlertDocuments;
import io.entrawatch.detect.DistinctValues;
import io.entrawatch.detect.KeyedWindows;
import io.entrawatch.metrics.CountedMetric;
import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.List;

/**
 * Stage 1 of detection D: per (tenant, IP, window) the exact distinct users that failed with a
 * guess-failure code and the exact distinct users with a valid-credential sign-in. When the watermark
 * passes the window's end and the address is a spray source (failed users at least the threshold AND
 * more than the valid users), it emits one {@link SpraySource}; the source reaches stage 2 before the
 * watermark that fires stage 2's evaluation of the same window (Flink forwards a timer's output before
 * the watermark that fired it), so a hit in the spray's own window is seen.
 *
 * <p>State per key: the two user sets with their counts; the window's timer clears all of it, spray
 * source or not. A UPN is a set member once, so a re-delivered record changes no count.
 */
public class SpraySourceCounter extends KeyedProcessFunction<SprayWindowKey, SignIn, SpraySource> {
    private static final long serialVersionUID = 1L;

    private final ValidCredentialsDetection detection;
    private final KeyedWindows windows;
    private transient DistinctValues failed;
    private transient DistinctValues valid;
    private transient CountedMetric sources;

    public SpraySourceCounter(ValidCredentialsDetection detection) {
        this.detection = detection;
        this.windows = new KeyedWindows(detection, "stage 1 operator");
    }

    @Override
    public void open(OpenContext ctx) {
        failed = DistinctValues.declare(getRuntimeContext(), "failed-users", "failed-user-count");
        valid = DistinctValues.declare(getRuntimeContext(), "valid-users", "valid-user-count");
        windows.open(getRuntimeContext());
        sources = windows.counter("spraySources");
    }

    @Override
    public void processElement(SignIn s, Context ctx, Collector<SpraySource> out) throws Exception {
        long windowEnd = ctx.getCurrentKey().windowStart + detection.windowMillis();
        if (windows.routeIfLate(s, windowEnd, ctx.timerService(), ctx::output)) return;
        if (detection.isGuessFailure(s)) failed.add(s.userPrincipalName);
        if (detection.isValidCredential(s)) valid.add(s.userPrincipalName);
        KeyedWindows.fireAtEnd(ctx.timerService(), windowEnd);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SpraySource> out) throws Exception {
        SprayWindowKey key = ctx.getCurrentKey();
        int f = failed.count();
        int v = valid.count();
        if (f >= detection.failedUserThreshold() && f > v) {
            List<String> names = AlertDocuments.smallest(failed.values(), ValidCredentialsDetection.EVIDENCE_LIMIT);
            out.collect(new SpraySource(key.tenantId, key.ipAddress, key.windowStart, f, v, names.toArray(new String[0])));
            sources.inc();
        }
        failed.clear();
        valid.clear();
    }
}
