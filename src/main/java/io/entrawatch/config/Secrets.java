package io.entrawatch.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Secrets come from a file named by an option or from an environment variable, never from the
 * command line (it shows in process lists and in Flink's web UI), and are never logged.
 */
public final class Secrets {
    public static final String EVENTHUBS_ENV = "EVENTHUBS_CONNECTION_STRING";
    public static final String ES_PASSWORD_ENV = "ES_PASSWORD";
    public static final String ES_API_KEY_ENV = "ES_API_KEY";

    private Secrets() {}

    /** The secret from {@code file} when given, else from {@code envVar}; null when neither is set. */
    public static String read(String file, String envVar, Map<String, String> env) {
        if (file != null) {
            try {
                String s = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
                if (s.isEmpty()) throw new IllegalArgumentException("secret file " + file + " is empty");
                return s;
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read secret file " + file + ": " + e.getClass().getSimpleName(), e);
            }
        }
        String v = env.get(envVar);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** Masks a secret for messages: never more than its length class. */
    public static String mask(String secret) {
        return secret == null ? "(none)" : "(" + secret.length() + " characters, hidden)";
    }
}
