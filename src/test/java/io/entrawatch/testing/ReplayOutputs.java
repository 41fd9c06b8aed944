package io.entrawatch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertNull;

/** Reading the alerts jobs/replay wrote (one document per line) in tests. */
public final class ReplayOutputs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReplayOutputs() {}

    /**
     * The alerts of one rule in a replay output, by the key that makes such an alert unique; fails when a
     * key is there twice (the contract's "one alert per ...").
     */
    public static Map<String, JsonNode> alertsOf(Path out, String ruleId, Function<JsonNode, String> keyOf) throws IOException {
        Map<String, JsonNode> alerts = new TreeMap<>();
        for (String line : Files.readAllLines(out)) {
            JsonNode a = JSON.readTree(line);
            if (!a.at("/rule/id").asText().equals(ruleId)) continue;
            String key = keyOf.apply(a);
            assertNull(alerts.put(key, a), "one alert per key: " + key);
        }
        return alerts;
    }
}
