package io.entrawatch.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of KQL (Kibana Query Language, a detection rule's {@code language: kuery}) that the entrawatch
 * promotion rule uses: {@code field:value} clauses joined by {@code and}, values bare or in double quotes
 * without escapes. Anything else ({@code or}, {@code not}, parentheses, wildcards, ranges) is refused, so a
 * rule edited beyond this subset fails its tests instead of being checked wrongly.
 *
 * <p>Kibana's KQL translation turns {@code field:value} into a {@code bool} whose one {@code should} is a
 * {@code match} ({@code match_phrase} for a quoted value) with {@code minimum_should_match: 1}, and
 * {@code a and b} into a {@code bool} of filters; {@link #toQueryDsl} writes that form, {@link #toLucene}
 * the same conditions as a {@code query_string}, and {@link #matches} evaluates them on a document (on a
 * keyword field all three mean "the field has exactly this value").
 */
final class KqlSubset {
    /** One {@code field:value} clause; {@code quoted} when the value was written in double quotes. */
    record Clause(String field, String value, boolean quoted) {}

    private static final Pattern CLAUSE = Pattern.compile("([A-Za-z_@][A-Za-z0-9_.@]*)\\s*:\\s*(?:\"([^\"\\\\*]*)\"|([^\\s()\"\\\\*:<>]+))");
    private static final Pattern AND = Pattern.compile("\\s+and\\s+", Pattern.CASE_INSENSITIVE);

    private KqlSubset() {}

    static List<Clause> parse(String kql) {
        List<Clause> clauses = new ArrayList<>();
        for (String part : AND.split(kql.strip())) {
            Matcher m = CLAUSE.matcher(part.strip());
            if (!m.matches()) throw new IllegalArgumentException("not a field:value clause of the supported KQL subset: '" + part + "' in " + kql);
            String value = m.group(2) != null ? m.group(2) : m.group(3);
            if (List.of("or", "not", "and").contains(value.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("a keyword as a value: " + kql);
            }
            clauses.add(new Clause(m.group(1), value, m.group(2) != null));
        }
        return clauses;
    }

    /** Whether {@code doc} (an {@code _source}) has, for every clause, the value at the clause's field (one of them, for arrays). */
    static boolean matches(List<Clause> clauses, JsonNode doc) {
        for (Clause c : clauses) {
            JsonNode v = doc;
            for (String part : c.field().split("\\.")) v = v.path(part);
            boolean any = false;
            if (v.isArray()) {
                for (JsonNode e : v) any |= e.isValueNode() && e.asText().equals(c.value());
            } else {
                any = v.isValueNode() && v.asText().equals(c.value());
            }
            if (!any) return false;
        }
        return true;
    }

    /** The Query DSL Kibana's KQL translation gives for these clauses. */
    static ObjectNode toQueryDsl(List<Clause> clauses) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode query = f.objectNode();
        var filter = query.putObject("bool").putArray("filter");
        for (Clause c : clauses) {
            ObjectNode bool = filter.addObject().putObject("bool");
            bool.putArray("should").addObject().putObject(c.quoted() ? "match_phrase" : "match").put(c.field(), c.value());
            bool.put("minimum_should_match", 1);
        }
        return query;
    }

    /** The same conditions in Lucene syntax, for a {@code query_string} query. */
    static String toLucene(List<Clause> clauses) {
        List<String> parts = new ArrayList<>();
        for (Clause c : clauses) parts.add(c.field() + ":\"" + c.value() + "\"");
        return String.join(" AND ", parts);
    }
}
