package io.entrawatch.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a generator run planted and which alerts the job must raise for it.
 *
 * @param seed           the run's seed
 * @param start          event time of the start of the run
 * @param end            event-time end of the background traffic
 * @param tenantIds      the tenants, in generator order
 * @param attacks        the planted attacks and near misses
 * @param expectedAlerts every alert the job must raise (exactly these: background traffic raises none)
 */
public record GroundTruth(long seed, Instant start, Instant end, List<String> tenantIds, List<PlantedAttack> attacks,
        List<ExpectedAlert> expectedAlerts) {

    /** The expected alerts of one detection ("A", "B", "C" or "D"). */
    public List<ExpectedAlert> expected(String detection) {
        return expectedAlerts.stream().filter(a -> a.detection().equals(detection)).toList();
    }

    /** The planted attacks of one kind. */
    public List<PlantedAttack> attacks(AttackKind kind) {
        return attacks.stream().filter(a -> a.kind() == kind).toList();
    }

    /** Pretty-printed JSON (times as ISO-8601 strings). */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("seed", seed);
        root.put("start", start.toString());
        root.put("end", end.toString());
        root.put("tenantIds", tenantIds);
        List<Object> as = new ArrayList<>();
        for (PlantedAttack a : attacks) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", a.index());
            m.put("kind", a.kind().cliName());
            m.put("detection", String.valueOf(a.detection()));
            m.put("alertExpected", a.alertExpected());
            m.put("tenantId", a.tenantId());
            m.put("windowStart", a.windowStart().toString());
            m.put("windowEnd", a.windowEnd().toString());
            m.put("errorCode", a.errorCode());
            m.put("distinctUsers", a.users().size());
            m.put("users", a.users());
            m.put("upnsAsWritten", a.upnsAsWritten());
            m.put("ips", a.ips());
            m.put("asns", a.asns());
            m.put("appId", a.appId());
            m.put("appDisplayName", a.appDisplayName());
            m.put("records", a.records());
            m.put("description", a.description());
            as.add(m);
        }
        root.put("attacks", as);
        List<Object> es = new ArrayList<>();
        for (ExpectedAlert e : expectedAlerts) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("detection", e.detection());
            m.put("ruleId", e.ruleId());
            m.put("tenantId", e.tenantId());
            m.put("windowStart", e.windowStart().toString());
            m.put("windowEnd", e.windowEnd().toString());
            putIf(m, "errorCode", e.errorCode());
            putIf(m, "count", e.count());
            putIf(m, "userPrincipalName", e.userPrincipalName());
            putIf(m, "appId", e.appId());
            putIf(m, "appDisplayName", e.appDisplayName());
            putIf(m, "resultType", e.resultType());
            putIf(m, "ipAddress", e.ipAddress());
            putIf(m, "table", e.table());
            putIf(m, "users", e.users());
            putIf(m, "ips", e.ips());
            putIf(m, "severity", e.severity());
            putIf(m, "resultCodes", e.resultCodes());
            putIf(m, "sprayWindowStart", e.sprayWindowStart() == null ? null : e.sprayWindowStart().toString());
            m.put("causedBy", e.causedBy());
            es.add(m);
        }
        Map<String, Object> counts = new LinkedHashMap<>();
        for (String d : List.of("A", "B", "C", "D")) counts.put(d, expected(d).size());
        root.put("expectedAlertCounts", counts);
        root.put("expectedAlerts", es);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void putIf(Map<String, Object> m, String k, Object v) {
        if (v != null) m.put(k, v);
    }
}
