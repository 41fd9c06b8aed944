package io.entrawatch.sink.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndexTemplatesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Field path -> type, for every field docs/detections.md section 6 names and a few ECS additions. */
    private static final Map<String, String> ALERT_FIELDS = Map.ofEntries(
            Map.entry("@timestamp", "date"),
            Map.entry("event.kind", "keyword"),
            Map.entry("event.start", "date"),
            Map.entry("event.end", "date"),
            Map.entry("event.severity", "long"),
            Map.entry("rule.id", "keyword"),
            Map.entry("rule.name", "keyword"),
            Map.entry("rule.description", "text"),
            Map.entry("rule.reference", "keyword"),
            Map.entry("threat.technique.id", "keyword"),
            Map.entry("threat.technique.name", "keyword"),
            Map.entry("threat.tactic.id", "keyword"),
            Map.entry("threat.tactic.name", "keyword"),
            Map.entry("azure.tenant_id", "keyword"),
            Map.entry("detection.window.start", "date"),
            Map.entry("detection.window.end", "date"),
            Map.entry("detection.unique_user_count", "long"),
            Map.entry("detection.failed_count", "long"),
            Map.entry("detection.distinct_accounts", "long"),
            Map.entry("detection.table", "keyword"),
            Map.entry("detection.account_name", "keyword"),
            Map.entry("azure.signinlogs.properties.status.error_code", "long"),
            Map.entry("azure.signinlogs.properties.user_principal_name", "keyword"),
            Map.entry("azure.signinlogs.properties.app_id", "keyword"),
            Map.entry("azure.signinlogs.properties.app_display_name", "keyword"),
            Map.entry("azure.signinlogs.result_type", "keyword"),
            Map.entry("azure.signinlogs.result_description", "keyword"),
            Map.entry("azure.signinlogs.result_signature", "keyword"),
            Map.entry("user.name", "keyword"),
            Map.entry("user.domain", "keyword"),
            Map.entry("source.ip", "ip"),
            Map.entry("user_agent.original", "keyword"),
            Map.entry("ecs.version", "keyword"),
            Map.entry("event.risk_score", "float"),
            Map.entry("event.created", "date"),
            Map.entry("event.ingested", "date"),
            Map.entry("threat.tactic.reference", "keyword"),
            Map.entry("detection.severity", "keyword"));

    static JsonNode field(JsonNode template, String path) {
        JsonNode node = template.path("template").path("mappings");
        for (String part : path.split("\\.")) {
            node = node.path("properties").path(part);
        }
        return node;
    }

    @Test
    void alertTemplateShouldMapTheContractFieldsWithEcsTypes() throws IOException {
        JsonNode t = MAPPER.readTree(IndexTemplates.alertTemplate("entrawatch-alerts"));
        ALERT_FIELDS.forEach((path, type) -> assertEquals(type, field(t, path).path("type").asText(), path));
        assertEquals("text", field(t, "rule.name").path("fields").path("text").path("type").asText());
    }

    @Test
    void templatesShouldTakeIlmSettingsFromAnOptionalComponentTemplate() throws IOException {
        for (byte[] bytes : List.of(IndexTemplates.alertTemplate("a"), IndexTemplates.deadLetterTemplate("d"))) {
            JsonNode t = MAPPER.readTree(bytes);
            String name = t.path("index_patterns").get(0).asText();
            assertEquals(name + "-lifecycle", t.path("composed_of").get(0).asText());
            assertEquals(name + "-lifecycle", t.path("ignore_missing_component_templates").get(0).asText());
            assertFalse(t.path("template").path("settings").path("index").has("lifecycle"), "no ILM setting in the job's template");
        }
    }

    /**
     * {@code kibana.*} is Kibana's own namespace in Security alerts (kibana.alert.severity, ...): the
     * detection engine writes it when it promotes an alert, so the alert index neither maps nor carries it.
     */
    @Test
    void alertTemplateShouldLeaveKibanasNamespaceAlone() throws IOException {
        JsonNode properties = MAPPER.readTree(IndexTemplates.alertTemplate("a")).path("template").path("mappings")
                .path("properties");
        assertFalse(properties.has("kibana"), "kibana.* is mapped: " + properties.path("kibana"));
    }

    @Test
    void alertTemplateShouldKeepUnknownFieldsUsable() throws IOException {
        JsonNode mappings = MAPPER.readTree(IndexTemplates.alertTemplate("a")).path("template").path("mappings");
        assertEquals("true", mappings.path("dynamic").asText());
        JsonNode strings = mappings.path("dynamic_templates").get(0).path("strings_as_keywords");
        assertEquals("string", strings.path("match_mapping_type").asText());
        assertEquals("keyword", strings.path("mapping").path("type").asText());
    }

    @Test
    void templatesShouldMatchTheConfiguredIndexAndItsBackingIndices() throws IOException {
        JsonNode alerts = MAPPER.readTree(IndexTemplates.alertTemplate("prod-alerts"));
        JsonNode deadLetters = MAPPER.readTree(IndexTemplates.deadLetterTemplate("prod-dlq"));
        assertEquals(List.of("prod-alerts", "prod-alerts-*"), MAPPER.convertValue(alerts.get("index_patterns"), List.class));
        assertEquals(List.of("prod-dlq", "prod-dlq-*"), MAPPER.convertValue(deadLetters.get("index_patterns"), List.class));
        assertTrue(deadLetters.get("priority").asInt() > alerts.get("priority").asInt(),
                "the dead-letter template must win where the alert pattern covers the dead-letter index");
        assertTrue(alerts.get("priority").asInt() > 100, "above Elastic's built-in templates");
    }

    @Test
    void deadLetterTemplateShouldNeverIndexThePayload() throws IOException {
        JsonNode t = MAPPER.readTree(IndexTemplates.deadLetterTemplate("dlq"));
        JsonNode payload = field(t, "payload");
        assertEquals("keyword", payload.path("type").asText());
        assertFalse(payload.path("index").asBoolean(true));
        assertFalse(payload.path("doc_values").asBoolean(true));
        Map.of("kind", "keyword", "reason", "keyword", "topic", "keyword", "partition", "long", "offset", "long",
                "record_index", "long", "payload_bytes", "long", "@timestamp", "date", "original_index", "keyword",
                "original_id", "keyword").forEach((path, type) -> assertEquals(type, field(t, path).path("type").asText(), path));
        assertEquals("false", t.path("template").path("mappings").path("dynamic").asText());
    }

    @Test
    void shouldRefuseIndexPatternsAsIndexNames() {
        assertThrows(IllegalArgumentException.class, () -> IndexTemplates.alertTemplate("alerts-*"));
        assertThrows(IllegalArgumentException.class, () -> IndexTemplates.deadLetterTemplate("a,b"));
    }
}
