package io.entrawatch.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateMainTest {
    @TempDir
    Path dir;

    private String run(String... args) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = GenerateMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc);
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesOneMessagePerLineAndTheGroundTruth() throws Exception {
        Path out = dir.resolve("traffic.ndjson");
        Path truth = dir.resolve("truth.json");
        String err = run("--out", out.toString(), "--records", "4000", "--duration", "12h", "--seed", "5", "--tenants", "2",
                "--users", "150", "--attacks", "spray,spray-29,sso-spray", "--truth", truth.toString(), "--quiet");
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        int[] records = {0};
        List<ParsedRecord.Message> messages = ParsedRecord.parse(
                lines.stream().map(l -> l.getBytes(StandardCharsets.UTF_8)).iterator(), false, r -> records[0]++);
        assertEquals(lines.size(), messages.size());
        assertTrue(err.contains("4,000 records"), err);
        assertTrue(err.contains(lines.size() + " messages") || err.contains(String.format("%,d messages", lines.size())), err);
        assertTrue(err.contains("planted #0") && err.contains("expected alerts A=1"), err);
        JsonNode t = ParsedRecord.MAPPER.readTree(truth.toFile());
        assertEquals(3, t.path("attacks").size());
        assertEquals(5, t.path("seed").asInt());
        assertTrue(t.path("expectedAlerts").size() >= 2);
        // Same options => same file.
        Path again = dir.resolve("again.ndjson");
        run("--out", again.toString(), "--records", "4000", "--duration", "12h", "--seed", "5", "--tenants", "2",
                "--users", "150", "--attacks", "spray,spray-29,sso-spray", "--quiet");
        assertEquals(-1L, Files.mismatch(out, again));
    }

    @Test
    void rejectsBadOptions() {
        Path out = dir.resolve("x.ndjson");
        assertThrows(IllegalArgumentException.class, () -> run("--records", "10"));
        assertThrows(IllegalArgumentException.class, () -> run("--out", out.toString(), "--attacks", "bogus"));
        assertThrows(IllegalArgumentException.class, () -> run("--out", out.toString(), "--records", "x"));
        assertThrows(IllegalArgumentException.class,
                () -> run("--out", out.toString(), "--records", "10", "--rate", "5"));
    }

    @Test
    void attackListsParse() {
        assertEquals(13, AttackKind.parseList("all").size());
        assertEquals(4, AttackKind.parseList("d").size());
        assertEquals(0, AttackKind.parseList("none").size());
        assertEquals(5, AttackKind.parseList("a").size());
        assertEquals(2, AttackKind.parseList("b").size());
        assertEquals(3, AttackKind.parseList("c,spray").size());
    }
}
