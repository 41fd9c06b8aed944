package io.entrawatch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Alerts as Elasticsearch holds them, compared with the alerts jobs/replay writes: the alert sink adds
 * {@code event.created} and {@code event.ingested} (the time it sent the document), which replay output
 * never has. {@link #withoutSendTimes} checks they are there and takes them out.
 */
public final class SentAlerts {
    private SentAlerts() {}

    /**
     * A copy of {@code source} without {@code event.created} and {@code event.ingested} when it is an alert
     * ({@code event.kind} alert), after checking that both are there, ISO-8601 instants, and equal; any
     * other document is returned as it is.
     */
    public static JsonNode withoutSendTimes(JsonNode source) {
        if (!source.at("/event/kind").asText().equals("alert")) return source;
        ObjectNode copy = source.deepCopy();
        ObjectNode event = (ObjectNode) copy.get("event");
        String id = source.at("/rule/id").asText() + " " + source.path("@timestamp").asText();
        JsonNode created = event.remove("created");
        JsonNode ingested = event.remove("ingested");
        if (created == null || ingested == null) {
            throw new AssertionError("alert " + id + " was sent without event.created and event.ingested: " + source.path("event"));
        }
        try {
            Instant.parse(created.asText());
        } catch (DateTimeParseException e) {
            throw new AssertionError("alert " + id + ": event.created is not an ISO-8601 instant: " + created, e);
        }
        if (!created.equals(ingested)) {
            throw new AssertionError("alert " + id + ": event.created " + created + " and event.ingested " + ingested
                    + " are the one send time");
        }
        return copy;
    }
}
