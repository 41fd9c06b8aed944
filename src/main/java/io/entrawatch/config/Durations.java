package io.entrawatch.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations as users write them: {@code 5 min}, {@code 10m}, {@code 6 h}, {@code 14 d}, {@code 0}, {@code PT5M}. */
public final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*([a-z]*)");

    private Durations() {}

    public static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("pt") || t.startsWith("p")) {
            return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        }
        Matcher m = SIMPLE.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration; write for example '500 ms', '30 s', '5 min', '6 h', '14 d'");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms": case "milli": case "millis": case "milliseconds": return Duration.ofMillis(n);
            case "s": case "sec": case "secs": case "second": case "seconds": return Duration.ofSeconds(n);
            case "m": case "min": case "mins": case "minute": case "minutes": return Duration.ofMinutes(n);
            case "h": case "hour": case "hours": return Duration.ofHours(n);
            case "d": case "day": case "days": return Duration.ofDays(n);
            case "":
                if (n == 0) return Duration.ZERO;
                throw new IllegalArgumentException("a duration needs a unit (ms, s, min, h, d)");
            default:
                throw new IllegalArgumentException("unknown unit '" + m.group(2) + "'; use ms, s, min, h or d");
        }
    }

    /** The shortest exact text for a duration, e.g. {@code 10 min}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) return "0";
        if (ms % 86_400_000L == 0) return ms / 86_400_000L + " d";
        if (ms % 3_600_000L == 0) return ms / 3_600_000L + " h";
        if (ms % 60_000L == 0) return ms / 60_000L + " min";
        if (ms % 1000L == 0) return ms / 1000L + " s";
        return ms + " ms";
    }
}
