package io.entrawatch.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
        ConnectionSettings settings = ConnectionSettings.fromOptions(options, System.getenv());
        String index = options.get(JobOptions.ES_INDEX);
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

    static void print(JsonNode hits, PrintStream out) {
        out.printf(Locale.ROOT, "%-20s  %-14s  %-36s  %-5s  %5s  %-52s  %s%n", "window end", "rule", "tenant",
                "error", "users", "first users", "source IPs");
        for (JsonNode h : hits) {
            JsonNode a = h.get("_source");
            List<String> users = new ArrayList<>();
            a.at("/user/name").forEach(u -> { if (users.size() < 2) users.add(u.asText()); });
            List<String> ips = new ArrayList<>();
            a.at("/source/ip").forEach(ip -> { if (ips.size() < 3) ips.add(ip.asText()); });
            out.printf(Locale.ROOT, "%-20s  %-14s  %-36s  %-5s  %5s  %-52s  %s%n", a.at("/@timestamp").asText(),
                    a.at("/rule/category").asText(), a.at("/azure/tenant_id").asText(),
                    a.at("/azure/signinlogs/properties/status/error_code").asText(""),
                    a.at("/detection/unique_user_count").asText(""), String.join(", ", users) + (a.at("/user/name").size() > 2 ? ", ..." : ""),
                    String.join(", ", ips) + (a.at("/source/ip").size() > 3 ? ", ..." : ""));
        }
        out.printf(Locale.ROOT, "%d alerts%n", hits.size());
    }
}
