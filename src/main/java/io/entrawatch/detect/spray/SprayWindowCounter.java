package io.entrawatch.detect.spray;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.detect.AlertDocuments;
import io.entrawatch.model.Alert;
import io.entrawatch.model.SignIn;
import io.entrawatch.pipeline.OutputTags;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import io.entrawatch.pipeline.CountedMetric;
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
 * <p>State is a MapState of users and of IPs (O(1) per sign-in on RocksDB, not a serialized set) and a
 * counter; duplicates of a sign-in add nothing, so re-deliveries cannot change the count.
 */
public class SprayWindowCounter extends KeyedProcessFunction<SprayKey, SignIn, Alert> {
    private static final long serialVersionUID = 1L;

    private final PasswordSprayDetection detection;
    private transient MapState<String, Boolean> users;
    private transient MapState<String, Boolean> ips;
    private transient ValueState<Integer> userCount;
    private transient CountedMetric alerts;
    private transient CountedMetric lateAtOperator;

    public SprayWindowCounter(PasswordSprayDetection detection) {
        this.detection = detection;
    }

    @Override
    public void open(OpenContext ctx) {
        users = getRuntimeContext().getMapState(new MapStateDescriptor<>("users", Types.STRING, Types.BOOLEAN));
        ips = getRuntimeContext().getMapState(new MapStateDescriptor<>("ips", Types.STRING, Types.BOOLEAN));
        userCount = getRuntimeContext().getState(new ValueStateDescriptor<>("userCount", Types.INT));
        var group = getRuntimeContext().getMetricGroup().addGroup("entrawatch").addGroup("rule", detection.metadata().shortName);
        alerts = CountedMetric.register(getRuntimeContext(), group, "alerts");
        lateAtOperator = CountedMetric.register(getRuntimeContext(), group, "lateAtOperator");
    }

    @Override
    public void processElement(SignIn s, Context ctx, Collector<Alert> out) throws Exception {
        long windowEnd = ctx.getCurrentKey().windowStart + detection.windowMillis();
        if (ctx.timerService().currentWatermark() >= windowEnd - 1) {
            // The ingest gate admits only on-time sign-ins; this catches the rare case where merged
            // partitions moved this operator's watermark further (e.g. an idle partition resuming).
            lateAtOperator.inc();
            ctx.output(OutputTags.DEAD_LETTERS, detection.lateAtOperator(s, windowEnd, "operator"));
            return;
        }
        if (s.userPrincipalName != null && !users.contains(s.userPrincipalName)) {
            users.put(s.userPrincipalName, Boolean.TRUE);
            Integer n = userCount.value();
            userCount.update(n == null ? 1 : n + 1);
        }
        if (s.ipAddress != null) ips.put(s.ipAddress, Boolean.TRUE);
        ctx.timerService().registerEventTimeTimer(windowEnd - 1);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        SprayKey key = ctx.getCurrentKey();
        Integer n = userCount.value();
        if (n != null && n >= detection.threshold()) {
            out.collect(alert(key, n, collect(users), collect(ips)));
            alerts.inc();
        }
        users.clear();
        ips.clear();
        userCount.clear();
    }

    private static List<String> collect(MapState<String, Boolean> state) throws Exception {
        List<String> values = new ArrayList<>();
        for (String k : state.keys()) values.add(k);
        return values;
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
