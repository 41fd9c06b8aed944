package io.entrawatch.config;

import org.apache.flink.configuration.MemorySize;

import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.function.Function;

/** One job option: its name on the command line and in job files, default, and what it does. */
public final class Option<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String name;
    /** Default as the user would write it; null when the option has no default. */
    public final String defaultText;
    public final String description;
    private final SerializableParser<T> parser;

    @FunctionalInterface
    public interface SerializableParser<T> extends Function<String, T>, Serializable {}

    Option(String name, String defaultText, String description, SerializableParser<T> parser) {
        this.name = name;
        this.defaultText = defaultText;
        this.description = description;
        this.parser = parser;
    }

    T parse(String text) {
        try {
            return parser.apply(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + name + " '" + text + "': " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "--" + name;
    }

    // ---- typed options, for the option groups of this package

    static Option<String> string(String name, String def, String description) {
        return new Option<>(name, def, description, s -> s);
    }

    static Option<Boolean> bool(String name, String def, String description) {
        return new Option<>(name, def, description, s -> {
            switch (s.toLowerCase(Locale.ROOT)) {
                case "true": case "yes": case "on": return true;
                case "false": case "no": case "off": return false;
                default: throw new IllegalArgumentException("expected true or false");
            }
        });
    }

    static Option<Integer> integer(String name, String def, String description) {
        return new Option<>(name, def, description, s -> {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number");
            }
        });
    }

    /** A whole number from {@code min} to {@code max}, both included. */
    static Option<Integer> integer(String name, String def, int min, int max, String description) {
        return new Option<>(name, def, description, s -> {
            int v;
            try {
                v = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number from " + min + " to " + max);
            }
            if (v < min || v > max) throw new IllegalArgumentException("expected a whole number from " + min + " to " + max);
            return v;
        });
    }

    static Option<Duration> duration(String name, String def, String description) {
        return new Option<>(name, def, description, Durations::parse);
    }

    static Option<java.time.Instant> instant(String name, String def, String description) {
        return new Option<>(name, def, description, s -> {
            try {
                return s.matches("-?\\d+") ? java.time.Instant.ofEpochMilli(Long.parseLong(s))
                        : java.time.OffsetDateTime.parse(s).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("expected an ISO-8601 instant such as 2025-11-14T00:00:00Z, or epoch millis");
            }
        });
    }

    static Option<MemorySize> bytes(String name, String def, String description) {
        return new Option<>(name, def, description, Option::memorySize);
    }

    static Option<List<String>> list(String name, String def, String description) {
        return new Option<>(name, def, description, s -> Arrays.stream(s.split(","))
                .map(String::trim).filter(x -> !x.isEmpty()).collect(Collectors.toUnmodifiableList()));
    }

    static Option<List<Integer>> intList(String name, String def, String description) {
        return new Option<>(name, def, description, s -> {
            try {
                return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty())
                        .map(Integer::valueOf).collect(Collectors.toCollection(TreeSet::new))
                        .stream().collect(Collectors.toUnmodifiableList());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected whole numbers separated by commas");
            }
        });
    }

    /** Sizes with Flink's own parser: {@code 512kb}, {@code 5mb}, {@code 1 gb} (1024-based). */
    static MemorySize memorySize(String s) {
        try {
            return MemorySize.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected a size such as 512kb or 5mb (" + e.getMessage() + ")");
        }
    }
}
