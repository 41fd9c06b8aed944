package io.entrawatch.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's configuration table documents every option the job knows, and no option it does not. */
class ReadmeTest {
    @Test
    void configurationTableListsEveryOptionWithItsDefault() throws Exception {
        List<String> readme = Files.readAllLines(Path.of("README.md"));
        List<String> missing = JobOptions.all().stream()
                .filter(o -> readme.stream().noneMatch(l -> l.startsWith("| `--" + o.name + "` | "
                        + (o.defaultText == null ? "—" : "`" + o.defaultText + "`") + " |")))
                .map(o -> o.name).collect(Collectors.toList());
        assertEquals(List.of(), missing, "options missing from README.md (or with another default there)");
        List<String> documented = readme.stream().filter(l -> l.startsWith("| `--"))
                .map(l -> l.substring(5, l.indexOf('`', 5))).collect(Collectors.toList());
        List<String> unknown = documented.stream()
                .filter(n -> JobOptions.all().stream().noneMatch(o -> o.name.equals(n))).collect(Collectors.toList());
        assertEquals(List.of(), unknown, "README.md documents options the job does not know");
    }
}
