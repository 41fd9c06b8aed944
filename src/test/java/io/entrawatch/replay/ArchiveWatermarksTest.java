package io.entrawatch.replay;

import io.entrawatch.TestRecords;
import io.entrawatch.config.JobOptions;
import io.entrawatch.pipeline.DetectionPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The watermark bounds of files still to come, and the replay order of a folder. */
class ArchiveWatermarksTest {
    private static final long MIN = 60_000;

    @TempDir
    Path dir;

    @Test
    void aFilesBoundIsItsEarliestSignInUpToTheFirstConfirmedMaximumOrThatMaximumLessTheOutOfOrderness() throws IOException {
        long t0 = Instant.parse("2025-11-14T05:00:00Z").toEpochMilli();
        // sign-ins at 05:10, then 05:02 (confirms 05:10 as the maximum): bound = min(05:02, 05:10 - 5 min) - 1
        Path f = write("h=05/PT1H.json.gz", t0 + 10 * MIN, t0 + 2 * MIN, t0 + 30 * MIN);
        assertEquals(t0 + 2 * MIN - 1, bound(f));
        Path g = write("h=06/PT1H.json", t0 + 20 * MIN, t0 + 19 * MIN);
        assertEquals(t0 + 15 * MIN - 1, bound(g));
        Path none = dir.resolve("h=07/PT1H.json");
        Files.createDirectories(none.getParent());
        Files.writeString(none, "{\"category\":\"AuditLogs\",\"time\":\"2025-11-14T07:00:00Z\"}\n");
        assertEquals(ArchiveWatermarks.NONE, bound(none));
    }

    @Test
    void eachFileIsCappedByTheBoundsOfTheFilesAfterItOnItsReader() {
        long[] bounds = {50, 40, 30, 20, 60, 10};
        // p = 2: reader 0 reads 0, 2, 4; reader 1 reads 1, 3, 5
        assertArrayEquals(new long[] {30, 10, 60, 10, ArchiveWatermarks.NONE, ArchiveWatermarks.NONE},
                ArchiveWatermarks.capsAfter(bounds, new int[] {0, 1, 0, 1, 0, 1}, 2));
        // reader 0 reads 0, 1, 5; reader 1 reads 2, 3, 4
        assertArrayEquals(new long[] {10, 10, 20, 60, ArchiveWatermarks.NONE, ArchiveWatermarks.NONE},
                ArchiveWatermarks.capsAfter(bounds, new int[] {0, 0, 1, 1, 1, 0}, 2));
        assertArrayEquals(new long[] {10, 10, 10, 10, 10, ArchiveWatermarks.NONE},
                ArchiveWatermarks.capsAfter(bounds, new int[6], 1));
    }

    @Test
    void aReplayRunsOneReaderPerCoreForAFolderAndTwoTasksForOneFile() {
        assertEquals(16, ReplayJob.defaultParallelism(2_160, 16));
        assertEquals(3, ReplayJob.defaultParallelism(3, 16));
        assertEquals(2, ReplayJob.defaultParallelism(1, 16));
        assertEquals(2, ReplayJob.defaultParallelism(1, 2));
        assertEquals(1, ReplayJob.defaultParallelism(1, 1));
        assertEquals(1, ReplayJob.defaultParallelism(24, 1));
    }

    @Test
    void filesGoInReplayOrderToTheReaderWithTheFewestBytesSoFar() {
        // hours of three category blobs each, one category ten times the others: a round robin would give
        // every large blob to reader 0
        long[] sizes = {100, 10, 10, 100, 10, 10, 100, 10, 10, 100, 10, 10};
        int[] subtasks = ArchiveSource.assign(sizes, 2);
        assertArrayEquals(new int[] {0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0}, subtasks);
        long[] load = new long[2];
        for (int i = 0; i < sizes.length; i++) load[subtasks[i]] += sizes[i];
        assertArrayEquals(new long[] {240, 240}, load);
        assertArrayEquals(new int[] {0, 1, 2, 3, 0}, ArchiveSource.assign(new long[] {5, 5, 5, 5, 5}, 4));
        assertArrayEquals(new int[3], ArchiveSource.assign(new long[] {7, 0, 9}, 1));
    }

    @Test
    void aFolderIsReadInTheHourOfItsAzurePathsThenByPath() throws IOException {
        write("insights-logs-signinlogs/y=2025/m=11/d=14/h=10/m=00/PT1H.json");
        write("insights-logs-noninteractiveusersigninlogs/y=2025/m=11/d=14/h=10/m=00/PT1H.json.gz");
        write("insights-logs-signinlogs/y=2025/m=11/d=14/h=09/m=00/PT1H.json");
        write("notes/extra.ndjson");
        List<String> order = ReplayInput.of(dir).files().stream().map(ReplayInput.InputFile::name).toList();
        assertEquals(List.of("notes/extra.ndjson", "insights-logs-signinlogs/y=2025/m=11/d=14/h=09/m=00/PT1H.json",
                "insights-logs-noninteractiveusersigninlogs/y=2025/m=11/d=14/h=10/m=00/PT1H.json.gz",
                "insights-logs-signinlogs/y=2025/m=11/d=14/h=10/m=00/PT1H.json"), order);
    }

    private long bound(Path f) throws IOException {
        JobOptions o = JobOptions.defaults();
        ReplayInput.InputFile file = new ReplayInput.InputFile(1, f, f.getFileName().toString(), Files.size(f),
                ReplayInput.isCompressed(f.toString()));
        return ArchiveWatermarks.bound(file, DetectionPipeline.parser(o), 5 * MIN, 24 * 60 * MIN);
    }

    /** A file of one bare sign-in record per line at each time. */
    private Path write(String name, long... times) throws IOException {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        StringBuilder b = new StringBuilder();
        for (long t : times) b.append(TestRecords.sprayFailure("u@contoso.com", t).json()).append('\n');
        try (OutputStream out = name.endsWith(".gz") ? new GZIPOutputStream(Files.newOutputStream(f)) : Files.newOutputStream(f)) {
            out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        }
        return f;
    }
}
