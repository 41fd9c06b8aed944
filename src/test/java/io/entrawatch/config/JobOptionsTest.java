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
        assertEquals(Duration.ofMinutes(5), o.get(JobOptions.OUT_OF_ORDERNESS));
        assertEquals(Duration.ofMinutes(1), o.get(JobOptions.IDLENESS));
        assertEquals(Duration.ofMinutes(10), o.get(JobOptions.SPRAY_WINDOW));
        assertEquals(30, o.get(JobOptions.SPRAY_THRESHOLD));
        assertEquals(List.of(50053, 50055, 50056, 50064, 50126, 50144), o.get(JobOptions.FAILURE_CODES));
        assertEquals(List.of("MICROSOFT-CORP-MSN-AS-BLOCK"), o.get(JobOptions.EXCLUDED_AS_ORGS));
        assertNull(o.get(JobOptions.SOURCE_BOOTSTRAP));
    }

    @Test
    void commandLineWinsOverJobFile() throws Exception {
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, "# large tenant\nspray.threshold: 50\nsource.topic: 'a, b'\nes.index = x\n");
        List<String> positional = new ArrayList<>();
        JobOptions o = JobOptions.parse(new String[] {"--config", file.toString(), "--es.index=y", "IN", "--spray.window", "15 min"}, positional);
        assertEquals(50, o.get(JobOptions.SPRAY_THRESHOLD));
        assertEquals(List.of("a", "b"), o.get(JobOptions.SOURCE_TOPICS));
        assertEquals("y", o.get(JobOptions.ES_INDEX));
        assertEquals(Duration.ofMinutes(15), o.get(JobOptions.SPRAY_WINDOW));
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
}
