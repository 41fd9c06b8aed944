package io.entrawatch.deploy;

import io.entrawatch.testing.LocalElasticsearch;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The minimum Elasticsearch version the docs state is the one the end-to-end tests run
 * ({@link LocalElasticsearch#MINIMUM_SUPPORTED}, which KafkaToElasticsearchITCase runs the job against),
 * the oldest of the versions the build fetches, and the one both poms and the local services script name.
 */
class ElasticsearchVersionsTest {
    private static final Path ROOT = KibanaSavedObjectsTest.root();
    /** "Elasticsearch 8.19.0 or newer", "Elasticsearch: version 8.19.0 or newer". */
    private static final Pattern MINIMUM_STATED = Pattern.compile("Elasticsearch:? (?:version )?(\\d+\\.\\d+\\.\\d+) or newer");
    private static final Comparator<String> BY_VERSION = Comparator.comparing(
            v -> Arrays.stream(v.split("\\.")).mapToInt(Integer::parseInt).toArray(), Arrays::compare);

    @Test
    void theDocsStateTheMinimumTheTestsRun() throws Exception {
        for (String doc : List.of("README.md", "docs/operations.md")) {
            Matcher m = MINIMUM_STATED.matcher(Files.readString(ROOT.resolve(doc)));
            List<String> stated = new ArrayList<>();
            while (m.find()) stated.add(m.group(1));
            assertFalse(stated.isEmpty(), doc + " states no minimum Elasticsearch version (\"Elasticsearch X.Y.Z or newer\")");
            stated.forEach(v -> assertEquals(LocalElasticsearch.MINIMUM_SUPPORTED, v, doc));
        }
    }

    @Test
    void theMinimumIsTheOldestVersionTheBuildFetchesAndTests() throws Exception {
        String min = LocalElasticsearch.MINIMUM_SUPPORTED;
        assertEquals(min, LocalElasticsearch.V8);
        assertTrue(BY_VERSION.compare(min, LocalElasticsearch.V9) < 0, min + " vs " + LocalElasticsearch.V9);
        for (String pom : List.of("pom.xml", "deploy/local/pom.xml")) {
            String text = Files.readString(ROOT.resolve(pom));
            assertEquals(min, property(text, "es8.version"), pom);
            assertEquals(LocalElasticsearch.V9, property(text, "es9.version"), pom);
        }
        Matcher versions = Pattern.compile("(?m)^ES_VERSIONS=\\(([^)]*)\\)").matcher(Files.readString(ROOT.resolve("deploy/local/services")));
        assertTrue(versions.find(), "ES_VERSIONS in deploy/local/services");
        List<String> served = List.of(versions.group(1).trim().split("\\s+"));
        assertEquals(min, served.stream().min(BY_VERSION).orElseThrow(), "the oldest node deploy/local/services starts: " + served);
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(pom);
        assertTrue(m.find(), name);
        return m.group(1).trim();
    }
}
