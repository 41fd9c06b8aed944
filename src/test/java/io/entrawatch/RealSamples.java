package io.entrawatch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The published Entra records in ../shared/data/real-samples (one JSON record per line), when that folder
 * sits beside the checkout. They are not part of the project (Elastic License 2.0): the tests that must
 * always run use {@link SignInFixtures}; the check against these samples is skipped when they are absent.
 */
public final class RealSamples {
    /** The samples folder, or null when this checkout has none beside it. */
    public static final Path DIR = locate();

    private RealSamples() {}

    private static Path locate() {
        for (Path p : List.of(Path.of("..", "shared", "data", "real-samples"), Path.of("shared", "data", "real-samples"))) {
            if (Files.isDirectory(p)) return p.toAbsolutePath().normalize();
        }
        return null;
    }

    public static boolean available() {
        return DIR != null;
    }

    /** Why the published-sample checks do not run, for assumption messages and logs. */
    public static String absentReason() {
        return "../shared/data/real-samples not found beside " + Path.of("").toAbsolutePath()
                + ": published-sample check skipped (the project's own fixtures in src/test/resources/fixtures/sign-ins still run)";
    }

    private static Path dir() {
        if (DIR == null) throw new IllegalStateException(absentReason());
        return DIR;
    }

    public static List<Path> logFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir())) {
            return s.filter(p -> p.toString().endsWith(".log")).sorted().collect(Collectors.toList());
        }
    }

    /** Non-blank lines of a sample file; a file's last line may lack its newline. */
    public static List<String> records(String fileName) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir().resolve(fileName), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) out.add(line);
        }
        return out;
    }
}
