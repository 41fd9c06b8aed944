package io.entrawatch.replay;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** jobs/replay's line reader: the bytes of each line, whatever the chunk boundaries. */
class ByteLineFormatTest {
    private static List<byte[]> lines(byte[] file, int maxRead) throws IOException {
        // a stream that returns at most maxRead bytes per read, to put chunk boundaries everywhere
        InputStream in = new FilterInputStream(new ByteArrayInputStream(file)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, maxRead));
            }
        };
        ByteLineFormat.LineReader r = new ByteLineFormat.LineReader(in);
        List<byte[]> out = new ArrayList<>();
        byte[] line;
        while ((line = r.read()) != null) out.add(line);
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReturnEachLineAsItsBytesWhereverTheReadsEnd() throws IOException {
        byte[] file = utf8("{\"records\":[]}\n\n{\"a\":\"caf\u00e9 \u6771\u4eac\"}\r\nlast without newline");
        for (int maxRead : new int[] {1, 2, 3, 7, 1 << 16}) {
            List<byte[]> lines = lines(file, maxRead);
            assertEquals(4, lines.size(), "reads of " + maxRead);
            assertArrayEquals(utf8("{\"records\":[]}"), lines.get(0));
            assertArrayEquals(new byte[0], lines.get(1), "an empty line is an (empty) message");
            assertArrayEquals(utf8("{\"a\":\"caf\u00e9 \u6771\u4eac\"}"), lines.get(2), "CRLF: the \\r is dropped");
            assertArrayEquals(utf8("last without newline"), lines.get(3));
        }
    }

    @Test
    void shouldReadNothingAfterAFinalNewline() throws IOException {
        assertEquals(1, lines(utf8("one\n"), 1 << 16).size());
        assertEquals(0, lines(new byte[0], 1 << 16).size());
        assertEquals(1, lines(utf8("\n"), 1 << 16).size());
    }

    @Test
    void shouldKeepLinesLongerThanTheBufferWhole() throws IOException {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        Arrays.fill(big, (byte) 'x');
        big[big.length - 1] = '\r'; // a CR right before a chunk-boundary newline
        byte[] file = new byte[big.length + 1 + 3];
        System.arraycopy(big, 0, file, 0, big.length);
        file[big.length] = '\n';
        file[big.length + 1] = 'e';
        file[big.length + 2] = 'n';
        file[big.length + 3] = 'd';
        for (int maxRead : new int[] {1000, 1 << 16}) {
            List<byte[]> lines = lines(file, maxRead);
            assertEquals(2, lines.size());
            assertArrayEquals(Arrays.copyOf(big, big.length - 1), lines.get(0));
            assertArrayEquals(utf8("end"), lines.get(1));
        }
    }

    @Test
    void shouldPassInvalidUtf8AndBareCarriageReturnsThroughUntouched() throws IOException {
        byte[] line = {'{', '"', 'a', '"', ':', '"', (byte) 0xff, (byte) 0xc3, (byte) 0x28, '"', '\r', '}'};
        byte[] file = Arrays.copyOf(line, line.length + 1);
        file[line.length] = '\n';
        List<byte[]> lines = lines(file, 1 << 16);
        assertEquals(1, lines.size(), "a bare \\r is JSON whitespace, not a line end");
        assertArrayEquals(line, lines.get(0));
    }
}
