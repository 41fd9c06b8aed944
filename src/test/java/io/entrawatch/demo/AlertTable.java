package io.entrawatch.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.config.ElasticsearchOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.sink.elasticsearch.ConnectionSettings;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints the alerts an analyst would see, straight from Elasticsearch: waits (with a timeout) until the
 * alert index holds at least {@code --expect N} alerts and the count has stopped changing, then prints
 * one line per alert. Used by {@code jobs/demo}; takes the job's {@code --es.*} options.
 *
 * <pre>AlertTable [--expect N] [--timeout-seconds S] [--es.* options]</pre>
 */
public final class AlertTable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertTable() {}

    public static void main(String[] args) throws Exception {
        int expect = 1;
        long timeoutSeconds = 180;
        List<String> jobArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--expect")) expect = Integer.parseInt(args[++i]);
            else if (args[i].equals("--timeout-seconds")) timeoutSeconds = Long.parseLong(args[++i]);
            else jobArgs.add(args[i]);
        }
        JobOptions options = JobOptions.parse(jobArgs.toArray(new String[0]), null);
        ConnectionSettings settings = ElasticsearchOptions.connection(options, System.getenv());
        String index = options.get(ElasticsearchOptions.INDEX);
        try (RestClient client = settings.createClient(Duration.ofSeconds(30))) {
            long count = waitForAlerts(client, index, expect, timeoutSeconds, System.err);
            JsonNode hits = get(client, "/" + index + "/_search?size=1000&sort=@timestamp:asc,rule.id:asc")
                    .at("/hits/hits");
            print(hits, System.out);
            if (count < expect) {
                System.err.printf(Locale.ROOT, "only %d of the %d expected alerts arrived within %d s%n", count, expect, timeoutSeconds);
                System.exit(1);
            }
        }
    }

    /** Polls the count until it reaches {@code expect} and is unchanged for 5 s, or the timeout passes. */
    static long waitForAlerts(RestClient client, String index, int expect, long timeoutSeconds, PrintStream progress)
            throws Exception {
        long deadline = System.currentTimeMillis() + timeoutSeconds * 1000;
        long last = -1;
        long stableSince = System.currentTimeMillis();
        long lastReport = 0;
        while (System.currentTimeMillis() < deadline) {
            long count = count(client, index);
            long now = System.currentTimeMillis();
            if (count != last) {
                last = count;
                stableSince = now;
            }
            if (count >= expect && now - stableSince >= 5000) return count;
            if (now - lastReport >= 5000) {
                lastReport = now;
                progress.printf(Locale.ROOT, "waiting for alerts in %s: %d so far (expecting %d)%n", index, count, expect);
            }
            Thread.sleep(500);
        }
        return last;
    }

    static long count(RestClient client, String index) throws Exception {
        try {
            client.performRequest(new Request("POST", "/" + index + "/_refresh"));
            return get(client, "/" + index + "/_count").get("count").asLong();
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) return 0; // no alert written yet
            throw e;
        }
    }

    static JsonNode get(RestClient client, String path) throws Exception {
        return JSON.readTree(client.performRequest(new Request("GET", path)).getEntity().getContent());
    }

    /** The rule whose alerts name accounts to act on now: printed first, every alert of it. */
    static final String ACT_FIRST = "valid-credentials";

    /**
     * Alerts grouped by rule, with what an analyst looks at first: the valid-credentials alerts (accounts
     * whose password a spraying address knows) first and all of them, then the other rules, at most
     * {@code perRule} lines each.
     */
    static void print(JsonNode hits, PrintStream out) {
        int perRule = 8;
        java.util.Map<String, List<JsonNode>> byRule = new java.util.TreeMap<>(
                java.util.Comparator.comparing((String rule) -> !rule.equals(ACT_FIRST)).thenComparing(rule -> rule));
        for (JsonNode h : hits) byRule.computeIfAbsent(h.get("_source").at("/rule/category").asText(), k -> new ArrayList<>())
                .add(h.get("_source"));
        List<JsonNode> act = byRule.getOrDefault(ACT_FIRST, List.of());
        if (!act.isEmpty()) {
            out.printf(Locale.ROOT, "%nACT NOW: %d account%s whose password a spraying address presented: reset the password, "
                    + "revoke the sessions, check what the account did after the sign-in%n", act.size(), act.size() == 1 ? "" : "s");
        }
        for (var e : byRule.entrySet()) {
            int limit = e.getKey().equals(ACT_FIRST) ? Integer.MAX_VALUE : perRule;
            List<JsonNode> alerts = e.getValue();
            out.printf(Locale.ROOT, "%n%s: %d alert%s (%s)%n", e.getKey(), alerts.size(), alerts.size() == 1 ? "" : "s",
                    alerts.get(0).at("/rule/name").asText());
            out.printf(Locale.ROOT, "  %-20s  %-36s  %-62s  %5s  %s%n", "@timestamp", "tenant", "what", "count", "evidence");
            for (JsonNode a : alerts.subList(0, Math.min(limit, alerts.size()))) {
                out.printf(Locale.ROOT, "  %-20s  %-36s  %-62s  %5s  %s%n", a.at("/@timestamp").asText(),
                        a.at("/azure/tenant_id").asText(), what(a), count(a), evidence(a));
            }
            if (alerts.size() > limit) out.printf(Locale.ROOT, "  ... and %d more in Elasticsearch%n", alerts.size() - limit);
        }
        out.printf(Locale.ROOT, "%n%d alerts%n", hits.size());
    }

    private static String what(JsonNode a) {
        if (!a.at("/detection/hit_count").isMissingNode()) {
            return a.at("/user/name").asText() + " from " + a.at("/source/ip").asText() + " ("
                    + a.at("/detection/severity").asText() + ")";
        }
        if (a.has("azure") && a.at("/azure/signinlogs/properties/status/error_code").isNumber()) {
            return "error " + a.at("/azure/signinlogs/properties/status/error_code").asText();
        }
        if (!a.at("/detection/failed_count").isMissingNode()) {
            return a.at("/azure/signinlogs/properties/user_principal_name").asText() + " / "
                    + a.at("/azure/signinlogs/properties/app_display_name").asText("?");
        }
        return a.at("/source/ip").asText(a.at("/source/ip/0").asText()) + " " + a.at("/azure/signinlogs/result_type").asText()
                + " " + a.at("/detection/table").asText();
    }

    private static String count(JsonNode a) {
        for (String f : List.of("/detection/unique_user_count", "/detection/failed_count", "/detection/distinct_accounts",
                "/detection/hit_count")) {
            if (!a.at(f).isMissingNode()) return a.at(f).asText();
        }
        return "";
    }

    private static String evidence(JsonNode a) {
        List<String> parts = new ArrayList<>();
        if (!a.at("/detection/hit_count").isMissingNode()) {
            parts.add("outcome " + a.at("/event/outcome").asText() + ", codes " + a.at("/detection/result_codes")
                    + ", sprayed " + a.at("/detection/spray/failed_user_count").asText() + " users at "
                    + a.at("/detection/spray/window/start").asText());
            return String.join("  ", parts);
        }
        JsonNode users = a.at("/user/name");
        if (users.isArray()) parts.add(first(users, 2));
        JsonNode ips = a.at("/source/ip");
        if (ips.isArray()) parts.add(first(ips, 3));
        return String.join("  ", parts);
    }

    private static String first(JsonNode array, int n) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> { if (values.size() < n) values.add(v.asText()); });
        return String.join(", ", values) + (array.size() > n ? ", ..." : "");
    }
}
