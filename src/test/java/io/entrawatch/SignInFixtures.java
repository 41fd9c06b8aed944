package io.entrawatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The project's own sign-in fixtures in src/test/resources/fixtures/sign-ins: invented records, one JSON
 * record per line, each file reproducing one quirk of real Entra exports (the README there lists them).
 */
public final class SignInFixtures {
    public static final String RESOURCE_DIR = "/fixtures/sign-ins/";

    private SignInFixtures() {}

    /** The folder on the test classpath (a directory: tests run from target/test-classes). */
    public static Path dir() {
        URL url = SignInFixtures.class.getResource(RESOURCE_DIR);
        if (url == null) throw new IllegalStateException(RESOURCE_DIR + " is not on the test classpath");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every fixture file, sorted by name. */
    public static List<Path> files() {
        try (Stream<Path> s = Files.list(dir())) {
            return s.filter(p -> p.toString().endsWith(".jsonl")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Non-blank lines of one fixture file. */
    public static List<String> records(String fileName) {
        Path file = dir().resolve(fileName);
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no fixture " + RESOURCE_DIR + fileName);
        try {
            List<String> out = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) out.add(line);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One record of a fixture file, by 1-based line number (as the README cites them). */
    public static String line(String fileName, int lineNumber) {
        return records(fileName).get(lineNumber - 1);
    }
}
