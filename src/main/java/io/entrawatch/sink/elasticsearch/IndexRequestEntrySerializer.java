package io.entrawatch.sink.elasticsearch;

import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Serializes the writer's buffered entries into checkpoints. Version 1 layout per entry: dead-letter
 * flag, index, optional id, source bytes; strings as length-prefixed UTF-8 (not {@code writeUTF},
 * which stops at 64 KB).
 */
public final class IndexRequestEntrySerializer extends AsyncSinkWriterStateSerializer<IndexRequestEntry> {
    private static final int VERSION = 1;

    @Override
    protected void serializeRequestToStream(IndexRequestEntry entry, DataOutputStream out) throws IOException {
        out.writeBoolean(entry.isDeadLetter());
        writeBytes(out, entry.index().getBytes(StandardCharsets.UTF_8));
        out.writeBoolean(entry.id() != null);
        if (entry.id() != null) writeBytes(out, entry.id().getBytes(StandardCharsets.UTF_8));
        writeBytes(out, entry.source());
    }

    @Override
    protected IndexRequestEntry deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
        boolean deadLetter = in.readBoolean();
        String index = new String(readBytes(in), StandardCharsets.UTF_8);
        String id = in.readBoolean() ? new String(readBytes(in), StandardCharsets.UTF_8) : null;
        byte[] source = readBytes(in);
        return deadLetter ? IndexRequestEntry.deadLetter(index, id, source) : IndexRequestEntry.of(index, id, source);
    }

    @Override
    public int getVersion() {
        return VERSION;
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) throw new IOException("corrupt sink state: negative length " + n);
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
