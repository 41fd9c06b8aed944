package io.entrawatch.replay;

import io.entrawatch.ingest.EventTimeGuard;
import io.entrawatch.ingest.GuardedWatermarks;
import io.entrawatch.ingest.ParsedMessage;
import io.entrawatch.ingest.SignInParser;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.io.compression.InflaterInputStreamFactory;
import org.apache.flink.connector.file.src.compression.StandardDeCompressors;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

/**
 * The watermarks of one source subtask of a replay of several files ({@link ArchiveSource}), such that
 * the operators after the ingest gate never find late a sign-in that the gate found on time in its own
 * file: what is late is decided per file, by the gate alone, whatever the parallelism and the timing
 * (docs/replay.md, "Exactness").
 *
 * <p>A subtask reads its files one after the other. Its watermark is the smaller of
 *
 * <ul>
 *   <li>the current file's own watermark ({@link GuardedWatermarks}: the file's confirmed maximum minus the
 *       out-of-orderness, minus 1, exactly what the gate judges that file's sign-ins against), and</li>
 *   <li>the {@link #bound} of each file still to come on this subtask: below every window end the gate
 *       could still admit from that file.</li>
 * </ul>
 *
 * A file already read holds nothing back. Downstream, Flink takes the minimum over the subtasks; a subtask
 * whose files are all read sends the end of time. No idleness: a slow subtask holds the others back
 * instead of being overtaken.
 */
public final class ArchiveWatermarks implements WatermarkGenerator<ParsedMessage> {
    /** No bound: a file without sign-ins. */
    static final long NONE = Long.MAX_VALUE;

    private final long outOfOrdernessMillis;
    private final long maxAheadMillis;
    /** Per file: the smallest bound of the files after it on the same subtask ({@link #NONE} if none). */
    private final long[] capAfter;
    private int file = -1;
    private GuardedWatermarks current;
    private long emitted = Long.MIN_VALUE;
    private final WatermarkOutput capture = new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark w) {
            emitted = w.getTimestamp();
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    };

    ArchiveWatermarks(long outOfOrdernessMillis, long maxAheadMillis, long[] capAfter) {
        this.outOfOrdernessMillis = outOfOrdernessMillis;
        this.maxAheadMillis = maxAheadMillis;
        this.capAfter = capAfter;
    }

    /**
     * Per file, the smallest {@code bounds} of the files after it on its subtask ({@code subtasks}, from
     * {@link ArchiveSource#assign}; a subtask reads its files in replay order).
     */
    static long[] capsAfter(long[] bounds, int[] subtasks, int parallelism) {
        long[] caps = new long[bounds.length];
        long[] after = new long[parallelism]; // per subtask: the smallest bound of its files from i + 1 on
        Arrays.fill(after, NONE);
        for (int i = bounds.length - 1; i >= 0; i--) {
            caps[i] = after[subtasks[i]];
            after[subtasks[i]] = Math.min(after[subtasks[i]], bounds[i]);
        }
        return caps;
    }

    @Override
    public void onEvent(ParsedMessage m, long eventTimestamp, WatermarkOutput output) {
        if (m.partition != file) { // the previous file of this subtask is read: it holds nothing back now
            file = m.partition;
            current = new GuardedWatermarks(outOfOrdernessMillis, maxAheadMillis);
        }
        current.onEvent(m, eventTimestamp, output);
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (current == null) return;
        emitted = Long.MIN_VALUE;
        current.onPeriodicEmit(capture);
        // Until the current file confirms a maximum it emits nothing, and the last watermark stays: at most
        // the previous file's cap, which is at most this file's bound.
        if (emitted != Long.MIN_VALUE) output.emitWatermark(new Watermark(Math.min(emitted, capAfter[file])));
    }

    /**
     * The bound of each file in replay order: a watermark at or below it finds on time every sign-in the gate
     * admits from that file, known before the file is read (so it can hold back the watermark of its subtask
     * while files before it are read). Read from the head of the file: the gate admits every sign-in before the
     * file's first confirmed maximum (there is nothing to judge it against), and after that only sign-ins
     * whose window ends after that maximum minus the out-of-orderness. So the bound is the smaller of the
     * earliest sign-in up to the confirmation and that maximum minus the out-of-orderness, minus 1: usually
     * the first two sign-ins of the file decide it. A file without sign-ins has none ({@link #NONE}); a file
     * that never confirms a maximum is read to its end. The first file of each subtask is not read here:
     * nothing waits for it.
     */
    static long[] bounds(ReplayInput input, SignInParser parser, long outOfOrdernessMillis, long maxAheadMillis, int[] subtasks) {
        List<ReplayInput.InputFile> files = input.files();
        long[] bounds = new long[files.size()];
        Arrays.fill(bounds, NONE);
        boolean[] started = new boolean[files.size()];
        for (ReplayInput.InputFile f : files) {
            int subtask = subtasks[f.index()];
            if (!started[subtask]) { // the first file of its subtask
                started[subtask] = true;
                continue;
            }
            try {
                bounds[f.index()] = bound(f, parser, outOfOrdernessMillis, maxAheadMillis);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f.path() + ": " + e.getMessage(), e);
            }
        }
        return bounds;
    }

    static long bound(ReplayInput.InputFile f, SignInParser parser, long outOfOrdernessMillis, long maxAheadMillis)
            throws IOException {
        InflaterInputStreamFactory<?> decompressor = StandardDeCompressors.getDecompressorForFileName(f.path().toString());
        InputStream raw = Files.newInputStream(f.path());
        try (InputStream in = decompressor == null ? raw : decompressor.create(raw)) {
            ByteLineFormat.LineReader lines = new ByteLineFormat.LineReader(in);
            EventTimeGuard guard = new EventTimeGuard(maxAheadMillis);
            long earliest = NONE;
            long line = 0;
            for (byte[] body = lines.read(); body != null; body = lines.read()) {
                ParsedMessage m = parser.parse(body, f.name(), f.index(), line++, System.currentTimeMillis());
                for (int i = 0; i < m.signIns.size(); i++) {
                    long ts = m.signIns.get(i).timestamp;
                    earliest = Math.min(earliest, ts);
                    guard.next(ts);
                    if (guard.max() != EventTimeGuard.NONE) {
                        return Math.min(earliest, guard.max() - outOfOrdernessMillis) - 1;
                    }
                }
            }
            return earliest == NONE ? NONE : earliest - 1;
        } finally {
            raw.close();
        }
    }

    /** What the generator needs, serializable: one instance per subtask is created from it. */
    static final class Supplier implements org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier<ParsedMessage>,
            Serializable {
        private static final long serialVersionUID = 1L;
        private final long outOfOrdernessMillis, maxAheadMillis;
        private final long[] capAfter;

        Supplier(long outOfOrdernessMillis, long maxAheadMillis, long[] capAfter) {
            this.outOfOrdernessMillis = outOfOrdernessMillis;
            this.maxAheadMillis = maxAheadMillis;
            this.capAfter = capAfter;
        }

        @Override
        public WatermarkGenerator<ParsedMessage> createWatermarkGenerator(Context context) {
            return new ArchiveWatermarks(outOfOrdernessMillis, maxAheadMillis, capAfter);
        }
    }
}
