package io.entrawatch.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No package imports a package above it. The data flows ingest -> detect -> sink; the pipeline wires
 * them and the jobs (production, replay) choose sources and sinks. The Elasticsearch sink knows
 * nothing of the job (it could be lifted into its own module), and a detection package knows nothing
 * of the other detections.
 */
class LayersTest {
    private static final Path MAIN = Path.of("src", "main", "java", "io", "entrawatch");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.entrawatch\\.([a-z]+(?:\\.[a-z]+)*)\\.[A-Z]",
            Pattern.MULTILINE);

    /** Package -> the packages of this project it may import (sub-packages listed separately). */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("model", Set.of()),
            Map.entry("metrics", Set.of()),
            Map.entry("config", Set.of("sink.elasticsearch")), // maps the job's options onto the connectors
            Map.entry("enrich", Set.of()),
            Map.entry("detect", Set.of("model", "metrics", "config")),
            Map.entry("detect.spray", Set.of("detect", "model", "metrics", "config")),
            Map.entry("detect.rareapp", Set.of("detect", "model", "metrics", "config")),
            Map.entry("detect.sso", Set.of("detect", "model", "metrics", "config")),
            Map.entry("detect.validcreds", Set.of("detect", "model", "metrics", "config")),
            Map.entry("ingest", Set.of("model", "metrics", "config", "enrich", "detect")),
            Map.entry("sink.elasticsearch", Set.of("model")),
            Map.entry("exceptions", Set.of("model", "metrics", "config", "sink.elasticsearch")),
            Map.entry("preflight", Set.of("sink.elasticsearch", "ingest", "config")),
            Map.entry("pipeline", Set.of("detect", "detect.spray", "detect.rareapp", "detect.sso", "detect.validcreds",
                    "ingest", "enrich", "exceptions",
                    "model", "metrics", "config")),
            Map.entry("replay", Set.of("pipeline", "exceptions", "sink.elasticsearch", "ingest", "model", "metrics", "config")));

    @Test
    void noPackageShouldImportAPackageAboveIt() throws IOException {
        Set<String> violations = new TreeSet<>();
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                Path dir = MAIN.relativize(file.getParent());
                if (dir.toString().isEmpty()) continue; // the jobs' main classes sit on top of everything
                String pkg = dir.toString().replace(file.getFileSystem().getSeparator(), ".");
                packages.add(pkg);
                Set<String> allowed = ALLOWED.get(pkg);
                if (allowed == null) {
                    violations.add(pkg + " is a new package: give it its place in LayersTest.ALLOWED");
                    continue;
                }
                Matcher m = IMPORT.matcher(Files.readString(file, StandardCharsets.UTF_8));
                while (m.find()) {
                    String imported = m.group(1);
                    if (!imported.equals(pkg) && !allowed.contains(imported)) {
                        violations.add(MAIN.relativize(file) + " imports io.entrawatch." + imported);
                    }
                }
            }
        }
        assertTrue(packages.containsAll(List.of("model", "detect", "ingest", "pipeline", "sink.elasticsearch")), "scanned " + packages);
        assertEquals(Set.of(), violations);
    }
}
