package io.entrawatch.detect.spray;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.detect.AlertDocuments;
import io.entrawatch.detect.DistinctValues;
import io.entrawatch.detect.KeyedWindows;
import io.entrawatch.metrics.CountedMetric;
import io.entrawatch.model.Alert;
import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts the distinct users of one (tenant, errorCode, window) and alerts when the watermark passes the
 * window's end with at least the threshold. Keyed by {@link SprayKey}, which includes the window, so a
 * key's state lives exactly as long as its window: the end-of-window timer clears it (no leak even when
 * no alert is raised).
 *
 * <p>State: the distinct users with their count ({@link DistinctValues}) and the set of IPs;
 * duplicates of a sign-in add nothing, so re-deliveries cannot change the count.
 */
public class SprayWindowCounter extends KeyedProcessFunction<SprayKey, SignIn, Alert> {
    private static final long serialVersionUID = 1L;

    private final PasswordSprayDetection detection;
    private final KeyedWindows windows;
    private transient DistinctValues users;
    private transient MapState<String, Boolean> ips;
    private transient CountedMetric alerts;

    public SprayWindowCounter(PasswordSprayDetection detection) {
        this.detection = detection;
        this.windows = new KeyedWindows(detection, "operator");
    }

    @Override
    public void open(OpenContext ctx) {
        users = DistinctValues.declare(getRuntimeContext(), "users", "userCount");
        ips = getRuntimeContext().getMapState(new MapStateDescriptor<>("ips", Types.STRING, Types.BOOLEAN));
        windows.open(getRuntimeContext());
        alerts = windows.counter("alerts");
    }

    @Override
    public void processElement(SignIn s, Context ctx, Collector<Alert> out) throws Exception {
        long windowEnd = ctx.getCurrentKey().windowStart + detection.windowMillis();
        if (windows.routeIfLate(s, windowEnd, ctx.timerService(), ctx::output)) return;
        users.add(s.userPrincipalName);
        if (s.ipAddress != null) ips.put(s.ipAddress, Boolean.TRUE);
        KeyedWindows.fireAtEnd(ctx.timerService(), windowEnd);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        int n = users.count();
        if (n >= detection.threshold()) {
            List<String> sourceIps = new ArrayList<>();
            for (String ip : ips.keys()) sourceIps.add(ip);
            out.collect(alert(ctx.getCurrentKey(), n, users.values(), sourceIps));
            alerts.inc();
        }
        users.clear();
        ips.clear();
    }

    Alert alert(SprayKey key, int uniqueUsers, List<String> userNames, List<String> sourceIps) {
        long start = key.windowStart;
        long end = start + detection.windowMillis();
        var rule = detection.metadata();
        ObjectNode doc = AlertDocuments.base(rule, key.tenantId, start, end,
                "Password spray: " + uniqueUsers + " distinct users of tenant " + key.tenantId
                        + " failed single-factor non-interactive sign-ins with error " + key.errorCode + " between "
                        + AlertDocuments.iso(start) + " and " + AlertDocuments.iso(end));
        AlertDocuments.path(doc, "azure.signinlogs.properties.status").put("error_code", (long) key.errorCode);
        ((ObjectNode) doc.get("detection")).put("unique_user_count", (long) uniqueUsers);
        AlertDocuments.array(doc.putObject("user"), "name", AlertDocuments.smallest(userNames, AlertDocuments.EVIDENCE_LIMIT));
        AlertDocuments.array(doc.putObject("source"), "ip", AlertDocuments.smallest(sourceIps, AlertDocuments.EVIDENCE_LIMIT));
        String id = AlertDocuments.documentId(rule.id, key.tenantId, key.errorCode, start);
        return new Alert(id, rule.id, end, AlertDocuments.toJson(doc));
    }
}
