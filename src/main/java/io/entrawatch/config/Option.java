package io.entrawatch.config;

import java.io.Serializable;
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
}
