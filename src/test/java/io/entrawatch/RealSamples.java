package io.entrawatch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The published Entra records in ../shared/data/real-samples (one JSON record per line). */
public final class RealSamples {
    public static final Path DIR = locate();

    private RealSamples() {}

    private static Path locate() {
        for (Path p : List.of(Path.of("..", "shared", "data", "real-samples"), Path.of("shared", "data", "real-samples"))) {
            if (Files.isDirectory(p)) return p.toAbsolutePath().normalize();
        }
        throw new IllegalStateException("../shared/data/real-samples not found beside the project "
                + "(the steering repository's shared/ folder must sit next to this checkout)");
    }

    public static List<Path> logFiles() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".log")).sorted().collect(Collectors.toList());
        }
    }

    /** Non-blank lines of a sample file; a file's last line may lack its newline. */
    public static List<String> records(String fileName) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(DIR.resolve(fileName), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) out.add(line);
        }
        return out;
    }
}
