package io.entrawatch.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documentation matches the code and stands on its own: docs/configuration.md documents every option
 * the job knows and no option it does not; every relative link in README.md and docs/*.md reaches an
 * existing file (and heading); and nothing the repository ships points outside it.
 */
class ReadmeTest {
    private static final Path CONFIGURATION = Path.of("docs", "configuration.md");
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

    @Test
    void configurationTableListsEveryOptionWithItsDefault() throws Exception {
        List<String> doc = Files.readAllLines(CONFIGURATION);
        List<String> missing = JobOptions.all().stream()
                .filter(o -> doc.stream().noneMatch(l -> l.startsWith("| `--" + o.name + "` | "
                        + (o.defaultText == null ? "—" : "`" + o.defaultText + "`") + " |")))
                .map(o -> o.name).collect(Collectors.toList());
        assertEquals(List.of(), missing, "options missing from " + CONFIGURATION + " (or with another default there)");
        List<String> documented = doc.stream().filter(l -> l.startsWith("| `--"))
                .map(l -> l.substring(5, l.indexOf('`', 5))).collect(Collectors.toList());
        List<String> unknown = documented.stream()
                .filter(n -> JobOptions.all().stream().noneMatch(o -> o.name.equals(n))).collect(Collectors.toList());
        assertEquals(List.of(), unknown, CONFIGURATION + " documents options the job does not know");
    }

    @Test
    void relativeLinksReachExistingFilesAndHeadings() throws Exception {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : pages) {
            for (String target : links(page)) {
                if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) continue; // https:, mailto:, ...
                checked++;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = file.isEmpty() ? page : page.toAbsolutePath().getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(page + ": " + target + " (no such file)");
                } else if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
                    broken.add(page + ": " + target + " (no such heading)");
                }
            }
        }
        assertEquals(List.of(), broken, "broken relative links");
        assertTrue(checked > 20, "expected the README and docs to link to each other, found " + checked + " relative links");
    }

    @Test
    void nothingShippedPointsOutsideTheRepository() throws Exception {
        List<Path> files = new ArrayList<>(List.of(Path.of("README.md")));
        for (String dir : List.of("docs", "jobs", "deploy")) {
            try (Stream<Path> walk = Files.walk(Path.of(dir))) {
                walk.filter(Files::isRegularFile)
                        .filter(p -> Stream.of("target", "run").noneMatch(ignored -> p.toString()
                                .contains(p.getFileSystem().getSeparator() + ignored + p.getFileSystem().getSeparator())))
                        .sorted().forEach(files::add);
            }
        }
        List<String> offenders = new ArrayList<>();
        for (Path f : files) {
            String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            for (String outside : List.of("../shared", "shared/docs")) {
                if (text.contains(outside)) offenders.add(f + " mentions " + outside);
            }
        }
        assertEquals(List.of(), offenders, "the repository must not depend on files outside it");
    }

    /** Markdown link targets of a page, outside fenced code blocks and inline code. */
    private static List<String> links(Path page) throws IOException {
        List<String> targets = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(page)) {
            if (line.trim().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) continue;
            Matcher m = LINK.matcher(line.replaceAll("`[^`]*`(?!\\])", "``"));
            while (m.find()) targets.add(m.group(1));
        }
        return targets;
    }

    /** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to hyphens. */
    private static Set<String> anchors(Path page) throws IOException {
        Set<String> anchors = new HashSet<>();
        Set<String> seen = new HashSet<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(page)) {
            if (line.trim().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced || !line.matches("^#{1,6} .*")) continue;
            String slug = line.replaceFirst("^#+ ", "").trim().toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            String unique = slug;
            for (int n = 1; !seen.add(unique); n++) unique = slug + "-" + n;
            anchors.add(unique);
        }
        return anchors;
    }
}
