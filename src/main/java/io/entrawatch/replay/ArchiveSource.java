package io.entrawatch.replay;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.FileSourceSplitSerializer;
import org.apache.flink.connector.file.src.PendingSplitsCheckpoint;
import org.apache.flink.connector.file.src.PendingSplitsCheckpointSerializer;
import org.apache.flink.connector.file.src.impl.FileSourceReader;
import org.apache.flink.connector.file.src.impl.StreamFormatAdapter;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The files of a {@link ReplayInput} as a bounded Flink source: each file one split, assigned <em>up
 * front and deterministically</em> by {@link #assign} (in replay order, each file to the subtask with the
 * fewest bytes so far), each subtask reading its files one after the other in replay order. The caller
 * passes that assignment, so the source and {@link ArchiveWatermarks} work from the same one. Lines are
 * read by Flink's {@code FileSourceReader} through {@link ByteLineFormat}, with Flink's
 * decompression chosen by the file's extension ({@code StreamFormatAdapter}); each line comes out as a
 * {@link FileLine} that names its file and its line number.
 *
 * <p>Why not {@code FileSource}: its splits go to whichever subtask asks first, so which subtask reads a
 * file, and in which order, would depend on timing. {@link ArchiveWatermarks} needs to know, on each
 * subtask, which files are still to come there.
 */
