package io.entrawatch.config;

import org.apache.flink.util.TimeUtils;

import java.time.Duration;

/**
 * Durations as users write them, with Flink's own parser ({@link TimeUtils#parseDuration}):
 * {@code 500 ms}, {@code 30 s}, {@code 5 min}, {@code 6 h}, {@code 14 d}, {@code 0}, ISO-8601 {@code PT5M}.
 * Stricter than Flink in one way: a number other than 0 needs a unit, so {@code --spray.window 10}
 * fails instead of meaning 10 milliseconds.
 */
public final class Durations {
    private Durations() {}

    public static Duration parse(String text) {
        String t = text.trim();
        if (t.matches("\\d+") && !t.matches("0+")) {
            throw new IllegalArgumentException("a duration needs a unit: ms, s, min, h or d (for example '" + t + " min')");
        }
        try {
            return TimeUtils.parseDuration(t);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("not a duration; write for example '500 ms', '30 s', '5 min', '6 h', '14 d' ("
                    + e.getMessage() + ")");
        }
    }

    /** The shortest exact text for a duration in its largest unit, e.g. {@code 10 min}. */
    public static String format(Duration d) {
        return TimeUtils.formatWithHighestUnit(d);
    }
}
