package io.entrawatch.detect.validcreds;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.detect.AlertDocuments;
import io.entrawatch.detect.KeyedWindows;
import io.entrawatch.metrics.CountedMetric;
import io.entrawatch.model.Alert;
import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Stage 2 of detection D, keyed by (tenant, IP). Input 1: stage 1's {@link SpraySource}s of the address;
 * input 2: its valid-credential sign-ins. A sign-in goes into the aggregate of its (user, window v)
 * ({@link UserWindowHits}); at the end of v (event-time timer) each user of v is evaluated: its sign-ins
 * are hits when a spray-source window w of the address covers them, {@code w.start <= t < w.end + reach}.
 * Windows are aligned and the reach is a multiple of the window, so either every sign-in of v is covered
 * (the latest spray window with {@code w.start <= v.start} has {@code w.end + reach >= v.end}) or none is.
 * A covered (user, v) alerts at {@code v.end} unless the user's last alert from this address at T has
 * {@code v.end < T + suppression}; a suppressed evaluation does not move T.
 *
 * <p>Why every spray source of v is here when v is evaluated: stage 1 emits v's source from its own
 * end-of-window timer, before the watermark that fired it, and this operator's watermark is the minimum
 * over all its input channels, so it reaches v's end only after every stage-1 subtask sent v's sources.
 *
 * <p>State per address, and how long it lives:
 * <ul>
 *   <li>{@code open-hits}: one aggregate per (user, open window) with a valid-credential sign-in; removed
 *       when the window is evaluated. An address that never sprayed keeps nothing else, and nothing
 *       once its windows have fired.</li>
 *   <li>{@code spray-windows}: the spray-source windows whose reach is open: w is removed at
 *       {@code w.end + reach}, after the last evaluation it can cover. So an address's windows are gone
 *       24 h (the reach) after its last spray-source window.</li>
 *   <li>{@code last-alerts}: per alerted user the last alert time T, removed at {@code T + suppression}
 *       (never stored when suppression is off). Kept past the reach when the suppression ends later, so
 *       a new spray within the suppression period is still suppressed.</li>
 * </ul>
 * Timers: one per open window end, one per spray window expiry, one per suppression expiry.
 */
