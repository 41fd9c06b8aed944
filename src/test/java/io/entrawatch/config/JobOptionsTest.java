package io.entrawatch.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobOptionsTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreTheContractsDefaults() {
        JobOptions o = JobOptions.defaults();
        assertEquals(Duration.ofMinutes(5), o.get(EventTimeOptions.MAX_OUT_OF_ORDERNESS));
        assertEquals(Duration.ofMinutes(1), o.get(EventTimeOptions.IDLENESS));
        assertEquals(Duration.ofMinutes(10), o.get(SprayOptions.WINDOW));
        assertEquals(30, o.get(SprayOptions.THRESHOLD));
        assertEquals(List.of(50053, 50055, 50056, 50064, 50126, 50144), o.get(DetectionOptions.FAILURE_CODES));
        assertEquals(List.of("MICROSOFT-CORP-MSN-AS-BLOCK"), o.get(DetectionOptions.EXCLUDED_AS_ORGS));
        assertNull(o.get(SourceOptions.BOOTSTRAP_SERVERS));
    }

    @Test
    void commandLineWinsOverJobFile() throws Exception {
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, "# large tenant\nspray.threshold: 50\nsource.topic: 'a, b'\nes.index = x\n");
        List<String> positional = new ArrayList<>();
        JobOptions o = JobOptions.parse(new String[] {"--config", file.toString(), "--es.index=y", "IN", "--spray.window", "15 min"}, positional);
        assertEquals(50, o.get(SprayOptions.THRESHOLD));
        assertEquals(List.of("a", "b"), o.get(SourceOptions.TOPICS));
        assertEquals("y", o.get(ElasticsearchOptions.INDEX));
        assertEquals(Duration.ofMinutes(15), o.get(SprayOptions.WINDOW));
        assertEquals(List.of("IN"), positional);
    }

    @Test
    void typosFailWithTheClosestName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobOptions.parse(new String[] {"--spray.treshold", "5"}, null));
        assertTrue(e.getMessage().contains("unknown option --spray.treshold; did you mean --spray.threshold?"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> JobOptions.parse(new String[] {"--spray.window", "ten minutes"}, null));
        assertTrue(bad.getMessage().startsWith("--spray.window 'ten minutes':"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JobOptions.parse(new String[] {"--spray.threshold"}, null));
    }

    @Test
    void durationsAsUsersWriteThem() {
        assertEquals(Duration.ZERO, Durations.parse("0"));
        assertEquals(Duration.ofHours(6), Durations.parse("6 h"));
        assertEquals(Duration.ofDays(14), Durations.parse("14d"));
        assertEquals(Duration.ofMinutes(5), Durations.parse("PT5M"));
        assertEquals(Duration.ofMillis(250), Durations.parse("250 ms"));
        assertEquals("10 min", Durations.format(Duration.ofMinutes(10)));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("5"));
    }

    @Test
    void secretsComeFromFilesOrTheEnvironmentNeverFromArguments() throws Exception {
        Path f = dir.resolve("secret");
        Files.writeString(f, "Endpoint=sb://x/;SharedAccessKey=abc\n");
        assertEquals("Endpoint=sb://x/;SharedAccessKey=abc", Secrets.read(f.toString(), "X", Map.of()));
        assertEquals("from-env", Secrets.read(null, "X", Map.of("X", "from-env")));
        assertNull(Secrets.read(null, "X", Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Secrets.read(dir.resolve("missing").toString(), "X", Map.of()));
        assertTrue(e.getMessage().startsWith("cannot read secret file"));
        assertTrue(JobOptions.all().stream().noneMatch(o -> o.name.contains("password") && !o.name.endsWith("-file")),
                "no option carries a secret itself");
    }

    @Test
    void everyOptionOfAGroupIsInItsListAndEveryNameIsUnique() throws Exception {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (List<Option<?>> group : JobOptions.GROUPS) {
            for (Option<?> o : group) assertTrue(names.add(o.name), "option --" + o.name + " declared twice");
        }
        for (Class<?> c : List.of(SourceOptions.class, EventTimeOptions.class, DetectionOptions.class, SprayOptions.class,
                RareAppOptions.class, SsoSprayOptions.class, ElasticsearchOptions.class, DeadLetterOptions.class,
                RunOptions.class, PreflightOptions.class, ReplayOptions.class)) {
            List<Object> declared = new java.util.ArrayList<>();
            for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                if (f.getType() == Option.class) declared.add(f.get(null));
            }
            List<?> listed = (List<?>) c.getField("ALL").get(null);
            assertEquals(declared.size(), listed.size(), c.getSimpleName() + ".ALL lists every option it declares");
            assertTrue(listed.containsAll(declared), c.getSimpleName() + ".ALL lists every option it declares");
            assertTrue(JobOptions.GROUPS.contains(listed), c.getSimpleName() + " is one of JobOptions.GROUPS");
        }
    }

    @Test
    void sizesUseFlinksMemorySize() {
        assertEquals(5L * 1024 * 1024, JobOptions.defaults().get(ElasticsearchOptions.BULK_MAX_BYTES).getBytes());
        assertEquals(1024L * 1024 * 1024, JobOptions.defaults().with(ElasticsearchOptions.BULK_MAX_BYTES, "1 gb")
                .get(ElasticsearchOptions.BULK_MAX_BYTES).getBytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobOptions.defaults().with(DeadLetterOptions.MAX_PAYLOAD_BYTES, "lots"));
        assertTrue(e.getMessage().contains("--dead-letter.max-payload-bytes"), e.getMessage());
    }
}
