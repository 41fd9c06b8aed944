package io.entrawatch.replay;

import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A file of Event Hubs message bodies, one per line, read as the raw bytes of each line: what the parser
 * takes, as the Kafka deserializer hands it. {@code TextLineInputFormat} would decode each line into a
 * {@code String} only for the parser to encode it back (a third of replay's profile, README "Performance").
 *
 * <p>A line ends at {@code \n}; one {@code \r} before it is dropped (CRLF files). A bare {@code \r} is
 * JSON whitespace and stays in the message (a {@code BufferedReader} would cut the message there). Bytes
 * are not decoded, so invalid UTF-8 reaches the parser and is dead-lettered as it is from Event Hubs
 * (decoding would have replaced it with U+FFFD). Not splittable: one file is one ordered partition.
 */
public final class ByteLineFormat extends SimpleStreamFormat<byte[]> {
    private static final long serialVersionUID = 1L;
    private static final int CHUNK = 1 << 16;

    @Override
    public StreamFormat.Reader<byte[]> createReader(Configuration config, FSDataInputStream stream) {
        return new LineReader(stream);
    }

    @Override
    public TypeInformation<byte[]> getProducedType() {
        return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    }

    /** Lines out of a 64 KB buffer; a line longer than the buffer is gathered in a growing array. */
    static final class LineReader implements StreamFormat.Reader<byte[]> {
        private final InputStream in;
        private final byte[] chunk = new byte[CHUNK];
        private int at, len;
        private boolean eof;

        LineReader(InputStream in) {
            this.in = in;
        }

        @Override
        public byte[] read() throws IOException {
            byte[] spill = null;
            int spilled = 0;
            while (true) {
                if (at == len) {
                    if (eof || !fill()) {
                        // the last line without a newline; nothing at all after a final newline
                        return spill == null ? null : line(spill, 0, spilled);
                    }
                }
                int from = at;
                int i = from;
                byte[] c = chunk;
                int n = len;
                while (i < n && c[i] != '\n') i++;
                if (i < n) {
                    at = i + 1;
                    if (spill == null) return line(c, from, i - from);
                    spill = append(spill, spilled, c, from, i - from);
                    return line(spill, 0, spilled + i - from);
                }
                spill = append(spill == null ? new byte[2 * CHUNK] : spill, spilled, c, from, n - from);
                spilled += n - from;
                at = n;
            }
        }

        private boolean fill() throws IOException {
            at = 0;
            len = 0;
            int n = in.read(chunk, 0, chunk.length);
            if (n <= 0) {
                eof = true;
                return false;
            }
            len = n;
            return true;
        }

        private static byte[] append(byte[] to, int used, byte[] from, int offset, int count) {
            if (used + count > to.length) to = Arrays.copyOf(to, Math.max(to.length * 2, used + count));
            System.arraycopy(from, offset, to, used, count);
            return to;
        }

        /** The line's bytes without a trailing {@code \r}. */
        private static byte[] line(byte[] b, int offset, int count) {
            if (count > 0 && b[offset + count - 1] == '\r') count--;
            return Arrays.copyOfRange(b, offset, offset + count);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
