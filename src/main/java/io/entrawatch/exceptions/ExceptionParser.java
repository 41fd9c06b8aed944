package io.entrawatch.exceptions;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.Serializable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates one exception document (docs/detections.md section 9, "Validation"): an exception is
 * either valid as a whole or rejected with its id and the reason; nothing is applied in part. Field names
 * may be nested ({@code {"source": {"ip": ...}}}) or dotted ({@code "source.ip"}); {@code null} is absent.
 */
public final class ExceptionParser implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Every field an exception may have, in documentation order. */
    public static final List<String> FIELDS = List.of("id", "rules", "tenant", "source.ip", "user.name", "app_id", "asn",
            "valid_from", "expires", "comment", "created_by");
    private static final Set<String> MATCH_FIELDS = Set.of("source.ip", "user.name", "app_id", "asn");
    private static final long MAX_ASN = 4_294_967_295L;
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private final List<String> ruleIds;

    /** {@code ruleIds}: the rule ids an exception may name, in catalogue order (bit i of a mask is rule i). */
    public ExceptionParser(List<String> ruleIds) {
        if (ruleIds.size() > 63) throw new IllegalArgumentException("at most 63 rules");
        this.ruleIds = List.copyOf(ruleIds);
    }

    public List<String> ruleIds() {
        return ruleIds;
    }

    /** A valid exception, or the reason it is not (with its id when it has one). */
    public static final class Result {
        public final ExceptionItem item;
        /** The id as written, or null when the document has none that can be read. */
        public final String id;
        public final String reason;

        private Result(ExceptionItem item, String id, String reason) {
            this.item = item;
            this.id = id;
            this.reason = reason;
        }

        public boolean valid() {
            return item != null;
        }

        /** "exception ID: reason", or "exception without an id: reason". */
        public String problem() {
            return (id == null ? "exception without an id" : "exception " + id) + ": " + reason;
        }
    }

    /** Parses one JSON document (a line of a file, or an index document's source). */
    public Result parse(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return new Result(null, null, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) return new Result(null, null, "not a JSON object");
        return parse(node, json);
    }

    private Result parse(JsonNode root, String json) {
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        String flattenProblem = flatten(root, "", fields);
        JsonNode idNode = fields.get("id");
        String id = idNode != null && idNode.isTextual() && !idNode.textValue().isEmpty() ? idNode.textValue() : null;
        if (flattenProblem != null) return new Result(null, id, flattenProblem);
        try {
            return new Result(build(fields, id, json), id, null);
        } catch (IllegalArgumentException e) {
            return new Result(null, id, e.getMessage());
        }
    }

    /** Flattens nested objects into dotted names; null values are dropped. Returns a problem or null. */
    private static String flatten(JsonNode node, String prefix, Map<String, JsonNode> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = prefix + e.getKey();
            JsonNode v = e.getValue();
            if (v.isNull()) continue;
            if (v.isObject()) {
                String problem = flatten(v, name + ".", out);
                if (problem != null) return problem;
                continue;
            }
            if (!FIELDS.contains(name)) {
                return "unknown field '" + name + "' (fields: " + String.join(", ", FIELDS) + ")";
            }
            if (out.put(name, v) != null) return "field '" + name + "' is given twice (nested and dotted)";
        }
        return null;
    }

    private ExceptionItem build(Map<String, JsonNode> f, String id, String json) {
        if (!f.containsKey("id")) throw new IllegalArgumentException("'id' is required");
        text(f, "id");
        List<String> rules = new ArrayList<>();
        long mask = ruleMask(f.get("rules"), rules);
        String tenant = text(f, "tenant");
        if ("*".equals(tenant)) tenant = null;
        else if (tenant != null) tenant = tenant.toLowerCase(Locale.ROOT);
        String ip = text(f, "source.ip");
        IpBlock block = null;
        if (ip != null) {
            try {
                block = IpBlock.parse(ip);
            } catch (IpBlock.InvalidBlockException e) {
                throw new IllegalArgumentException("source.ip " + e.getMessage());
            }
        }
        String user = text(f, "user.name");
        String userName = null, userDomain = null;
        if (user != null) {
            if (user.startsWith("*@")) {
                userDomain = user.substring(2).toLowerCase(Locale.ROOT);
                if (userDomain.isEmpty() || userDomain.indexOf('@') >= 0) {
                    throw new IllegalArgumentException("user.name '" + user + "': write *@domain with one domain after the @");
                }
            } else if (user.indexOf('@') < 0) {
                throw new IllegalArgumentException("user.name '" + user + "' is not a UPN (no @); write user@domain or *@domain");
            } else {
                userName = user.toLowerCase(Locale.ROOT);
            }
        }
        String appId = text(f, "app_id");
        Long asn = asn(f.get("asn"));
        if (block == null && user == null && appId == null && asn == null) {
            throw new IllegalArgumentException("no match field: give at least one of source.ip, user.name, app_id, asn "
                    + "(to switch a rule off, use its --*.enabled option)");
        }
        String validFrom = text(f, "valid_from");
        String expires = text(f, "expires");
        Instant from = instant("valid_from", validFrom);
        Instant until = instant("expires", expires);
        if (from != null && until != null && !until.isAfter(from)) {
            throw new IllegalArgumentException("expires " + expires + " is not after valid_from " + validFrom);
        }
        if (!f.containsKey("comment")) throw new IllegalArgumentException("'comment' is required: say why");
        String comment = text(f, "comment");
        String createdBy = text(f, "created_by");
        return new ExceptionItem(id, rules, mask, tenant, block, userName, userDomain, appId == null ? null : appId.toLowerCase(Locale.ROOT),
                asn, from == null ? Long.MIN_VALUE : ceilMillis(from), until == null ? Long.MAX_VALUE : ceilMillis(until),
                validFrom, expires, comment, createdBy, json);
    }

    private long ruleMask(JsonNode node, List<String> rules) {
        if (node == null) throw new IllegalArgumentException("'rules' is required: an array of rule ids, or [\"*\"]");
        if (!node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException("'rules' must be a non-empty array of rule ids, or [\"*\"]");
        }
        long mask = 0;
        boolean star = false;
        for (JsonNode r : node) {
            if (!r.isTextual()) throw new IllegalArgumentException("'rules' holds " + r + ", not a rule id string");
            String rule = r.textValue();
            if (rule.isEmpty()) throw new IllegalArgumentException("'rules' holds an empty string");
            rules.add(rule);
            if (rule.equals("*")) {
                star = true;
                continue;
            }
            int i = ruleIds.indexOf(rule);
            if (i < 0) throw new IllegalArgumentException("unknown rule id '" + rule + "' (rule ids: " + String.join(", ", ruleIds) + ")");
            mask |= 1L << i;
        }
        if (star && mask != 0) throw new IllegalArgumentException("'rules' mixes \"*\" with rule ids; write [\"*\"] alone");
        return star ? (1L << ruleIds.size()) - 1 : mask;
    }

    /** The string value of a field, null when absent; rejects other types and the empty string. */
    private static String text(Map<String, JsonNode> f, String name) {
        JsonNode v = f.get(name);
        if (v == null) return null;
        if (!v.isTextual()) throw new IllegalArgumentException("'" + name + "' must be a string, not " + v);
        if (v.textValue().isEmpty()) throw new IllegalArgumentException("'" + name + "' is an empty string");
        return v.textValue();
    }

    /** An integer from 0 to 4294967295, as a JSON number or a string of digits. */
    private static Long asn(JsonNode v) {
        if (v == null) return null;
        long n;
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            n = v.longValue();
        } else if (v.isTextual()) {
            String s = v.textValue();
            if (s.isEmpty()) throw new IllegalArgumentException("'asn' is an empty string");
            if (s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'asn' " + v + " is not an autonomous system number (write 8075, not AS8075)");
            }
            n = Long.parseLong(s);
        } else {
            throw new IllegalArgumentException("'asn' " + v + " is not an autonomous system number");
        }
        if (n < 0 || n > MAX_ASN) throw new IllegalArgumentException("'asn' " + n + " is outside 0.." + MAX_ASN);
        return n;
    }

    private static Instant instant(String name, String text) {
        if (text == null) return null;
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + name + "' " + text + " is not an ISO-8601 instant with Z or an offset "
                    + "(e.g. 2026-01-31T00:00:00Z)");
        }
    }

    /** The smallest epoch millisecond not before {@code t}: a millisecond timestamp ts is >= t exactly when ts >= this. */
    private static long ceilMillis(Instant t) {
        long ms = t.toEpochMilli(); // floors
        return t.getNano() % 1_000_000 == 0 ? ms : ms + 1;
    }
}
