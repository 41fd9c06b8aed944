package io.entrawatch.ingest;

import io.entrawatch.detect.Detection;
import io.entrawatch.model.Categories;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which sign-in categories the enabled detections read ({@link Detection#categories}), and whether
 * {@code --source.topic} plainly leaves one of them out. Azure writes each category to an Event Hub of
 * its own ({@link Categories#azureEventHubOf}) when the diagnostic setting names none; a topic list made
 * of those names but without the hub of a category a detection reads means that detection never sees
 * those sign-ins, and nothing fails. (Hubs of other names may carry any categories, so a list without
 * an Azure-named hub says nothing.)
 */
public final class SourceCoverage {
    private SourceCoverage() {}

    /** Category -> the short names of the detections that read it, categories in {@link Categories#SIGN_IN_CATEGORIES} order. */
    public static Map<String, List<String>> needs(List<Detection> detections) {
        Map<String, List<String>> needs = new LinkedHashMap<>();
        for (String category : Categories.SIGN_IN_CATEGORIES) {
            List<String> readers = new ArrayList<>();
            for (Detection d : detections) {
                if (d.categories().contains(category)) readers.add(d.metadata().shortName);
            }
            if (!readers.isEmpty()) needs.put(category, List.copyOf(readers));
        }
        return needs;
    }

    /**
     * One line per category a detection reads whose Azure-named Event Hub is missing from {@code topics},
     * when {@code topics} holds at least one Azure-named sign-in hub (the list follows Azure's per-category
     * naming); none otherwise.
     */
    public static List<String> topicListWarnings(List<String> topics, Map<String, List<String>> needs) {
        if (topics.stream().noneMatch(t -> Categories.categoryOfAzureEventHub(t).isPresent())) return List.of();
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, List<String>> need : needs.entrySet()) {
            String hub = Categories.azureEventHubOf(need.getKey());
            if (topics.contains(hub)) continue;
            warnings.add("--source.topic (" + String.join(",", topics) + ") lacks " + hub + ", the Event Hub Azure writes "
                    + need.getKey() + " to when the diagnostic setting names none, and " + readers(need.getValue())
                    + " would run without them: add " + hub + " to --source.topic, or have the diagnostic setting send "
                    + need.getKey() + " to one of the Event Hubs read");
        }
        return warnings;
    }

    /** The sign-in category whose Azure-named Event Hub {@code topic} is ({@link Categories#categoryOfAzureEventHub}). */
    public static java.util.Optional<String> categoryOfAzureEventHub(String topic) {
        return Categories.categoryOfAzureEventHub(topic);
    }

    /** "detection password-spray" or "detections rare-app, sso-spray", for messages. */
    static String readers(List<String> detections) {
        return (detections.size() == 1 ? "detection " : "detections ") + String.join(", ", detections);
    }
}
