package io.entrawatch.detect.sso;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.detect.AlertDocuments;
import io.entrawatch.detect.KeyedWindows;
import io.entrawatch.metrics.CountedMetric;
import io.entrawatch.model.Alert;
import io.entrawatch.model.Categories;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stage 2 of detection C: per (tenant, IP, hour) an aggregate per sign-in table of everything the
 * address did (both user sign-in tables, any result), joined with stage 1's flags for the address.
 * When the watermark passes the hour's end it emits one alert per (flagged resultType, table with
 * sign-ins) and clears the key.
 *
 * <p>Why every flag is here when the hour fires: stage 1 emits its flags from its own end-of-hour timer,
 * and Flink emits a timer's output downstream before the watermark that fired it; this operator's
 * watermark is the minimum over all its input channels, stage 1's included, so it reaches the hour's
 * end only after every stage-1 subtask has sent that hour's flags (checked at parallelism 2 by
 * SsoSprayITCase).
 *
 * <p>State cost: whether an address will be flagged is not known before its hour ends, so every address
 * seen in the two tables needs its aggregate until then. Per (tenant, IP, hour) that is at most two
 * {@link SsoTableAggregate}s (100 UPNs, 100 user agents, two times, two strings each) plus the flags,
 * whatever the number of sign-ins: for an address seen by a million sign-ins in an hour, about
 * 2 x 100 x (UPN + user-agent length) + 0.5 KB, some 33 KB serialized with 40-character UPNs and
 * 120-character agents (measured by SsoStateCostTest), instead of the ~4 GB of the sign-ins themselves.
 * On the heap backend an update is in place; on RocksDB each sign-in reads its table's aggregate and
 * writes it back only when it changed.
 */
