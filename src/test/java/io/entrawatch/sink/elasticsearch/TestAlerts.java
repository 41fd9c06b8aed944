package io.entrawatch.sink.elasticsearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.model.Alert;

import java.time.Instant;

/** Alerts shaped like detection A's (docs/detections.md section 6), built from a number so tests read as scenarios. */
final class TestAlerts {
    static final Instant WINDOW_END = Instant.parse("2025-03-01T10:00:00Z");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TestAlerts() {}

    /** Alert number {@code n}: id {@code A:<tenant>:<n>}, severity as given, source IP 10.0.x.y. */
    static Alert alert(long n, String severity) {
        return alert(n, severity, "10.0." + (n / 250 % 250) + "." + (n % 250 + 1));
    }

    static Alert alert(long n, String severity, String sourceIp) {
        Instant end = WINDOW_END.plusSeconds(600 * n);
        ObjectNode doc = MAPPER.createObjectNode();
        doc.put("@timestamp", end.toString());
        doc.putObject("event").put("kind", "alert").put("severity", 47);
        doc.putObject("rule").put("id", "A").put("name", "Password spray from one IP")
                .put("description", "Many distinct users fail to sign in from one source address.");
        doc.putObject("threat").putObject("technique").putArray("id").add("T1110.003").add("T1078.004");
        doc.putObject("azure").put("tenant_id", "tenant-1").putObject("signinlogs").putObject("properties")
                .putObject("status").put("error_code", 50126);
        ObjectNode window = doc.putObject("detection").put("unique_user_count", 12 + n % 5).put("severity", severity)
                .putObject("window");
        window.put("start", end.minusSeconds(600).toString()).put("end", end.toString());
        doc.putObject("user").putArray("name").add("alice" + n + "@example.com").add("bob@example.com");
        doc.putObject("source").putArray("ip").add(sourceIp);
        String id = "A:tenant-1:50126:" + n;
        return new Alert(id, "A", end.toEpochMilli(), doc.toString());
    }

    /** Body of a GET, or null on 404. */
    static String get(org.elasticsearch.client.RestClient client, String endpoint) throws java.io.IOException {
        try {
            return org.apache.http.util.EntityUtils.toString(
                    client.performRequest(new org.elasticsearch.client.Request("GET", endpoint)).getEntity());
        } catch (org.elasticsearch.client.ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) return null;
            throw e;
        }
    }
}
