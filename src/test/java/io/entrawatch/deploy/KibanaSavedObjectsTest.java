package io.entrawatch.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/kibana/entrawatch.ndjson against the alert index template: every field a data view,
 * visualization, saved search or query names exists in the template, with a type that supports its
 * use (terms on keyword/ip/numbers, never text; date histograms on dates; sorting on non-text), and
 * every reference resolves inside the file. Kibana is not on Maven Central, so the import itself is
 * not run here.
 */
class KibanaSavedObjectsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> AGGREGATABLE = Set.of("keyword", "ip", "long", "integer", "short", "byte",
            "double", "float", "scaled_float", "boolean", "date");
    private static final Pattern KQL_FIELD = Pattern.compile("([A-Za-z_@][A-Za-z0-9_.@]*)\\s*:");

    private static Map<String, String> fieldTypes;
    private static List<JsonNode> objects;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = KibanaSavedObjectsTest.class.getResourceAsStream("/elasticsearch/alerts-template.json")) {
            fieldTypes = new HashMap<>();
            collect(JSON.readTree(in).path("template").path("mappings").path("properties"), "", fieldTypes);
        }
        objects = new ArrayList<>();
        for (String line : Files.readAllLines(root().resolve("deploy/kibana/entrawatch.ndjson"), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) objects.add(JSON.readTree(line));
        }
    }

    static Path root() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("deploy/kibana"))) return d;
        }
        throw new IllegalStateException("deploy/kibana not found");
    }

    /** Flattens a mapping: "source.ip" -> "ip", multi-fields too ("rule.name.text" -> "text"). */
    private static void collect(JsonNode properties, String prefix, Map<String, String> out) {
        properties.fields().forEachRemaining(e -> {
            String path = prefix + e.getKey();
            JsonNode def = e.getValue();
            if (def.has("properties")) collect(def.get("properties"), path + ".", out);
            if (def.has("type")) out.put(path, def.get("type").asText());
            def.path("fields").fields().forEachRemaining(f -> out.put(path + "." + f.getKey(), f.getValue().path("type").asText()));
        });
    }

    private static String type(String field, String where) {
        String t = fieldTypes.get(field);
        assertTrue(t != null, where + ": field " + field + " is not in the alert index template");
        return t;
    }

    private static List<JsonNode> ofType(String type) {
        return objects.stream().filter(o -> o.path("type").asText().equals(type)).toList();
    }

    @Test
    void holdsADataViewADashboardAndASavedSearchPerDetection() {
        assertEquals(1, ofType("index-pattern").size());
        assertEquals(1, ofType("dashboard").size());
        Set<String> rules = new HashSet<>();
        for (JsonNode s : ofType("search")) {
            Matcher m = Pattern.compile("rule\\.id : \"([0-9a-f-]+)\"").matcher(searchSource(s).path("query").path("query").asText());
            assertTrue(m.find(), s.path("id").asText());
            rules.add(m.group(1));
        }
        assertEquals(Set.of("a9281116-fde0-11ef-9ee5-f661ea17fbcd", "ce47ec2c-fe13-11ef-9ee5-f661ea17fbcd",
                "fb7ca1c9-e14c-40a3-856e-28f3c14ea1ba", "a4877234-e82e-43a5-88d0-e00d5caceed8"), rules,
                "one saved search per detection of README's table");
        Set<String> ids = new HashSet<>();
        objects.forEach(o -> assertTrue(ids.add(o.path("type").asText() + "/" + o.path("id").asText()), "unique " + o.path("id")));
    }

    @Test
    void dataViewCoversTheAliasAndItsBackingIndicesWithATimeField() {
        JsonNode dv = ofType("index-pattern").get(0).path("attributes");
        assertEquals("entrawatch-alerts*", dv.path("title").asText());
        assertEquals("date", type(dv.path("timeFieldName").asText(), "data view"));
    }

    @Test
    void visualizationsAggregateOnFieldsWhoseTypeSupportsTheAggregation() throws Exception {
        assertFalse(ofType("visualization").isEmpty());
        for (JsonNode v : ofType("visualization")) {
            String id = v.path("id").asText();
            JsonNode state = JSON.readTree(v.path("attributes").path("visState").asText());
            for (JsonNode agg : state.path("aggs")) {
                String kind = agg.path("type").asText();
                String field = agg.path("params").path("field").asText(null);
                switch (kind) {
                    case "count":
                        break;
                    case "date_histogram":
                        assertEquals("date", type(field, id), id + ": date_histogram on " + field);
                        break;
                    case "terms": case "cardinality": case "significant_terms":
                        assertTrue(AGGREGATABLE.contains(type(field, id)), id + ": " + kind + " on " + field
                                + " of type " + type(field, id) + " (text cannot be aggregated)");
                        break;
                    case "sum": case "avg": case "max": case "min":
                        assertTrue(Set.of("long", "integer", "float", "double").contains(type(field, id)), id + ": " + kind + " on " + field);
                        break;
                    default:
                        throw new AssertionError(id + ": aggregation " + kind + " is not checked by this test; add it");
                }
            }
            checkQueryFields(searchSource(v), id);
        }
    }

    @Test
    void savedSearchesShowAndSortExistingFields() {
        for (JsonNode s : ofType("search")) {
            String id = s.path("id").asText();
            JsonNode attributes = s.path("attributes");
            assertTrue(attributes.path("columns").size() >= 4, id + ": the columns an analyst triages with");
            attributes.path("columns").forEach(c -> type(c.asText(), id + " column"));
            for (JsonNode sort : attributes.path("sort")) {
                String field = sort.get(0).asText();
                assertFalse(type(field, id + " sort").equals("text"), id + ": cannot sort on text field " + field);
            }
            checkQueryFields(searchSource(s), id);
        }
    }

    @Test
    void everyReferenceResolvesInsideTheFile() throws Exception {
        Set<String> present = new HashSet<>();
        objects.forEach(o -> present.add(o.path("type").asText() + "/" + o.path("id").asText()));
        for (JsonNode o : objects) {
            Set<String> names = new HashSet<>();
            for (JsonNode r : o.path("references")) {
                assertTrue(present.contains(r.path("type").asText() + "/" + r.path("id").asText()),
                        o.path("id").asText() + " references missing " + r);
                names.add(r.path("name").asText());
            }
            if (o.path("type").asText().equals("dashboard")) {
                for (JsonNode p : JSON.readTree(o.path("attributes").path("panelsJSON").asText())) {
                    assertTrue(names.contains(p.path("panelRefName").asText()), "panel " + p);
                }
            } else if (!o.path("type").asText().equals("index-pattern")) {
                assertTrue(names.contains(searchSource(o).path("indexRefName").asText()), o.path("id").asText());
            }
        }
    }

    private static JsonNode searchSource(JsonNode o) {
        try {
            return JSON.readTree(o.path("attributes").path("kibanaSavedObjectMeta").path("searchSourceJSON").asText());
        } catch (Exception e) {
            throw new AssertionError(o.path("id").asText() + ": searchSourceJSON is not JSON", e);
        }
    }

    private static void checkQueryFields(JsonNode searchSource, String where) {
        Matcher m = KQL_FIELD.matcher(searchSource.path("query").path("query").asText());
        while (m.find()) type(m.group(1), where + " query");
    }
}
