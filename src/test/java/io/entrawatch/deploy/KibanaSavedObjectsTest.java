package io.entrawatch.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.config.ExceptionOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.exceptions.ExceptionParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/kibana/entrawatch.ndjson against the mappings of the indices its data views cover (the alert
 * index template; the exceptions index's mapping): every field a data view, Lens visualization, saved
 * search or query names exists in the mapping of its data view, with a type that supports its use (terms
 * on keyword/ip/numbers, never text; date histograms on dates; sorting on non-text), each Lens object is
 * consistent in itself (columns, column order, the visualization's accessors, a data view reference per
 * layer), the dashboard holds no legacy visualization, and every reference resolves inside the file.
 * Kibana is not on Maven Central, so the import itself is not run here.
 */
class KibanaSavedObjectsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> AGGREGATABLE = Set.of("keyword", "ip", "long", "integer", "short", "byte",
            "double", "float", "scaled_float", "boolean", "date");
    /** A field in KQL: before {@code :} or a range operator. */
    private static final Pattern KQL_FIELD = Pattern.compile("([A-Za-z_@][A-Za-z0-9_.@]*)\\s*(?::|<=|>=|<|>)");
    static final String ALERTS = "entrawatch-alerts";
    static final String EXCEPTIONS = "entrawatch-exceptions";

    /** data view id -> the field types of the mapping its indices have. */
    private static Map<String, Map<String, String>> fieldTypes;
    private static List<JsonNode> objects;

    @BeforeAll
    static void load() throws Exception {
        fieldTypes = new HashMap<>();
        fieldTypes.put(ALERTS, mappingFields("/elasticsearch/alerts-template.json", "/template/mappings/properties"));
        fieldTypes.put(EXCEPTIONS, mappingFields("/elasticsearch/exceptions-mapping.json", "/mappings/properties"));
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

    static Map<String, String> mappingFields(String resource, String propertiesAt) throws Exception {
        try (InputStream in = KibanaSavedObjectsTest.class.getResourceAsStream(resource)) {
            Map<String, String> types = new HashMap<>();
            collect(JSON.readTree(in).at(propertiesAt), "", types);
            assertFalse(types.isEmpty(), resource);
            return types;
        }
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

    /** The type of {@code field} in the mapping behind the data view {@code o} searches. */
    private static String type(JsonNode o, String field, String where) {
        return type(dataViewOf(o), field, where);
    }

    /** The type of {@code field} in the mapping behind the data view with id {@code dataView}. */
    private static String type(String dataView, String field, String where) {
        String t = fieldTypes.get(dataView).get(field);
        assertTrue(t != null, where + ": field " + field + " is not in the mapping of data view " + dataView);
        return t;
    }

    /** The id of the data view a visualization or saved search searches. */
    private static String dataViewOf(JsonNode o) {
        String ref = searchSource(o).path("indexRefName").asText();
        for (JsonNode r : o.path("references")) {
            if (r.path("name").asText().equals(ref) && r.path("type").asText().equals("index-pattern")) {
                String id = r.path("id").asText();
                assertTrue(fieldTypes.containsKey(id), o.path("id").asText() + ": data view " + id + " has no mapping in this test");
                return id;
            }
        }
        throw new AssertionError(o.path("id").asText() + ": no data view reference " + ref);
    }

    private static List<JsonNode> searchesOf(String dataView) {
        return ofType("search").stream().filter(s -> dataViewOf(s).equals(dataView)).toList();
    }

    private static List<JsonNode> ofType(String type) {
        return objects.stream().filter(o -> o.path("type").asText().equals(type)).toList();
    }

    @Test
    void holdsTwoDataViewsADashboardASavedSearchPerDetectionAndOneForTheExceptions() {
        assertEquals(Set.of(ALERTS, EXCEPTIONS), ofType("index-pattern").stream().map(o -> o.path("id").asText())
                .collect(java.util.stream.Collectors.toSet()));
        assertEquals(1, ofType("dashboard").size());
        assertEquals(List.of("entrawatch-search-exceptions-in-force"),
                searchesOf(EXCEPTIONS).stream().map(s -> s.path("id").asText()).toList());
        Set<String> rules = new HashSet<>();
        for (JsonNode s : searchesOf(ALERTS)) {
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

    private static JsonNode dataView(String id) {
        return ofType("index-pattern").stream().filter(o -> o.path("id").asText().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no data view " + id)).path("attributes");
    }

    @Test
    void dataViewCoversTheAliasAndItsBackingIndicesWithATimeField() {
        JsonNode dv = dataView(ALERTS);
        assertEquals("entrawatch-alerts*", dv.path("title").asText());
        String timeField = dv.path("timeFieldName").asText();
        assertEquals("date", fieldTypes.get(ALERTS).get(timeField), "time field " + timeField);
    }

    @Test
    void exceptionsDataViewCoversTheExceptionsIndexWithoutATimeField() {
        JsonNode dv = dataView(EXCEPTIONS);
        assertEquals(JobOptions.defaults().get(ExceptionOptions.INDEX), dv.path("title").asText());
        // valid_from and expires are optional: a time field would leave out the exceptions without one
        assertFalse(dv.has("timeFieldName"), "no time field: " + dv);
        // and the mapping the data view reads has every field an exception may have
        for (String field : ExceptionParser.FIELDS) {
            assertTrue(fieldTypes.get(EXCEPTIONS).containsKey(field), "exceptions-mapping.json lacks " + field);
        }
    }

    @Test
    void exceptionsInForceShowsEveryExceptionFieldAndFiltersOnTheTimeBounds() {
        JsonNode s = searchesOf(EXCEPTIONS).get(0);
        assertEquals("entrawatch exceptions in force", s.path("attributes").path("title").asText());
        List<String> columns = new ArrayList<>();
        s.path("attributes").path("columns").forEach(c -> columns.add(c.asText()));
        assertEquals(new HashSet<>(ExceptionParser.FIELDS), new HashSet<>(columns), "a column per exception field");
        assertEquals(ExceptionParser.FIELDS.size(), columns.size(), "each once: " + columns);
        String query = searchSource(s).path("query").path("query").asText();
        assertEquals(Set.of("valid_from", "expires"), queryFields(searchSource(s)), query);
        assertTrue(query.contains("NOT expires:*") && query.contains("expires > now"),
                "an exception without expires, or expiring later, is in force: " + query);
        assertTrue(query.contains("NOT valid_from:*") && query.contains("valid_from <= now"),
                "an exception without valid_from, or valid from earlier, is in force: " + query);
    }

    /*
     * Lens saved objects as Kibana 8.9+ and 9.x store them (elastic/kibana,
     * x-pack/platform/plugins/shared/lens/server/content_management/v0/schema/common.ts: attributes title,
     * description, visualizationType, state; server/migrations/saved_object_migrations.ts: the last Lens
     * migration is 8.9.0, 8.6.0 renamed the datasource "indexpattern" to "formBased"): state.datasourceStates
     * .formBased.layers.<layerId> {columns, columnOrder}, state.visualization by visualizationType, and per
     * layer a reference "indexpattern-datasource-layer-<layerId>" to its data view.
     */
    private static final Set<String> LENS_TYPES = Set.of("lnsXY", "lnsDatatable", "lnsPie");
    private static final Map<String, String> LENS_DATA_TYPES = Map.of("keyword", "string", "ip", "ip", "long", "number",
            "float", "number", "date", "date", "boolean", "boolean");

    @Test
    void theDashboardIsMadeOfLensPanelsAndSavedSearchesOnly() throws Exception {
        assertEquals(List.of(), ofType("visualization").stream().map(o -> o.path("id").asText()).toList(),
                "no legacy aggregation-based visualizations");
        assertFalse(ofType("lens").isEmpty());
        JsonNode dashboard = ofType("dashboard").get(0);
        for (JsonNode p : JSON.readTree(dashboard.path("attributes").path("panelsJSON").asText())) {
            assertTrue(Set.of("lens", "search").contains(p.path("type").asText()), "panel " + p);
        }
        for (JsonNode r : dashboard.path("references")) {
            assertTrue(Set.of("lens", "search").contains(r.path("type").asText()), "reference " + r);
        }
    }

    @Test
    void lensVisualizationsAggregateOnFieldsWhoseTypeSupportsTheAggregation() {
        for (JsonNode v : ofType("lens")) {
            String id = v.path("id").asText();
            assertEquals("8.9.0", v.path("typeMigrationVersion").asText(), id + ": the Lens format of 8.9 on");
            JsonNode attributes = v.path("attributes");
            assertFalse(attributes.path("title").asText().isBlank(), id + " title");
            String type = attributes.path("visualizationType").asText();
            assertTrue(LENS_TYPES.contains(type), id + ": visualizationType " + type + " is not checked by this test; add it");
            JsonNode state = attributes.path("state");
            assertEquals(Set.of("formBased"), names(state.path("datasourceStates")), id + ": the form-based datasource only");
            JsonNode layers = state.at("/datasourceStates/formBased/layers");
            assertFalse(layers.isEmpty(), id + ": layers");
            Map<String, Set<String>> columnsByLayer = new HashMap<>();
            for (var it = layers.fields(); it.hasNext(); ) {
                var layer = it.next();
                String dataView = lensDataView(v, layer.getKey());
                JsonNode columns = layer.getValue().path("columns");
                List<String> order = new ArrayList<>();
                layer.getValue().path("columnOrder").forEach(c -> order.add(c.asText()));
                assertEquals(names(columns), new HashSet<>(order), id + ": columnOrder lists every column once");
                assertEquals(order.size(), new HashSet<>(order).size(), id + ": columnOrder " + order);
                for (var c = columns.fields(); c.hasNext(); ) checkLensColumn(id, dataView, columns, c.next());
                columnsByLayer.put(layer.getKey(), names(columns));
            }
            checkLensVisualization(id, type, state.path("visualization"), columnsByLayer);
            assertEquals("kuery", state.at("/query/language").asText(), id);
            for (String field : queryFields(state)) type(dataViewOfLens(v), field, id + " query");
        }
    }

    /** The alerts never carry source.as.* (no detection knows the addresses' ASN): no panel shows it. */
    @Test
    void noPanelShowsAFieldTheAlertsNeverCarry() {
        for (JsonNode v : ofType("lens")) {
            for (JsonNode layer : v.at("/attributes/state/datasourceStates/formBased/layers")) {
                for (JsonNode c : layer.path("columns")) {
                    assertFalse(c.path("sourceField").asText().startsWith("source.as."), v.path("id").asText() + ": " + c);
                }
            }
        }
    }

    private static void checkLensColumn(String id, String dataView, JsonNode columns, Map.Entry<String, JsonNode> column) {
        String where = id + " column " + column.getKey();
        JsonNode c = column.getValue();
        String operation = c.path("operationType").asText();
        String field = c.path("sourceField").asText();
        assertFalse(c.path("label").asText().isBlank(), where + ": label");
        switch (operation) {
            case "count":
                assertEquals("___records___", field, where + ": count of records");
                assertEquals("number", c.path("dataType").asText(), where);
                assertFalse(c.path("isBucketed").asBoolean(), where);
                return;
            case "date_histogram":
                assertEquals("date", type(dataView, field, where), where + ": date_histogram on " + field);
                assertTrue(c.path("isBucketed").asBoolean(), where);
                break;
            case "terms":
                assertTrue(AGGREGATABLE.contains(type(dataView, field, where)), where + ": terms on " + field
                        + " of type " + type(dataView, field, where) + " (text cannot be aggregated)");
                assertTrue(c.path("isBucketed").asBoolean(), where);
                assertTrue(c.at("/params/size").asInt() > 0, where + ": size");
                String orderBy = c.at("/params/orderBy/columnId").asText(null);
                assertTrue(orderBy == null || columns.has(orderBy), where + ": ordered by a column of its layer, " + orderBy);
                break;
            case "unique_count":
                assertTrue(AGGREGATABLE.contains(type(dataView, field, where)), where + ": unique_count on " + field);
                return;
            default:
                throw new AssertionError(where + ": operation " + operation + " is not checked by this test; add it");
        }
        assertEquals(LENS_DATA_TYPES.get(type(dataView, field, where)), c.path("dataType").asText(),
                where + ": dataType of " + field);
    }

    private static void checkLensVisualization(String id, String type, JsonNode vis, Map<String, Set<String>> columnsByLayer) {
        List<JsonNode> layers = new ArrayList<>();
        if (type.equals("lnsDatatable")) layers.add(vis);
        else vis.path("layers").forEach(layers::add);
        assertEquals(columnsByLayer.keySet(), layers.stream().map(l -> l.path("layerId").asText()).collect(Collectors.toSet()),
                id + ": the visualization's layers are the datasource's");
        for (JsonNode l : layers) {
            Set<String> columns = columnsByLayer.get(l.path("layerId").asText());
            assertEquals("data", l.path("layerType").asText(), id);
            List<String> used = new ArrayList<>();
            switch (type) {
                case "lnsXY":
                    assertFalse(l.path("seriesType").asText().isBlank(), id + ": seriesType");
                    used.add(l.path("xAccessor").asText());
                    if (l.has("splitAccessor")) used.add(l.path("splitAccessor").asText());
                    l.path("accessors").forEach(a -> used.add(a.asText()));
                    break;
                case "lnsDatatable":
                    l.path("columns").forEach(c -> used.add(c.path("columnId").asText()));
                    break;
                case "lnsPie":
                    l.path("primaryGroups").forEach(a -> used.add(a.asText()));
                    l.path("metrics").forEach(a -> used.add(a.asText()));
                    assertFalse(l.path("primaryGroups").isEmpty() || l.path("metrics").isEmpty(), id + ": groups and metrics");
                    break;
                default:
                    throw new AssertionError(type);
            }
            assertEquals(columns, new HashSet<>(used), id + ": the visualization shows every column of layer "
                    + l.path("layerId").asText() + " and no other");
        }
    }

    /** The data view of a Lens layer: its reference "indexpattern-datasource-layer-<layerId>". */
    private static String lensDataView(JsonNode lens, String layerId) {
        for (JsonNode r : lens.path("references")) {
            if (r.path("name").asText().equals("indexpattern-datasource-layer-" + layerId)) {
                assertEquals("index-pattern", r.path("type").asText(), lens.path("id").asText());
                String id = r.path("id").asText();
                assertTrue(fieldTypes.containsKey(id), lens.path("id").asText() + ": data view " + id + " has no mapping in this test");
                return id;
            }
        }
        throw new AssertionError(lens.path("id").asText() + ": no data view reference for layer " + layerId);
    }

    private static String dataViewOfLens(JsonNode lens) {
        return lensDataView(lens, lens.at("/attributes/state/datasourceStates/formBased/layers").fieldNames().next());
    }

    private static Set<String> names(JsonNode o) {
        Set<String> names = new HashSet<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void savedSearchesShowAndSortExistingFields() {
        for (JsonNode s : ofType("search")) {
            String id = s.path("id").asText();
            JsonNode attributes = s.path("attributes");
            assertTrue(attributes.path("columns").size() >= 4, id + ": the columns an analyst triages with");
            attributes.path("columns").forEach(c -> type(s, c.asText(), id + " column"));
            for (JsonNode sort : attributes.path("sort")) {
                String field = sort.get(0).asText();
                assertFalse(type(s, field, id + " sort").equals("text"), id + ": cannot sort on text field " + field);
            }
            checkQueryFields(s, id);
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
            } else if (o.path("type").asText().equals("lens")) {
                o.at("/attributes/state/datasourceStates/formBased/layers").fieldNames().forEachRemaining(layer ->
                        assertTrue(names.contains("indexpattern-datasource-layer-" + layer), o.path("id").asText() + " layer " + layer));
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

    /** The fields a KQL query names. */
    private static Set<String> queryFields(JsonNode searchSource) {
        Set<String> fields = new LinkedHashSet<>();
        Matcher m = KQL_FIELD.matcher(searchSource.path("query").path("query").asText());
        while (m.find()) fields.add(m.group(1));
        return fields;
    }

    private static void checkQueryFields(JsonNode o, String where) {
        for (String field : queryFields(searchSource(o))) type(o, field, where + " query");
    }
}
