package io.entrawatch.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.config.DeadLetterOptions;
import io.entrawatch.config.ElasticsearchOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.detect.AlertDocuments;
import io.entrawatch.detect.DetectionFactory;
import io.entrawatch.detect.RuleMetadata;
import io.entrawatch.pipeline.DetectionPipeline;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/kibana/security-rule.ndjson, the Elastic Security detection rule that promotes entrawatch's alerts
 * into Security -> Alerts, against Kibana's rule schema for {@code POST /api/detection_engine/rules/_import}
 * and against the alert index template: every field the import requires of a query rule is there, no field
 * Kibana's schema does not know, well-formed severity and risk score mappings that give each entrawatch
 * severity its own, and every field the rule reads mapped with a type that works for its use. No Kibana runs
 * here; SecurityRuleITCase runs the rule's query on a real Elasticsearch node.
 */
class KibanaSecurityRuleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /*
     * From Kibana's source (elastic/kibana, the x-pack/solutions layout of Kibana 8.18 and 9.x):
     *  - x-pack/solutions/security/plugins/security_solution/common/api/detection_engine/model/rule_schema/
     *    rule_schemas.schema.yaml (commit 026d206a2925c18b1d9623e0ddc22f6c81756760): BaseRequiredFields,
     *    BaseOptionalFields, BaseDefaultableFields, QueryRuleRequiredFields / OptionalFields / DefaultableFields,
     *    ResponseFields;
     *  - .../rule_management/import_rules/rule_to_import.ts (commit 24edb6680065fa827ebfa6ed6223113b5a18a2c7):
     *    RuleToImport = BaseCreateProps & TypeSpecificCreateProps & partial ResponseFields with rule_id required;
     *    ValidatedRuleToImport adds a required version;
     *  - .../model/rule_schema/common_attributes.schema.yaml (commit 00c7693be31e3fee5b959f64928e1740c25d2f4e):
     *    Severity, RiskScore (integer 0-100), SeverityMapping and RiskScoreMapping items, KqlQueryLanguage,
     *    InvestigationFields, RequiredFieldInput.
     */
    /** What the import requires of a query rule: BaseRequiredFields, QueryRuleRequiredFields, rule_id, version. */
    static final Set<String> REQUIRED = Set.of("name", "description", "risk_score", "severity", "type", "rule_id", "version");
    private static final Set<String> BASE_OPTIONAL = Set.of("rule_name_override", "timestamp_override",
            "timestamp_override_fallback_disabled", "timeline_id", "timeline_title", "outcome", "alias_target_id",
            "alias_purpose", "license", "note", "building_block_type", "output_index", "namespace", "meta",
            "investigation_fields", "throttle", "response_actions");
    private static final Set<String> BASE_DEFAULTABLE = Set.of("version", "tags", "enabled", "risk_score_mapping",
            "severity_mapping", "interval", "from", "to", "actions", "exceptions_list", "author", "false_positives",
            "references", "max_signals", "threat", "setup", "related_integrations", "required_fields");
    private static final Set<String> QUERY_RULE = Set.of("type", "index", "data_view_id", "filters", "saved_id",
            "alert_suppression", "query", "language");
    /** ResponseFields, optional on import (and ignored by it, rule_id aside). */
    private static final Set<String> RESPONSE = Set.of("id", "rule_id", "immutable", "rule_source", "updated_at",
            "updated_by", "created_at", "created_by", "revision", "related_integrations", "required_fields",
            "execution_summary");
    private static final Set<String> SEVERITIES = Set.of("low", "medium", "high", "critical");
    private static final Set<String> AGGREGATABLE_OR_SEARCHABLE = Set.of("keyword", "ip", "long", "integer", "float",
            "double", "date", "boolean", "text");
    private static final Pattern INTERVAL = Pattern.compile("[1-9]\\d*[smhd]");
    private static final Pattern FROM = Pattern.compile("now-[1-9]\\d*[smhd]");

    static final String FILE = "deploy/kibana/security-rule.ndjson";
    private static JsonNode rule;
    private static Map<String, String> alertFields;

    /** The one rule in deploy/kibana/security-rule.ndjson (one JSON object per line, as the import reads it). */
    static JsonNode rule() throws Exception {
        List<JsonNode> rules = new ArrayList<>();
        for (String line : Files.readAllLines(KibanaSavedObjectsTest.root().resolve(FILE), StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode n = JSON.readTree(line);
            assertTrue(n.isObject(), "one JSON object per line: " + line);
            rules.add(n);
        }
        assertEquals(1, rules.size(), FILE + " holds one rule");
        return rules.get(0);
    }

    @BeforeAll
    static void load() throws Exception {
        rule = rule();
        alertFields = KibanaSavedObjectsTest.mappingFields("/elasticsearch/alerts-template.json", "/template/mappings/properties");
    }

    @Test
    void hasEveryFieldTheImportRequiresOfAQueryRuleAndNoFieldKibanaDoesNotKnow() {
        Set<String> fields = new TreeSet<>();
        rule.fieldNames().forEachRemaining(fields::add);
        Set<String> missing = new TreeSet<>(REQUIRED);
        missing.removeAll(fields);
        assertEquals(Set.of(), missing, "fields the import requires");
        Set<String> known = new LinkedHashSet<>(REQUIRED);
        known.addAll(BASE_OPTIONAL);
        known.addAll(BASE_DEFAULTABLE);
        known.addAll(QUERY_RULE);
        known.addAll(RESPONSE);
        Set<String> unknown = new TreeSet<>(fields);
        unknown.removeAll(known);
        assertEquals(Set.of(), unknown, "fields Kibana's rule schema does not have");
        for (String response : List.of("id", "immutable", "rule_source", "created_at", "updated_at", "revision")) {
            assertFalse(rule.has(response), response + " is Kibana's, not the file's");
        }
    }

    @Test
    void fieldsHaveTheTypesOfKibanasSchema() {
        assertEquals("query", rule.path("type").asText());
        assertEquals("kuery", rule.path("language").asText(), "KQL");
        assertFalse(rule.path("name").asText().isBlank());
        assertFalse(rule.path("description").asText().isBlank());
        assertFalse(rule.path("rule_id").asText().isBlank());
        assertTrue(rule.path("version").isInt() && rule.path("version").asInt() >= 1, "version: an integer >= 1");
        assertTrue(SEVERITIES.contains(rule.path("severity").asText()), "severity");
        assertTrue(rule.path("risk_score").isInt(), "risk_score is an integer");
        int risk = rule.path("risk_score").asInt();
        assertTrue(risk >= 0 && risk <= 100, "risk_score 0-100");
        assertTrue(INTERVAL.matcher(rule.path("interval").asText()).matches(), "interval " + rule.path("interval"));
        assertTrue(FROM.matcher(rule.path("from").asText()).matches(), "from " + rule.path("from"));
        assertEquals("now", rule.path("to").asText("now"));
        assertTrue(rule.path("max_signals").isInt() && rule.path("max_signals").asInt() >= 1, "max_signals");
        assertTrue(rule.path("enabled").isBoolean(), "enabled");
        for (String array : List.of("index", "tags", "author", "references", "false_positives")) {
            assertTrue(rule.path(array).isArray(), array + " is an array");
            rule.path(array).forEach(e -> assertTrue(e.isTextual() && !e.asText().isBlank(), array + ": strings"));
        }
        for (String text : List.of("note", "setup", "license", "rule_name_override", "timestamp_override")) {
            assertTrue(rule.path(text).isTextual() && !rule.path(text).asText().isBlank(), text + " is a string");
        }
        JsonNode investigation = rule.path("investigation_fields");
        assertEquals(List.of("field_names"), names(investigation), "investigation_fields {field_names}");
        assertTrue(investigation.path("field_names").size() >= 1, "field_names: at least one");
        for (JsonNode f : rule.path("required_fields")) assertEquals(List.of("name", "type"), names(f), "required_fields item");
    }

    /**
     * The interval the rule runs at, and the look-back that overlaps the previous run: each run searches
     * event.ingested from now-2m, so an alert indexed just before a run started is found by the next.
     */
    @Test
    void eachRunLooksBackFurtherThanItsInterval() {
        long interval = seconds(rule.path("interval").asText());
        long lookBack = seconds(rule.path("from").asText().substring("now-".length()));
        assertTrue(lookBack > interval, "from " + rule.path("from") + " reaches further back than one interval " + rule.path("interval"));
        assertEquals("event.ingested", rule.path("timestamp_override").asText(),
                "runs search the time the sink sent the alert, not the window end in @timestamp");
    }

    /** Kibana applies severity_mapping items from low to high, the last match winning; each must be well formed. */
    @Test
    void severityMappingGivesEachEntrawatchSeverityItsOwn() {
        JsonNode mapping = rule.path("severity_mapping");
        assertTrue(mapping.isArray() && mapping.size() > 0, "severity_mapping");
        Map<String, String> bySeverity = new HashMap<>();
        for (JsonNode m : mapping) {
            assertEquals(List.of("field", "operator", "severity", "value"), names(m), "a severity_mapping item: " + m);
            assertEquals("equals", m.path("operator").asText());
            assertTrue(SEVERITIES.contains(m.path("severity").asText()), m.toString());
            assertTrue(m.path("value").isTextual(), "value is a string: " + m);
            assertEquals("event.severity", m.path("field").asText(), m.toString());
            assertEquals(null, bySeverity.put(m.path("severity").asText(), m.path("value").asText()), "one item per severity");
        }
        Map<String, String> expected = new HashMap<>();
        RuleMetadata.RISK_SCORES.forEach((severity, score) -> expected.put(severity, Integer.toString(score)));
        assertEquals(expected, bySeverity, "event.severity holds the risk score of the alert's severity (RuleMetadata.RISK_SCORES)");
    }

    /** Kibana reads only the first risk_score_mapping item, and takes the field's value when it is a number 0-100. */
    @Test
    void riskScoreMappingReadsTheAlertsRiskScore() {
        JsonNode mapping = rule.path("risk_score_mapping");
        assertEquals(1, mapping.size(), "one item: Kibana reads the first only");
        JsonNode m = mapping.get(0);
        for (String name : names(m)) assertTrue(Set.of("field", "operator", "value", "risk_score").contains(name), name);
        assertEquals("event.risk_score", m.path("field").asText());
        assertEquals("equals", m.path("operator").asText());
        assertTrue(m.path("value").isTextual(), "value is a string");
        RuleMetadata.RISK_SCORES.values().forEach(score -> assertTrue(score >= 0 && score <= 100, "a risk score Kibana takes: " + score));
    }

    /** Every field the rule reads is in the alert template, with a type that works for how the rule uses it. */
    @Test
    void everyFieldTheRuleReadsIsInTheAlertTemplate() {
        for (KqlSubset.Clause c : KqlSubset.parse(rule.path("query").asText())) {
            assertEquals("keyword", type(c.field()), "query field " + c.field() + ": exact values");
        }
        assertEquals("long", type("event.severity"), "severity_mapping compares event.severity as an integer");
        for (JsonNode m : rule.path("severity_mapping")) type(m.path("field").asText());
        assertTrue(Set.of("long", "float", "double", "integer").contains(type(rule.at("/risk_score_mapping/0/field").asText())),
                "risk score: a number");
        assertEquals("keyword", type(rule.path("rule_name_override").asText()), "rule_name_override: a string field");
        assertEquals("date", type(rule.path("timestamp_override").asText()), "timestamp_override: a date field");
        for (JsonNode f : rule.at("/investigation_fields/field_names")) {
            assertTrue(AGGREGATABLE_OR_SEARCHABLE.contains(type(f.asText())), "investigation field " + f);
        }
        for (JsonNode f : rule.path("required_fields")) {
            assertEquals(type(f.path("name").asText()), f.path("type").asText(), "required field " + f);
        }
    }

    /**
     * The index patterns cover the job's alert index (es.index, an alias, and its backing indices) and not
     * the dead-letter index; the query matches the alert every detection writes (AlertDocuments.base).
     */
    @Test
    void indexPatternsAndQueryMatchTheAlertsTheJobWrites() {
        JobOptions defaults = JobOptions.defaults();
        String alerts = defaults.get(ElasticsearchOptions.INDEX);
        String deadLetters = defaults.get(DeadLetterOptions.INDEX);
        List<String> patterns = new ArrayList<>();
        rule.path("index").forEach(p -> patterns.add(p.asText()));
        assertTrue(covers(patterns, alerts) && covers(patterns, alerts + "-000001"), patterns + " cover " + alerts);
        assertFalse(covers(patterns, deadLetters) || covers(patterns, deadLetters + "-000001"), patterns + " leave out " + deadLetters);
        List<KqlSubset.Clause> query = KqlSubset.parse(rule.path("query").asText());
        for (DetectionFactory<?> f : DetectionPipeline.CATALOGUE) {
            RuleMetadata r = f.rule();
            ObjectNode alert = AlertDocuments.base(r, "tenant", 0L, 600_000L, "an alert of " + r.name);
            assertTrue(KqlSubset.matches(query, alert), "the rule's query matches an alert of " + r.name + ": " + alert);
            assertEquals(r.name, alert.at("/" + rule.path("rule_name_override").asText().replace('.', '/')).asText(),
                    "rule_name_override gives the detection's name");
        }
        ObjectNode notAnAlert = AlertDocuments.base(DetectionPipeline.CATALOGUE.get(0).rule(), "tenant", 0L, 1L, "m");
        ((ObjectNode) notAnAlert.get("event")).put("kind", "event");
        assertFalse(KqlSubset.matches(query, notAnAlert), "an event that is not an alert");
    }

    @Test
    void theSubsetOfKqlIsReadStrictly() {
        assertEquals(List.of(new KqlSubset.Clause("event.kind", "alert", false), new KqlSubset.Clause("a.b", "x y", true)),
                KqlSubset.parse("event.kind:alert AND a.b : \"x y\""));
        for (String unsupported : List.of("a:1 or b:2", "not a:1", "(a:1)", "a:x*", "a > 1", "a:")) {
            try {
                KqlSubset.parse(unsupported);
                throw new AssertionError("accepted " + unsupported);
            } catch (IllegalArgumentException expected) {
                // refused
            }
        }
    }

    private static String type(String field) {
        String t = alertFields.get(field);
        assertTrue(t != null, field + " is not in the alert index template");
        return t;
    }

    private static List<String> names(JsonNode o) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) names.add(it.next());
        names.sort(null);
        return names;
    }

    private static long seconds(String duration) {
        long n = Long.parseLong(duration.substring(0, duration.length() - 1));
        return switch (duration.charAt(duration.length() - 1)) {
            case 's' -> n;
            case 'm' -> n * 60;
            case 'h' -> n * 3600;
            case 'd' -> n * 86400;
            default -> throw new IllegalArgumentException(duration);
        };
    }

    /** Whether an index name matches one of Elasticsearch index patterns ({@code *} wildcards). */
    static boolean covers(List<String> patterns, String index) {
        for (String p : patterns) {
            if (index.matches(Pattern.quote(p).replace("*", "\\E.*\\Q"))) return true;
        }
        return false;
    }
}
