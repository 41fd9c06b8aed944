package io.entrawatch.detect.rareapp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.detect.AlertDocuments;
import io.entrawatch.detect.KeyedWindows;
import io.entrawatch.detect.RecordIdentity;
import io.entrawatch.metrics.CountedMetric;
import io.entrawatch.model.Alert;
import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.Arrays;

/**
 * Detection B's evaluator, keyed by (tenant, user, appId). Kept sign-ins go into the open interval
 * ({@link OpenHour}) of their aligned evaluation interval, de-duplicated by (properties.id, category);
 * an event-time timer at each open interval's end T evaluates the pair: the count over [T - L, T) is the
 * evaluated intervals inside the lookback ({@link PairHistory}) plus this one. Intervals at or after T
 * stay open and are not counted for T. A sign-in whose interval was already evaluated is late.
 *
 * <p>State per pair: the open intervals (normally one), at most threshold + 1 evaluated interval counts,
 * the last alert. Timers: one per open interval plus one cleanup timer at the end of the newest
 * interval + L, which removes everything: a pair silent for the lookback costs nothing.
 */
public class RareAppEvaluator extends KeyedProcessFunction<RareAppKey, SignIn, Alert> {
    private static final long serialVersionUID = 1L;

    private final RareAppDetection detection;
    private final KeyedWindows windows;
    private transient MapState<Long, OpenHour> open;
    transient ValueState<PairHistory> history; // package-private: tests read it
    private transient CountedMetric alerts, suppressed, warmUp;

    public RareAppEvaluator(RareAppDetection detection) {
        this.detection = detection;
        this.windows = new KeyedWindows(detection, "evaluation operator");
    }

    @Override
    public void open(OpenContext ctx) {
        open = getRuntimeContext().getMapState(new MapStateDescriptor<>("open-intervals", Types.LONG,
                TypeInformation.of(OpenHour.class)));
        history = getRuntimeContext().getState(new ValueStateDescriptor<>("history", TypeInformation.of(PairHistory.class)));
        windows.open(getRuntimeContext());
        alerts = windows.counter("alerts");
        suppressed = windows.counter("suppressed");
        warmUp = windows.counter("warmUpSilenced");
    }

    @Override
    public void processElement(SignIn s, Context ctx, Collector<Alert> out) throws Exception {
        long e = detection.intervalMillis();
        long end = detection.windowEnd(s.timestamp);
        if (windows.routeIfLate(s, end, ctx.timerService(), ctx::output)) return;
        long start = end - e;
        OpenHour h = open.get(start);
        PairHistory hist = history.value();
        if (hist == null) hist = new PairHistory();
        if (start > hist.newestStart) {
            // Move the cleanup timer. Cleanup timers are aligned to interval ends, evaluation timers to
            // ends - 1 ms, so deleting one never deletes the other.
            if (hist.newestStart != Long.MIN_VALUE) ctx.timerService().deleteEventTimeTimer(cleanupTime(hist.newestStart));
            hist.newestStart = start;
            ctx.timerService().registerEventTimeTimer(cleanupTime(start));
            history.update(hist);
        }
        if (h == null) {
            h = new OpenHour();
            KeyedWindows.fireAtEnd(ctx.timerService(), end);
        }
        int cap = detection.threshold() + 1;
        if (h.count < cap) {
            if (s.id != null) {
                long id = identity(s.id, s.category);
                for (long x : h.ids) if (x == id) return; // a re-delivery: counted already
                h.ids = Arrays.copyOf(h.ids, h.ids.length + 1);
                h.ids[h.ids.length - 1] = id;
            }
            h.count++;
            if (h.count >= cap) h.ids = null; // saturated: more than the threshold whatever else arrives
        }
        if (s.timestamp > h.latestTimestamp || s.timestamp == h.latestTimestamp && larger(s.appDisplayName, h.appDisplayName)) {
            h.latestTimestamp = s.timestamp;
            h.appDisplayName = s.appDisplayName;
        }
        open.put(start, h);
    }

    private long cleanupTime(long newestStart) {
        return newestStart + detection.intervalMillis() + detection.lookbackMillis();
    }

