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
 * {@code String} only for the parser to encode it back (a third of replay's profile, docs/performance.md).
 *
 * <p>A line ends at {@code \n}; one {@code \r} before it is dropped (CRLF files). A bare {@code \r} is
 * JSON whitespace and stays in the message (a {@code BufferedReader} would cut the message there). Bytes
 * are not decoded, so invalid UTF-8 reaches the parser and is dead-lettered as it is from Event Hubs
 * (decoding would have replaced it with U+FFFD). Not splittable: one file is one ordered partition.
 */
public final class ByteLineFormat extends SimpleStreamFormat<byte[]> {
    private static final long serialVersionUID = 1L;
    /** Event Hubs messages are at most 1 MB: most lines fit the first buffer whole. */
    private static final int CHUNK = 1 << 20;

    @Override
    public StreamFormat.Reader<byte[]> createReader(Configuration config, FSDataInputStream stream) {
        return new LineReader(stream);
    }

    @Override
    public TypeInformation<byte[]> getProducedType() {
        return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    }

    /**
     * Lines out of one buffer, each copied once into its own array (the parser's record offsets index it,
     * and it crosses from the fetcher thread to the task thread). When a line runs past the end of the
     * buffer, its start moves to the front and the buffer is refilled; a line longer than the buffer
     * doubles it. Growing a spill array per long line instead cost the fetcher thread three quarters of
     * its time in {@code Arrays.copyOf} (messages average 170 KB).
     */
    static final class LineReader implements StreamFormat.Reader<byte[]> {
        private final InputStream in;
        private byte[] buf = new byte[CHUNK];
        /** Next unread byte and end of the bytes read into {@code buf}. */
        private int at, len;
        private boolean eof;

        LineReader(InputStream in) {
            this.in = in;
        }

        @Override
        public byte[] read() throws IOException {
            int scanned = at; // bytes from `at` up to here hold no newline
            while (true) {
                byte[] b = buf;
                int i = scanned;
                int n = len;
                while (i < n && b[i] != '\n') i++;
                if (i < n) {
                    byte[] line = line(b, at, i - at);
                    at = i + 1;
                    return line;
                }
                int clean = n - at; // bytes of this line already scanned; fill() moves the line to `at` = 0
                if (eof || !fill()) {
                    if (at == len) return null; // nothing after the final newline
                    byte[] line = line(buf, at, len - at); // the last line, without a newline
                    at = len;
                    return line;
                }
                scanned = at + clean;
            }
        }

        /** Keeps the unread bytes (moved to the front, the buffer doubled when full) and reads more. */
        private boolean fill() throws IOException {
            int pending = len - at;
            if (at > 0) {
                System.arraycopy(buf, at, buf, 0, pending);
            } else if (pending == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            at = 0;
            len = pending;
            int n = in.read(buf, len, buf.length - len);
            if (n <= 0) {
                eof = true;
                return false;
            }
            len += n;
            return true;
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
