package io.entrawatch.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.RunOptions;
import io.entrawatch.generate.AzureArchive;
import io.entrawatch.generate.GeneratorConfig;
import io.entrawatch.generate.TrafficGenerator;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replaying Azure's archive of sign-ins (one blob per hour and category, one record per line, some
 * compressed) as a folder: the same alerts at parallelism 1, 2 and 4, and, where docs/replay.md
 * ("Exactness") says so, the same bytes as a replay of the files concatenated in replay order.
 */
class ArchiveReplayITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.slots(4);

    @TempDir
    static Path dir;

    /** A generated day, one record per message, each line a bare record as in Azure's blobs. */
    private static Path day;

    @BeforeAll
    static void generate() throws IOException {
        TrafficGenerator generator = new TrafficGenerator(GeneratorConfig.builder().seed(20251114L).totalRecords(8_000)
                .recordsPerMessage(1, 1).build());
        day = dir.resolve("day.ndjson");
        try (OutputStream out = Files.newOutputStream(day)) {
            for (Iterator<byte[]> it = generator.messageBytes(); it.hasNext(); ) {
                for (byte[] record : AzureArchive.bareRecords(it.next())) {
                    out.write(record);
                    out.write('\n');
                }
            }
        }
    }

    @Test
    void oneFilePerHourReplaysAsItsConcatenationAtAnyParallelism() throws Exception {
        Path archive = dir.resolve("per-hour");
        writeArchive(archive, r -> AzureArchive.SIGN_IN_CONTAINER);
        ReplayInput input = ReplayInput.of(archive);
        assertTrue(input.files().size() >= 24, "one file per hour of the day (and of the next, that the day's end reaches): "
                + input.files().size());
        assertTrue(input.files().stream().anyMatch(ReplayInput.InputFile::compressed), "some hours are .gz");
        assertEquals(List.of(new ReplayInput.Skipped("insights-logs-signinlogs/.listing", "a hidden file"),
                new ReplayInput.Skipped("insights-logs-signinlogs/old.zip",
                        "a zip archive, which replay does not read: decompress it, or compress it as .gz")), input.skipped());

        Map<Integer, byte[]> byParallelism = replayAtEachParallelism(input);
        Path concatenated = concatenate(input, dir.resolve("per-hour.ndjson"));
        Path out = dir.resolve("per-hour-concatenated.alerts");
        ReplayJob.Summary single = ReplayJob.run(TestClusters.environment(2), concatenated, out, JobOptions.defaults());

        assertEquals(0, single.late, "the rule of docs/replay.md holds: nothing is late in the concatenation");
        assertTrue(single.alerts > 0, "the day's planted attacks alert");
        for (Map.Entry<Integer, byte[]> e : byParallelism.entrySet()) {
            assertArrayEquals(Files.readAllBytes(out), e.getValue(), "the folder at parallelism " + e.getKey()
                    + " gives the bytes of the concatenation");
        }
    }

    @Test
    void eachCategoryFileIsItsOwnPartitionUnlikeTheirConcatenation() throws Exception {
        Path archive = dir.resolve("per-category");
        writeArchive(archive, AzureArchive.BY_CATEGORY);
        ReplayInput input = ReplayInput.of(archive);
        assertTrue(input.files().size() > 48, "several categories per hour: " + input.files().size());

        Map<Integer, byte[]> byParallelism = replayAtEachParallelism(input);
        // The categories' files of one hour overlap in time: in one file, one after the other, the second's
        // early sign-ins come after the first's late ones and are late (the rule does not hold) ...
        Path concatenated = concatenate(input, dir.resolve("per-category.ndjson"));
        ReplayJob.Summary single = ReplayJob.run(TestClusters.environment(2), concatenated, dir.resolve("per-category.alerts"),
                JobOptions.defaults());
        assertTrue(single.late > 0, "the concatenation finds sign-ins late");
        // ... while each file, a partition of its own, is in order within itself: nothing is late, and the
        // folder gives exactly the alerts of the day as generated (in which nothing is late either).
        Path whole = dir.resolve("day.alerts");
        ReplayJob.Summary original = ReplayJob.run(TestClusters.environment(2), day, whole, JobOptions.defaults());
        assertEquals(0, original.late);
        assertTrue(original.alerts > 0);
        for (Map.Entry<Integer, byte[]> e : byParallelism.entrySet()) {
            assertArrayEquals(Files.readAllBytes(whole), e.getValue(), "the folder at parallelism " + e.getKey()
                    + " gives the alerts of the day as generated");
        }
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(whole), Files.readAllBytes(dir.resolve("per-category.alerts"))),
                "the sign-ins the concatenation found late are missing from its alerts");
    }

    /**
     * jobs/replay's own cluster ({@link LocalReplayCluster}: started while the job is defined, its network memory
     * sized to the parallelism, Flink's RPC jar loaded from a copy unpacked as the build unpacks it, or by Flink's
     * loader without one) writes the bytes and counts of a replay on the test cluster: the day at parallelism 2,
     * the archive (a reader per file) at parallelism 4 and 1.
     */
    @Test
    void theCommandLinesOwnClusterWritesWhatTheTestClusterWrites() throws Exception {
        Path archive = dir.resolve("own-cluster");
        writeArchive(archive, r -> "insights-logs-signinlogs");
        Path rpcJar = dir.resolve("flink-rpc-akka.jar");
        try (InputStream in = ReplayJob.class.getClassLoader().getResourceAsStream("flink-rpc-akka.jar")) {
            Files.copy(in, rpcJar);
        }
        record Run(Path in, int parallelism, boolean unpackedRpcJar) {}
        for (Run run : List.of(new Run(day, 2, true), new Run(archive, 4, true), new Run(archive, 1, false))) {
            String name = run.in().getFileName() + "-p" + run.parallelism();
            Path onTestCluster = dir.resolve(name + "-test-cluster.alerts");
            Path onOwnCluster = dir.resolve(name + "-own-cluster.alerts");
            JobOptions options = JobOptions.defaults().with(RunOptions.PARALLELISM, String.valueOf(run.parallelism()));
            ReplayJob.Summary expected = ReplayJob.run(TestClusters.environment(run.parallelism()), run.in(), onTestCluster, options);
            if (run.unpackedRpcJar()) System.setProperty(LocalReplayCluster.RPC_JAR_PROPERTY, rpcJar.toString());
            ReplayJob.Summary actual;
            try {
                actual = ReplayJob.run(run.in(), onOwnCluster, options, new PrintStream(OutputStream.nullOutputStream()));
            } finally {
                System.clearProperty(LocalReplayCluster.RPC_JAR_PROPERTY);
            }
            assertTrue(expected.alerts > 0, name);
            assertArrayEquals(Files.readAllBytes(onTestCluster), Files.readAllBytes(onOwnCluster), name + ": the same alerts");
            assertEquals(List.of(expected.messages, expected.records, expected.signIns, expected.skipped, expected.malformed,
                    expected.late, expected.files), List.of(actual.messages, actual.records, actual.signIns, actual.skipped,
                    actual.malformed, actual.late, actual.files), name + ": the same counts");
        }
    }

    /** The folder replayed at parallelism 1, 2 and 4 (nothing late in any), and its alerts at each. */
    private static Map<Integer, byte[]> replayAtEachParallelism(ReplayInput input) throws Exception {
        Map<Integer, byte[]> outputs = new LinkedHashMap<>();
        for (int p : new int[] {1, 2, 4}) {
            Path out = dir.resolve(input.root().getFileName() + "-p" + p + ".alerts");
            ReplayJob.Summary s = ReplayJob.run(TestClusters.environment(p), input, out, JobOptions.defaults());
            assertEquals(input.files().size(), s.files);
            assertEquals(0, s.late, "no file has a sign-in late within itself (p=" + p + ")");
            outputs.put(p, Files.readAllBytes(out));
        }
        return outputs;
    }

    /**
     * The day in Azure's layout ({@link AzureArchive}): {@code <container>/resourceId=.../y=2025/m=11/d=14/h=HH/m=00/PT1H.json},
     * the container chosen per record; every third file gzip-compressed (then {@code PT1H.json.gz}). Records keep
     * the day's order within their file. Also a hidden file and a zip archive, which replay leaves out.
     */
    private static void writeArchive(Path root, Function<JsonNode, String> container) throws IOException {
        try (AzureArchive archive = new AzureArchive(root, container, true)) {
            for (byte[] line : lines(Files.readAllBytes(day))) archive.writeRecord(line);
        }
        Files.writeString(root.resolve(AzureArchive.SIGN_IN_CONTAINER + "/.listing"), "not a blob\n");
        Files.write(root.resolve(AzureArchive.SIGN_IN_CONTAINER + "/old.zip"), new byte[] {'P', 'K', 3, 4});
    }

    /** The lines of a file's bytes, without their newlines (bytes, since some generated messages are not UTF-8). */
    private static List<byte[]> lines(byte[] bytes) {
        List<byte[]> lines = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') continue;
            lines.add(java.util.Arrays.copyOfRange(bytes, start, i));
            start = i + 1;
        }
        if (start < bytes.length) lines.add(java.util.Arrays.copyOfRange(bytes, start, bytes.length));
        return lines;
    }

    /** The files of {@code input} decompressed and concatenated in replay order. */
    private static Path concatenate(ReplayInput input, Path to) throws IOException {
        try (OutputStream out = Files.newOutputStream(to)) {
            for (ReplayInput.InputFile f : input.files()) {
                try (InputStream in = f.compressed() ? new GZIPInputStream(Files.newInputStream(f.path())) : Files.newInputStream(f.path())) {
                    in.transferTo(out);
                }
            }
        }
        return to;
    }
}