    private static boolean larger(String a, String b) {
        if (a == null) return false;
        return b == null || a.compareTo(b) > 0;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        long e = detection.intervalMillis();
        PairHistory hist = history.value();
        if (Math.floorMod(timestamp + 1, e) == 0) {
            long t = timestamp + 1;
            OpenHour h = open.get(t - e);
            if (h == null || hist == null) return;
            open.remove(t - e);
            evaluate(ctx.getCurrentKey(), t, h, hist, out);
            history.update(hist);
        } else if (hist != null && timestamp == cleanupTime(hist.newestStart)) {
            // Silent for the lookback: no later evaluation can see any of this pair's intervals, and any
            // suppression has ended (S <= L). Forget the pair.
            history.clear();
            open.clear();
        }
    }

    /** The evaluation at the end {@code t} of the interval {@code h}; updates {@code hist}. */
    void evaluate(RareAppKey key, long t, OpenHour h, PairHistory hist, Collector<Alert> out) {
        long e = detection.intervalMillis();
        long l = detection.lookbackMillis();
        int cap = detection.threshold() + 1;
        // append this interval (evaluations run in time order, so starts stay ascending), drop what is
        // outside [t - L, t)
        int from = 0;
        while (from < hist.starts.length && hist.starts[from] < t - l) from++;
        int n = hist.starts.length - from;
        long[] starts = new long[n + 1];
        int[] counts = new int[n + 1];
        System.arraycopy(hist.starts, from, starts, 0, n);
        System.arraycopy(hist.counts, from, counts, 0, n);
        starts[n] = t - e;
        counts[n] = Math.min(h.count, cap);
        long failed = 0;
        for (int c : counts) failed += c;
        // drop intervals older than newer ones that already exceed the threshold: every later window
        // containing them contains the newer ones too
        int keepFrom = starts.length;
        int cumulative = 0;
        while (keepFrom > 0 && cumulative < cap) cumulative += counts[--keepFrom];
        hist.starts = Arrays.copyOfRange(starts, keepFrom, starts.length);
        hist.counts = Arrays.copyOfRange(counts, keepFrom, counts.length);

        if (failed > detection.threshold()) return;
        if (t < detection.alertFromMillis()) {
            warmUp.inc(); // learning only: no alert, so no suppression either
            return;
        }
        long s = detection.suppressionMillis();
        if (s > 0 && hist.lastAlert != Long.MIN_VALUE && t < hist.lastAlert + s) {
            suppressed.inc(); // does not extend the suppression
            return;
        }
        hist.lastAlert = t;
        out.collect(alert(key, t, failed, h.appDisplayName));
        alerts.inc();
    }

    Alert alert(RareAppKey key, long t, long failed, String appDisplayName) {
        long start = t - detection.lookbackMillis();
        var rule = detection.metadata();
        String app = key.appId == null ? "an unknown app (no appId)" : (appDisplayName == null ? "" : appDisplayName + " ") + "(" + key.appId + ")";
        ObjectNode doc = AlertDocuments.base(rule, key.tenantId, start, t,
                "Unusual client app: " + key.userPrincipalName + " of tenant " + key.tenantId + " failed " + failed
                        + " time(s) on " + app + " in the " + (detection.lookbackMillis() / 3_600_000L) + " h before "
                        + AlertDocuments.iso(t));
        ObjectNode p = AlertDocuments.path(doc, "azure.signinlogs.properties");
        p.put("user_principal_name", key.userPrincipalName);
        p.put("app_id", key.appId);
        p.put("app_display_name", appDisplayName);
        ((ObjectNode) doc.get("detection")).put("failed_count", failed);
        doc.putObject("user").putArray("name").add(key.userPrincipalName);
        String id = AlertDocuments.documentId(rule.id, key.tenantId, key.userPrincipalName, key.appId, t);
        return new Alert(id, rule.id, t, AlertDocuments.toJson(doc));
    }

    /** The identity of a record for de-duplication ({@link RecordIdentity}). */
    static long identity(String id, String category) {
        return RecordIdentity.of(id, category);
    }
}
