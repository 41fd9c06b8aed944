package io.entrawatch.acceptance;

import io.entrawatch.config.EventTimeOptions;
import io.entrawatch.config.ReplayOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.TestRecords;
import io.entrawatch.acceptance.HostileCorpus.Hostile;
import io.entrawatch.config.JobOptions;
import io.entrawatch.generate.GeneratorConfig;
import io.entrawatch.generate.TrafficGenerator;
import io.entrawatch.replay.ReplayJob;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * a corpus of hostile messages (truncated and invalid JSON, invalid UTF-8, a wrong type
 * in every field the job reads, nulls, deep nesting, messages over 1 MB, a records array of 100,000
 * entries, unknown categories, timestamps in the far past and future) mixed into a generated day,
 * through jobs/replay's pipeline at parallelism 2. The job completes; every hostile record is dead-
 * lettered with a reason, exactly as many as the corpus says; the alerts are byte for byte those of the
 * clean run. Both runs set {@code --event-time.max-ahead-of-clock 1 h} as the live job does, so
 * future-dated sign-ins are dead-lettered rather than counted.
 */
class HostileInputITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    private record Run(ReplayJob.Summary summary, List<String> alerts, List<String> deadLetters) {}

    private Run replay(String name, List<byte[]> lines) throws Exception {
        Path in = dir.resolve(name + ".ndjson");
        try (OutputStream o = Files.newOutputStream(in)) {
            for (byte[] l : lines) {
                for (byte b : l) assertFalse(b == '\n' || b == '\r', "one message per line");
                o.write(l);
                o.write('\n');
            }
        }
        Path out = dir.resolve(name + ".alerts.ndjson");
        Path dlq = dir.resolve(name + ".dlq.ndjson");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        ReplayJob.Summary s = ReplayJob.run(env, in, out, JobOptions.defaults()
                .with(ReplayOptions.DEAD_LETTERS, dlq.toString())
                .with(EventTimeOptions.MAX_AHEAD_OF_CLOCK, "1 h"));
        return new Run(s, Files.readAllLines(out), Files.readAllLines(dlq));
    }

    @Test
    void hostileMessagesAreDeadLetteredWithAReasonAndTheAlertsAreThoseOfTheCleanRun() throws Exception {
        TrafficGenerator generator = new TrafficGenerator(GeneratorConfig.builder().seed(6L).totalRecords(20_000).build());
        List<String> valid = generator.stream().collect(Collectors.toList());
        Run clean = replay("clean", valid.stream().map(HostileCorpus::bytes).collect(Collectors.toList()));
        assertTrue(clean.alerts.size() >= 2, "the generated traffic alerts: " + clean.alerts.size());

        Random rnd = new Random(66);
        List<Hostile> corpus = HostileCorpus.corpus(generator.config().start().toEpochMilli(), rnd);
        assertTrue(corpus.size() >= 1000, "at least 1,000 hostile messages: " + corpus.size());
        // each message, parsed alone, yields exactly the dead letters the corpus expects (late ones are the gate's)
        io.entrawatch.ingest.SignInParser parser = io.entrawatch.pipeline.DetectionPipeline.liveParser(
                JobOptions.defaults().with(EventTimeOptions.MAX_AHEAD_OF_CLOCK, "1 h"));
        for (Hostile h : corpus) {
            var m = parser.parse(h.body(), "hub", 0, 0, System.currentTimeMillis());
            assertEquals(h.malformed(), m.deadLetters.size(), h.kind() + ": " + m.deadLetters.stream()
                    .map(d -> d.reason).collect(Collectors.toList()));
            assertEquals(h.late(), m.signIns.size(), h.kind());
            assertEquals(h.skipped(), m.skipped, h.kind());
        }
        // mixed in after the first 20 valid messages (so the partition has an event time to be late against)
        List<byte[]> mixed = HostileCorpus.mix(valid, corpus, rnd);
        Run run = replay("hostile", mixed);

        long malformed = HostileCorpus.malformed(corpus);
        long late = HostileCorpus.late(corpus);
        long skipped = HostileCorpus.skipped(corpus);
        assertEquals(clean.alerts, run.alerts, "the valid traffic's alerts, byte for byte");
        assertEquals(clean.summary.malformed + malformed, run.summary.malformed, "malformed dead letters");
        assertEquals(clean.summary.late + late, run.summary.late, "late dead letters");
        assertEquals(clean.summary.skipped + skipped, run.summary.skipped, "skipped other categories");
        assertEquals(clean.summary.messages + corpus.size(), run.summary.messages);
        assertEquals(clean.summary.signIns + late, run.summary.signIns, "no hostile record became a valid sign-in");
        assertEquals(clean.deadLetters.size() + malformed + late, run.deadLetters.size(), "dead letters written");
        for (String line : run.deadLetters) {
            JsonNode d = JSON.readTree(line);
            assertFalse(d.path("reason").asText().isBlank(), line);
        }
        System.out.printf("hostile input: %,d hostile messages of %d kinds (%,d malformed and %,d late dead letters expected "
                        + "and found, %,d records skipped) mixed into %,d valid messages; %d alerts, identical to the clean run%n",
                corpus.size(), HostileCorpus.kinds(corpus), malformed, late, skipped,
                valid.size(), run.alerts.size());
    }
}