public class SsoStage2Joiner extends KeyedCoProcessFunction<SsoIpKey, SsoFlag, SignIn, Alert> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SsoStage2Joiner.class);

    /** Alert order inside one key: SigninLogs before AADNonInteractiveUserSignInLogs. */
    static final List<String> TABLES = List.of(Categories.tableOf(Categories.SIGN_IN_LOGS),
            Categories.tableOf(Categories.NON_INTERACTIVE));

    private final SeamlessSsoSprayDetection detection;
    private final KeyedWindows windows;
    /** Flagged resultType -> distinct accounts of stage 1. */
    private transient MapState<String, Long> flags;
    /** Table name -> aggregate of the address's sign-ins in it. */
    private transient MapState<String, SsoTableAggregate> tables;
    private transient CountedMetric alerts;
    private transient CountedMetric lateFlags;

    public SsoStage2Joiner(SeamlessSsoSprayDetection detection) {
        this.detection = detection;
        this.windows = new KeyedWindows(detection, "stage 2 operator");
    }

    @Override
    public void open(OpenContext ctx) {
        flags = getRuntimeContext().getMapState(new MapStateDescriptor<>("flags", Types.STRING, Types.LONG));
        tables = getRuntimeContext().getMapState(new MapStateDescriptor<>("tables", Types.STRING,
                TypeInformation.of(SsoTableAggregate.class)));
        windows.open(getRuntimeContext());
        alerts = windows.counter("alerts");
        lateFlags = windows.counter("lateFlags");
    }

    @Override
    public void processElement1(SsoFlag flag, Context ctx, Collector<Alert> out) throws Exception {
        long hourEnd = flag.hourStart + detection.windowMillis();
        if (KeyedWindows.hasFired(ctx.timerService(), hourEnd)) {
            // Cannot happen (see the class comment); counted and logged, never silent, but not worth a job restart.
            lateFlags.inc();
            LOG.error("stage-1 flag {} arrived after stage 2's hour had fired; its alerts are lost", flag);
            return;
        }
        flags.put(flag.resultType, flag.distinctAccounts);
        KeyedWindows.fireAtEnd(ctx.timerService(), hourEnd);
    }

    @Override
    public void processElement2(SignIn s, Context ctx, Collector<Alert> out) throws Exception {
        long hourEnd = ctx.getCurrentKey().hourStart + detection.windowMillis();
        if (windows.routeIfLate(s, hourEnd, ctx.timerService(), ctx::output)) return;
        String table = s.table();
        SsoTableAggregate agg = tables.get(table);
        boolean created = agg == null;
        if (created) agg = new SsoTableAggregate();
        if (agg.add(s, SeamlessSsoSprayDetection.EVIDENCE_LIMIT) || created) tables.put(table, agg);
        if (created) KeyedWindows.fireAtEnd(ctx.timerService(), hourEnd);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        SsoIpKey key = ctx.getCurrentKey();
        if (!flags.isEmpty()) {
            Map<String, Long> flagged = new TreeMap<>();
            for (Map.Entry<String, Long> e : flags.entries()) flagged.put(e.getKey(), e.getValue());
            for (Map.Entry<String, Long> f : flagged.entrySet()) {
                for (String table : TABLES) {
                    SsoTableAggregate agg = tables.get(table);
                    if (agg == null) continue;
                    out.collect(alert(key, f.getKey(), f.getValue(), table, agg));
                    alerts.inc();
                }
            }
        }
        flags.clear();
        tables.clear();
    }

    Alert alert(SsoIpKey key, String resultType, long distinctAccounts, String table, SsoTableAggregate agg) {
        long start = key.hourStart;
        long end = start + detection.windowMillis();
        var rule = detection.metadata();
        ObjectNode doc = AlertDocuments.base(rule, key.tenantId, start, end,
                "Seamless SSO password spray: result " + resultType + " failed for " + distinctAccounts
                        + " accounts of tenant " + key.tenantId + " between " + AlertDocuments.iso(start) + " and "
                        + AlertDocuments.iso(end) + "; " + key.ipAddress + " was one of the sources, its sign-ins "
                        + "in " + table + " (" + agg.userPrincipalNames.length + " account(s) listed)");
        ObjectNode event = (ObjectNode) doc.get("event");
        event.put("start", AlertDocuments.iso(agg.start));
        event.put("end", AlertDocuments.iso(agg.end));
        doc.putObject("source").put("ip", key.ipAddress);
        ObjectNode signinlogs = AlertDocuments.path(doc, "azure.signinlogs");
        signinlogs.put("result_type", resultType);
        if (agg.resultDescription != null) signinlogs.put("result_description", agg.resultDescription);
        if (agg.resultSignature != null) signinlogs.put("result_signature", agg.resultSignature);
        ObjectNode d = (ObjectNode) doc.get("detection");
        d.put("table", table);
        d.put("distinct_accounts", distinctAccounts);
        ObjectNode user = doc.putObject("user");
        AlertDocuments.array(user, "name", List.of(agg.userPrincipalNames));
        AlertDocuments.array(doc.putObject("user_agent"), "original", List.of(agg.userAgents));

        // Sentinel: Name = split(UserPrincipalName[0], '@')[0], UPNSuffix = split(UserPrincipalName[0], '@')[1]
        String smallest = agg.userPrincipalNames.length == 0 ? null : agg.userPrincipalNames[0];
        String name = null;
        String suffix = null;
        if (smallest != null) {
            String[] parts = smallest.split("@", -1);
            name = parts[0];
            if (parts.length > 1) suffix = parts[1];
        }
        if (suffix != null) user.put("domain", suffix);
        if (name != null) d.put("account_name", name);
        // The rule's entity mapping: Account (FullName, Name, UPNSuffix) and IP (Address).
        ArrayNode entities = d.putArray("entities");
        if (smallest != null) {
            ObjectNode account = entities.addObject().put("type", "account").put("full_name", smallest).put("name", name);
            if (suffix != null) account.put("upn_suffix", suffix);
        }
        entities.addObject().put("type", "ip").put("address", key.ipAddress);
        ObjectNode related = doc.putObject("related");
        related.putArray("ip").add(key.ipAddress);
        AlertDocuments.array(related, "user", List.of(agg.userPrincipalNames));

        String id = AlertDocuments.documentId(rule.id, key.tenantId, resultType, key.ipAddress, table, start);
        return new Alert(id, rule.id, end, AlertDocuments.toJson(doc));
    }
}
