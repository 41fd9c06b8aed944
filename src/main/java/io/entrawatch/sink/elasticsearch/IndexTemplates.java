package io.entrawatch.sink.elasticsearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The composable index templates of the alert and dead-letter indices (ECS types for alerts; a
 * dead-letter mapping that cannot refuse a payload), from {@code elasticsearch/*.json} in the job jar,
 * and the names around them. What they contain, not how they get there: {@link IndexTemplateInstaller}
 * installs them.
 *
 * <p>Each template is named after its index and matches the index itself and {@code <index>-*}
 * (rollover-style backing indices behind a write alias). The dead-letter template has the higher
 * priority, so it wins if the alert pattern happens to cover the dead-letter index.
 */
public final class IndexTemplates {
    static final String ALERTS_RESOURCE = "/elasticsearch/alerts-template.json";
    static final String DEAD_LETTERS_RESOURCE = "/elasticsearch/dead-letters-template.json";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private IndexTemplates() {}

    /** The template name for an index: the index name itself (template names are their own namespace). */
    public static String templateName(String index) {
        return index;
    }

    /** The first backing index behind the write alias {@code name}: {@code name-000001} (ILM rollover's naming). */
    public static String firstBackingIndex(String name) {
        return name + "-000001";
    }

    /** The optional component template that adds ILM settings (installed by deploy/elasticsearch/install). */
    public static String lifecycleComponentTemplate(String name) {
        return name + "-lifecycle";
    }

    /** The alert template, matching {@code alertIndex} and {@code alertIndex-*}. */
    static byte[] alertTemplate(String alertIndex) {
        return withPatterns(ALERTS_RESOURCE, alertIndex);
    }

    /** The dead-letter template, matching {@code deadLetterIndex} and {@code deadLetterIndex-*}. */
    static byte[] deadLetterTemplate(String deadLetterIndex) {
        return withPatterns(DEAD_LETTERS_RESOURCE, deadLetterIndex);
    }

    static ObjectNode load(String resource) {
        try (InputStream in = IndexTemplates.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is missing from the job jar");
            return (ObjectNode) MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static byte[] withPatterns(String resource, String index) {
        if (index.contains("*") || index.contains(",")) {
            throw new IllegalArgumentException("index '" + index + "' must be a plain index or alias name");
        }
        ObjectNode template = load(resource);
        template.putArray("index_patterns").add(index).add(index + "-*");
        // ILM settings come from an optional component template, so the same template works on
        // clusters with and without ILM (deploy/elasticsearch/install adds it)
        template.putArray("composed_of").add(lifecycleComponentTemplate(index));
        template.putArray("ignore_missing_component_templates").add(lifecycleComponentTemplate(index));
        try {
            return MAPPER.writeValueAsBytes(template);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
