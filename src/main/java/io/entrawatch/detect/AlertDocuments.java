package io.entrawatch.detect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds the ECS alert document of docs/detections.md section 6: the fields every alert has, the rule's
 * metadata, and the deterministic document id.
 */
public final class AlertDocuments {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * The ECS version the alert fields follow ({@code ecs.version}): 8.11 defines every ECS field an alert
     * carries (event.*, rule.*, threat.technique/tactic.*, source.*, user.*, user_agent.*, related.*).
     */
    public static final String ECS_VERSION = "8.11.0";
    /** Evidence arrays keep this many lexicographically smallest values. */
    public static final int EVIDENCE_LIMIT = 100;

    private AlertDocuments() {}

    /** ISO-8601 UTC, e.g. {@code 2025-11-14T01:50:00Z}. */
    public static String iso(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    /**
     * Deterministic {@code _id}: SHA-256 of the rule id and the parts that make the alert unique, so the
     * same alert computed again (replay, restart, recovery) overwrites itself.
     */
    public static String documentId(String ruleId, Object... keyParts) {
        StringBuilder sb = new StringBuilder(ruleId);
        for (Object part : keyParts) sb.append('\u001f').append(part);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fields every alert carries: @timestamp, ecs.version, event, rule, threat, tenant and detection window. */
    public static ObjectNode base(RuleMetadata rule, String tenantId, long windowStart, long windowEnd, String message) {
        return base(rule, rule.severity, tenantId, windowStart, windowEnd, message);
    }

    /**
     * {@link #base} for a rule whose severity is decided per alert: {@code severity} instead of the rule's,
     * with the risk score that follows from it (event.severity, event.risk_score, detection.severity).
     */
    public static ObjectNode base(RuleMetadata rule, String severity, String tenantId, long windowStart, long windowEnd,
            String message) {
        Integer riskScore = RuleMetadata.RISK_SCORES.get(severity);
        if (riskScore == null) throw new IllegalArgumentException("unknown severity '" + severity + "'");
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("@timestamp", iso(windowEnd));
        doc.put("message", message);
        doc.putObject("ecs").put("version", ECS_VERSION);
        ObjectNode event = doc.putObject("event");
        event.put("kind", "alert");
        event.putArray("category").add("authentication");
        event.putArray("type").add("info");
        event.put("outcome", "failure");
        event.put("module", "entrawatch");
        event.put("dataset", "entrawatch.alerts");
        event.put("severity", riskScore);
        event.put("risk_score", riskScore);
        ObjectNode r = doc.putObject("rule");
        r.put("id", rule.id);
        r.put("name", rule.name);
        r.put("description", rule.description);
        r.put("version", rule.version);
        r.put("ruleset", "entrawatch");
        r.put("category", rule.shortName);
        ArrayNode refs = r.putArray("reference");
        rule.references.forEach(refs::add);
        ObjectNode threat = doc.putObject("threat");
        threat.put("framework", "MITRE ATT&CK");
        ObjectNode technique = threat.putObject("technique");
        ArrayNode ids = technique.putArray("id");
        ArrayNode names = technique.putArray("name");
        ArrayNode links = technique.putArray("reference");
        for (RuleMetadata.Technique t : rule.techniques) {
            ids.add(t.id);
            names.add(t.name);
            links.add(t.reference);
        }
        ObjectNode tactic = threat.putObject("tactic");
        ArrayNode tacticIds = tactic.putArray("id");
        ArrayNode tacticNames = tactic.putArray("name");
        ArrayNode tacticLinks = tactic.putArray("reference");
        for (RuleMetadata.Tactic t : rule.tactics) {
            tacticIds.add(t.id);
            tacticNames.add(t.name);
            tacticLinks.add(t.reference);
        }
        doc.putObject("azure").put("tenant_id", tenantId);
        ObjectNode detection = doc.putObject("detection");
        ObjectNode window = detection.putObject("window");
        window.put("start", iso(windowStart));
        window.put("end", iso(windowEnd));
        detection.put("severity", severity);
        detection.put("investigation_guide", rule.investigationGuide);
        ArrayNode fp = detection.putArray("false_positives");
        rule.falsePositives.forEach(fp::add);
        return doc;
    }

    /** The {@code limit} lexicographically smallest values, sorted. */
    public static List<String> smallest(Collection<String> values, int limit) {
        List<String> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.size() <= limit ? sorted : new ArrayList<>(sorted.subList(0, limit));
    }

    public static ArrayNode array(ObjectNode parent, String field, List<String> values) {
        ArrayNode a = parent.putArray(field);
        values.forEach(a::add);
        return a;
    }

    /** Nested object at a dotted path, created as needed. */
    public static ObjectNode path(ObjectNode doc, String dotted) {
        ObjectNode node = doc;
        for (String part : dotted.split("\\.")) {
            ObjectNode child = node.has(part) ? (ObjectNode) node.get(part) : node.putObject(part);
            node = child;
        }
        return node;
    }

    public static String toJson(ObjectNode doc) {
        try {
            return MAPPER.writeValueAsString(doc);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write alert document", e);
        }
    }
}