public class ValidCredentialsEvaluator extends KeyedCoProcessFunction<AddressKey, SpraySource, SignIn, Alert> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ValidCredentialsEvaluator.class);

    private final ValidCredentialsDetection detection;
    private final KeyedWindows windows;
    /** Spray-source window start -> the source. */
    private transient MapState<Long, SpraySource> sprayWindows;
    /** {@link #openKey} of (window start, user) -> the user's valid-credential sign-ins in the window. */
    private transient MapState<String, UserWindowHits> openHits;
    /** User -> end of the window of the user's last alert from this address. */
    private transient MapState<String, Long> lastAlerts;
    private transient CountedMetric alerts, suppressed, lateSources;

    public ValidCredentialsEvaluator(ValidCredentialsDetection detection) {
        this.detection = detection;
        this.windows = new KeyedWindows(detection, "stage 2 operator");
    }

    @Override
    public void open(OpenContext ctx) {
        sprayWindows = getRuntimeContext().getMapState(new MapStateDescriptor<>("spray-windows", Types.LONG,
                TypeInformation.of(SpraySource.class)));
        openHits = getRuntimeContext().getMapState(new MapStateDescriptor<>("open-hits", Types.STRING,
                TypeInformation.of(UserWindowHits.class)));
        lastAlerts = getRuntimeContext().getMapState(new MapStateDescriptor<>("last-alerts", Types.STRING, Types.LONG));
        windows.open(getRuntimeContext());
        alerts = windows.counter("alerts");
        suppressed = windows.counter("suppressed");
        lateSources = windows.counter("lateSpraySources");
    }

    static String openKey(long windowStart, String user) {
        return windowStart + "/" + user;
    }

    @Override
    public void processElement1(SpraySource source, Context ctx, Collector<Alert> out) throws Exception {
        long windowEnd = source.windowStart + detection.windowMillis();
        if (KeyedWindows.hasFired(ctx.timerService(), windowEnd)) {
            // Cannot happen (see the class comment); counted and logged, never silent. The source still
            // covers the windows that have not been evaluated yet.
            lateSources.inc();
            LOG.error("spray source {} arrived after stage 2's window had fired; hits in that window are lost", source);
        }
        sprayWindows.put(source.windowStart, source);
        ctx.timerService().registerEventTimeTimer(windowEnd + detection.reachMillis() - 1);
    }

    @Override
    public void processElement2(SignIn s, Context ctx, Collector<Alert> out) throws Exception {
        long windowEnd = detection.windowEnd(s.timestamp);
        if (windows.routeIfLate(s, windowEnd, ctx.timerService(), ctx::output)) return;
        long windowStart = windowEnd - detection.windowMillis();
        String key = openKey(windowStart, s.userPrincipalName);
        UserWindowHits hits = openHits.get(key);
        if (hits == null) {
            hits = new UserWindowHits(windowStart, s.userPrincipalName);
            KeyedWindows.fireAtEnd(ctx.timerService(), windowEnd);
        }
        if (hits.add(s, ValidCredentialsDetection.EVIDENCE_LIMIT)) openHits.put(key, hits);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        long now = timestamp + 1; // every window ending at or before now has fired
        long w = detection.windowMillis();
        List<UserWindowHits> due = new ArrayList<>();
        for (Map.Entry<String, UserWindowHits> e : openHits.entries()) {
            if (e.getValue().windowStart + w <= now) due.add(e.getValue());
        }
        // in time order (suppression depends on it), then by user for a stable output order
        due.sort(Comparator.<UserWindowHits>comparingLong(h -> h.windowStart).thenComparing(h -> h.userPrincipalName));
        for (UserWindowHits hits : due) {
            openHits.remove(openKey(hits.windowStart, hits.userPrincipalName));
            evaluate(ctx.getCurrentKey(), hits, ctx, out);
        }
        // spray windows whose reach has ended cover no later window
        List<Long> expired = new ArrayList<>();
        for (Map.Entry<Long, SpraySource> e : sprayWindows.entries()) {
            if (e.getKey() + w + detection.reachMillis() <= now) expired.add(e.getKey());
        }
        for (Long start : expired) sprayWindows.remove(start);
        // suppressions that have ended
        List<String> ended = new ArrayList<>();
        for (Map.Entry<String, Long> e : lastAlerts.entries()) {
            if (e.getValue() + detection.suppressionMillis() <= now) ended.add(e.getKey());
        }
        for (String user : ended) lastAlerts.remove(user);
    }

    private void evaluate(AddressKey key, UserWindowHits hits, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        long vStart = hits.windowStart;
        long vEnd = vStart + detection.windowMillis();
        SpraySource spray = latestSprayWindow(vStart);
        if (spray == null || spray.windowStart + detection.windowMillis() + detection.reachMillis() < vEnd) return;
        long s = detection.suppressionMillis();
        if (s > 0) {
            Long last = lastAlerts.get(hits.userPrincipalName);
            if (last != null && vEnd < last + s) {
                suppressed.inc(); // does not extend the suppression
                return;
            }
            lastAlerts.put(hits.userPrincipalName, vEnd);
            ctx.timerService().registerEventTimeTimer(vEnd + s - 1);
        }
        out.collect(alert(key, hits, spray));
        alerts.inc();
    }

    /** The latest spray-source window of the address with {@code w.start <= vStart}, or null. */
    private SpraySource latestSprayWindow(long vStart) throws Exception {
        SpraySource latest = null;
        for (Map.Entry<Long, SpraySource> e : sprayWindows.entries()) {
            long start = e.getKey();
            if (start <= vStart && (latest == null || start > latest.windowStart)) latest = e.getValue();
        }
        return latest;
    }

    Alert alert(AddressKey key, UserWindowHits hits, SpraySource spray) {
        long start = hits.windowStart;
        long end = start + detection.windowMillis();
        long sprayEnd = spray.windowStart + detection.windowMillis();
        var rule = detection.metadata();
        String severity = hits.fullSuccess ? "critical" : "high";
        ObjectNode doc = AlertDocuments.base(rule, severity, key.tenantId, start, end,
                "Valid credentials from a password spray source: " + hits.userPrincipalName + " of tenant " + key.tenantId
                        + (hits.fullSuccess ? " signed in successfully" : " presented a valid password (the sign-in was then stopped)")
                        + " from " + key.ipAddress + " between " + AlertDocuments.iso(start) + " and " + AlertDocuments.iso(end)
                        + "; the address sprayed " + spray.failedUsers + " users between "
                        + AlertDocuments.iso(spray.windowStart) + " and " + AlertDocuments.iso(sprayEnd));
        ObjectNode event = (ObjectNode) doc.get("event");
        event.put("outcome", hits.fullSuccess ? "success" : "failure");
        event.put("start", AlertDocuments.iso(hits.first));
        event.put("end", AlertDocuments.iso(hits.last));
        doc.putObject("source").put("ip", key.ipAddress);
        doc.putObject("user").put("name", hits.userPrincipalName);
        AlertDocuments.array(AlertDocuments.path(doc, "azure.signinlogs.properties"), "app_display_name",
                List.of(hits.appDisplayNames));
        ObjectNode d = (ObjectNode) doc.get("detection");
        d.put("hit_count", hits.count());
        ArrayNode codes = d.putArray("result_codes");
        for (long c : hits.resultCodes) codes.add(c);
        ObjectNode sprayNode = d.putObject("spray");
        ObjectNode sprayWindow = sprayNode.putObject("window");
        sprayWindow.put("start", AlertDocuments.iso(spray.windowStart));
        sprayWindow.put("end", AlertDocuments.iso(sprayEnd));
        sprayNode.put("failed_user_count", spray.failedUsers);
        sprayNode.put("valid_user_count", spray.validUsers);
        AlertDocuments.array(sprayNode, "user_names", List.of(spray.failedUserNames));
        ObjectNode related = doc.putObject("related");
        related.putArray("ip").add(key.ipAddress);
        related.putArray("user").add(hits.userPrincipalName);
        String id = AlertDocuments.documentId(rule.id, key.tenantId, key.ipAddress, hits.userPrincipalName, start);
        return new Alert(id, rule.id, end, AlertDocuments.toJson(doc));
    }
}
