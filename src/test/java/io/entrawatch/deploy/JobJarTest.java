package io.entrawatch.deploy;

import io.entrawatch.EntraWatchJob;
import io.entrawatch.demo.AlertTable;
import io.entrawatch.generate.GenerateMain;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job jar holds the job only: the classes compiled from src/main (what maven-shade packs into
 * target/entrawatch.jar, after the tests) contain no traffic generator, demo or benchmark. Those are
 * tools in the test tree that jobs/generate, jobs/demo and jobs/bench* run from target/test-classes.
 */
class JobJarTest {
    /** Packages that must stay out of the job jar. */
    private static final List<String> TOOL_PACKAGES = List.of("io/entrawatch/generate", "io/entrawatch/demo", "io/entrawatch/bench");

    private static Path classesOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void mainClassesHoldNoGeneratorDemoOrBenchmark() throws Exception {
        Path mainClasses = classesOf(EntraWatchJob.class);
        assertTrue(Files.isDirectory(mainClasses), "the main classes are a directory (target/classes): " + mainClasses);
        assertTrue(Files.isRegularFile(mainClasses.resolve("io/entrawatch/EntraWatchJob.class")));
        for (String pkg : TOOL_PACKAGES) {
            Path dir = mainClasses.resolve(pkg);
            if (!Files.exists(dir)) continue;
            try (Stream<Path> files = Files.walk(dir)) {
                List<String> found = files.filter(Files::isRegularFile).map(f -> mainClasses.relativize(f).toString()).sorted().toList();
                assertEquals(List.of(), found, pkg + " belongs in src/test/java, not in the job jar"
                        + " (stale classes after a move? mvn clean)");
            }
        }
    }

    @Test
    void toolsComeFromTheTestClasses() throws Exception {
        Path mainClasses = classesOf(EntraWatchJob.class);
        assertNotEquals(mainClasses, classesOf(GenerateMain.class), "the generator is compiled from src/test/java");
        assertNotEquals(mainClasses, classesOf(AlertTable.class), "the demo's alert table is compiled from src/test/java");
    }
}
