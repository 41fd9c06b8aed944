package io.entrawatch.ingest;

import io.entrawatch.config.Durations;
import io.entrawatch.model.Categories;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * When each sign-in category last arrived, and which of those the enabled detections read have been
 * silent for too long: the logic of {@link CategorySilenceWatch}, on times given by the caller (epoch
 * millis of the processing-time clock), so tests drive it.
 *
 * <p>A category a detection reads ({@link SourceCoverage#needs}) that has not arrived for
 * {@code silenceMs} (since it was last seen, or since the start) yields a warning naming the category,
 * the detections that read it and the Event Hubs read; while it stays silent the warning repeats every
 * {@code silenceMs}. Seeing it again ends the episode.
 */
public final class CategorySilence {
    private final Map<String, List<String>> needs;
    private final List<String> topics;
    private final long silenceMs;
    private final long startedAt;
    private final Map<String, Long> lastSeen = new HashMap<>();
    /** When the current silence of a category was last warned about; absent when it is not silent. */
    private final Map<String, Long> lastWarned = new HashMap<>();
    private final Map<String, Long> warnings = new HashMap<>();

    public CategorySilence(Map<String, List<String>> needs, List<String> topics, long silenceMs, long now) {
        if (silenceMs <= 0) throw new IllegalArgumentException("the silence must be positive");
        this.needs = Map.copyOf(needs);
        this.topics = List.copyOf(topics);
        this.silenceMs = silenceMs;
        this.startedAt = now;
    }

    /**
     * A sign-in of {@code category} arrived at {@code now}. Returns a line to log when this ends a silence
     * that was warned about, else null.
     */
    public String seen(String category, long now) {
        Long previous = lastSeen.put(category, now);
        if (previous != null && previous > now) lastSeen.put(category, previous); // clocks of several reporters
        Long warned = lastWarned.remove(category);
        if (warned == null) return null;
        long since = previous == null ? startedAt : previous;
        return category + " sign-ins arrive again after " + Durations.format(Duration.ofMillis(Math.max(0, now - since)))
                + " without any";
    }

    /** The warnings due at {@code now}: each needed category silent for the silence time, once per that time. */
    public List<String> check(long now) {
        List<String> due = new ArrayList<>();
        for (Map.Entry<String, List<String>> need : needs.entrySet()) {
            String category = need.getKey();
            long silent = silentFor(category, now);
            if (silent < silenceMs) continue;
            Long warned = lastWarned.get(category);
            if (warned != null && now - warned < silenceMs) continue;
            lastWarned.put(category, now);
            warnings.merge(category, 1L, Long::sum);
            due.add(warning(category, need.getValue(), silent));
        }
        return due;
    }

    /** Milliseconds since a sign-in of {@code category} last arrived, or since the start when none has. */
    public long silentFor(String category, long now) {
        return Math.max(0, now - lastSeen.getOrDefault(category, startedAt));
    }

    /** The warnings given so far for {@code category}. */
    public long warnings(String category) {
        return warnings.getOrDefault(category, 0L);
    }

    public boolean everSeen(String category) {
        return lastSeen.containsKey(category);
    }

    private String warning(String category, List<String> detections, long silent) {
        Long seen = lastSeen.get(category);
        String hub = Categories.azureEventHubOf(category);
        String hint;
        if (topics.contains(hub)) {
            hint = "check that the Entra diagnostic setting streams " + category + " (Azure writes it to " + hub
                    + " when the setting names no Event Hub), or whether the tenant has had none";
        } else if (topics.stream().anyMatch(t -> Categories.categoryOfAzureEventHub(t).isPresent())) {
            hint = "Azure writes " + category + " to " + hub + " when the diagnostic setting names no Event Hub: add it to "
                    + "--source.topic, or check that the setting streams " + category;
        } else {
            hint = "check that the Entra diagnostic setting streams " + category + " to one of these Event Hubs";
        }
        return "no " + category + " sign-in for " + Durations.format(Duration.ofMillis(silent))
                + (seen == null ? " (none since the job started)" : " (the last arrived at " + Instant.ofEpochMilli(seen) + ")")
                + ": " + SourceCoverage.readers(detections) + " read them and see none; the job reads "
                + "the Event Hubs " + String.join(", ", topics) + ". " + Character.toUpperCase(hint.charAt(0)) + hint.substring(1);
    }
}