public final class ArchiveSource implements Source<ArchiveSource.FileLine, FileSourceSplit, PendingSplitsCheckpoint<FileSourceSplit>>,
        ResultTypeQueryable<ArchiveSource.FileLine> {
    private static final long serialVersionUID = 1L;

    /** One line of one file: the raw bytes of an Event Hubs message body. */
    public static class FileLine {
        /** The file's index in replay order. */
        public int file;
        /** The line's number in its file, from 0. */
        public long line;
        public byte[] bytes;

        public FileLine() {}

        FileLine(int file, long line, byte[] bytes) {
            this.file = file;
            this.line = line;
            this.bytes = bytes;
        }
    }

    /** Per file in replay order: its URI and size. */
    private final String[] uris;
    private final long[] sizes;
    /** Per file in replay order: the subtask that reads it ({@link #assign}). */
    private final int[] subtasks;

    /** The files of {@code input}, file {@code i} read by subtask {@code subtasks[i]} (from {@link #assign}). */
    public ArchiveSource(ReplayInput input, int[] subtasks) {
        this.subtasks = subtasks.clone();
        List<ReplayInput.InputFile> files = input.files();
        uris = new String[files.size()];
        sizes = new long[files.size()];
        for (ReplayInput.InputFile f : files) {
            uris[f.index()] = f.path().toAbsolutePath().toUri().toString();
            sizes[f.index()] = f.size();
        }
    }

    /**
     * The subtask that reads each file when the source runs at {@code parallelism}: in replay order, each
     * file goes to the subtask with the fewest bytes assigned so far (the lowest-numbered one on a tie).
     * Each subtask's files thus stay in replay order, and the bytes are balanced even when files differ
     * in size: Azure writes one blob per hour <em>and category</em>, and the non-interactive category is
     * usually most of the bytes, so a plain round robin would give every blob of it to one subtask.
     * Depends on the sizes and the parallelism alone, never on timing.
     */
    public static int[] assign(long[] sizes, int parallelism) {
        int[] subtasks = new int[sizes.length];
        long[] load = new long[parallelism];
        for (int i = 0; i < sizes.length; i++) {
            int least = 0;
            for (int s = 1; s < parallelism; s++) {
                if (load[s] < load[least]) least = s;
            }
            subtasks[i] = least;
            load[least] += Math.max(0, sizes[i]);
        }
        return subtasks;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SplitEnumerator<FileSourceSplit, PendingSplitsCheckpoint<FileSourceSplit>> createEnumerator(
            SplitEnumeratorContext<FileSourceSplit> context) {
        List<FileSourceSplit> splits = new ArrayList<>();
        for (int i = 0; i < uris.length; i++) {
            splits.add(new FileSourceSplit(Integer.toString(i), new Path(java.net.URI.create(uris[i])), 0, sizes[i], 0, sizes[i]));
        }
        return new StaticAssignment(context, splits, subtasks);
    }

    @Override
    public SplitEnumerator<FileSourceSplit, PendingSplitsCheckpoint<FileSourceSplit>> restoreEnumerator(
            SplitEnumeratorContext<FileSourceSplit> context, PendingSplitsCheckpoint<FileSourceSplit> checkpoint) {
        return new StaticAssignment(context, new ArrayList<>(checkpoint.getSplits()), subtasks);
    }

    @Override
    public SimpleVersionedSerializer<FileSourceSplit> getSplitSerializer() {
        return FileSourceSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<PendingSplitsCheckpoint<FileSourceSplit>> getEnumeratorCheckpointSerializer() {
        return new PendingSplitsCheckpointSerializer<>(FileSourceSplitSerializer.INSTANCE);
    }

    @Override
    public SourceReader<FileLine, FileSourceSplit> createReader(SourceReaderContext context) {
        return new FileSourceReader<>(context, new LineFormat(), context.getConfiguration());
    }

    @Override
    public TypeInformation<FileLine> getProducedType() {
        return TypeInformation.of(FileLine.class);
    }

    /**
     * Gives each subtask all its files when it registers, in replay order, then no more: requests for
     * further splits are not answered, since there are none to hand out.
     */
    static final class StaticAssignment implements SplitEnumerator<FileSourceSplit, PendingSplitsCheckpoint<FileSourceSplit>> {
        private final SplitEnumeratorContext<FileSourceSplit> context;
        /** Per subtask, the splits not yet handed to it, in replay order. */
        private final Map<Integer, List<FileSourceSplit>> pending = new TreeMap<>();

        StaticAssignment(SplitEnumeratorContext<FileSourceSplit> context, List<FileSourceSplit> splits, int[] subtasks) {
            this.context = context;
            splits.sort((a, b) -> Integer.compare(Integer.parseInt(a.splitId()), Integer.parseInt(b.splitId())));
            for (FileSourceSplit s : splits) {
                pending.computeIfAbsent(subtasks[Integer.parseInt(s.splitId())], k -> new ArrayList<>()).add(s);
            }
        }

        @Override
        public void start() {}

        @Override
        public void addReader(int subtask) {
            List<FileSourceSplit> mine = pending.remove(subtask);
            if (mine != null) {
                for (FileSourceSplit s : mine) context.assignSplit(s, subtask);
            }
            context.signalNoMoreSplits(subtask);
        }

        @Override
        public void handleSplitRequest(int subtask, String hostname) {
            // everything was assigned when the reader registered
        }

        @Override
        public void addSplitsBack(List<FileSourceSplit> splits, int subtask) {
            List<FileSourceSplit> back = pending.computeIfAbsent(subtask, k -> new ArrayList<>());
            back.addAll(splits);
            back.sort((a, b) -> Integer.compare(Integer.parseInt(a.splitId()), Integer.parseInt(b.splitId())));
        }

        @Override
        public PendingSplitsCheckpoint<FileSourceSplit> snapshotState(long checkpointId) {
            Collection<FileSourceSplit> all = new ArrayList<>();
            pending.values().forEach(all::addAll);
            return PendingSplitsCheckpoint.fromCollectionSnapshot(all);
        }

        @Override
        public void close() {}
    }

    /**
     * {@link ByteLineFormat} through Flink's {@link StreamFormatAdapter} (which decompresses by the file's
     * extension), each line tagged with its file (the split id is the file's index) and line number.
     */
    static final class LineFormat implements BulkFormat<FileLine, FileSourceSplit> {
        private static final long serialVersionUID = 1L;
        private final StreamFormatAdapter<byte[]> lines = new StreamFormatAdapter<>(new ByteLineFormat());

        @Override
        public Reader<FileLine> createReader(Configuration config, FileSourceSplit split) throws IOException {
            return new Tagging(lines.createReader(config, split), Integer.parseInt(split.splitId()));
        }

        @Override
        public Reader<FileLine> restoreReader(Configuration config, FileSourceSplit split) {
            // Replays run without checkpoints: a failed replay is run again from the start.
            throw new UnsupportedOperationException("a replay does not resume from a checkpoint");
        }

        @Override
        public boolean isSplittable() {
            return false;
        }

        @Override
        public TypeInformation<FileLine> getProducedType() {
            return TypeInformation.of(FileLine.class);
        }
    }

    private static final class Tagging implements BulkFormat.Reader<FileLine> {
        private final BulkFormat.Reader<byte[]> inner;
        private final int file;
        private long line;

        Tagging(BulkFormat.Reader<byte[]> inner, int file) {
            this.inner = inner;
            this.file = file;
        }

        @Override
        public BulkFormat.RecordIterator<FileLine> readBatch() throws IOException {
            BulkFormat.RecordIterator<byte[]> batch = inner.readBatch();
            if (batch == null) return null;
            return new BulkFormat.RecordIterator<>() {
                @Override
                public RecordAndPosition<FileLine> next() {
                    RecordAndPosition<byte[]> r = batch.next();
                    if (r == null) return null;
                    return new RecordAndPosition<>(new FileLine(file, line++, r.getRecord()), r.getOffset(), r.getRecordSkipCount());
                }

                @Override
                public void releaseBatch() {
                    batch.releaseBatch();
                }
            };
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }
}
