package io.entrawatch.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable UTF-8 byte buffer with a {@link StringBuilder}-like API. The generator renders JSON
 * straight into bytes: no intermediate String, no second encoding pass.
 */
final class ByteSink {
    private byte[] buf;
    private int len;

    ByteSink(int capacity) {
        buf = new byte[capacity];
    }

    int length() {
        return len;
    }

    void setLength(int n) {
        len = n;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }

    ByteSink append(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    /** Appends an ASCII character (callers never pass anything else). */
    ByteSink append(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    /**
     * Appends {@code s}, which the caller knows to be ASCII (literals, GUIDs, IP addresses): a plain
     * array copy for compact (Latin-1) strings.
     */
    @SuppressWarnings("deprecation")
    ByteSink ascii(String s) {
        int n = s.length();
        ensure(n);
        s.getBytes(0, n, buf, len);
        len += n;
        return this;
    }

    /** Appends {@code s} encoded as UTF-8. */
    ByteSink append(String s) {
        int n = s.length();
        ensure(n);
        byte[] b = buf;
        int p = len;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                len = p;
                appendUtf8(s, i);
                return this;
            }
            b[p++] = (byte) c;
        }
        len = p;
        return this;
    }

    /** Appends {@code s} from index {@code from} on, encoding every character as UTF-8. */
    private void appendUtf8(String s, int from) {
        byte[] enc = s.substring(from).getBytes(StandardCharsets.UTF_8);
        append(enc);
    }

    /** Appends the characters {@code s[from, to)} (ASCII or not). */
    ByteSink append(String s, int from, int to) {
        return append(s.substring(from, to));
    }

    ByteSink append(boolean v) {
        return append(v ? "true" : "false");
    }

    ByteSink append(int v) {
        return append((long) v);
    }

    ByteSink append(long v) {
        if (v == Long.MIN_VALUE) return append(Long.toString(v));
        ensure(20);
        if (v < 0) {
            buf[len++] = '-';
            v = -v;
        }
        if (v < 10) {
            buf[len++] = (byte) ('0' + v);
            return this;
        }
        int digits = 0;
        for (long x = v; x > 0; x /= 10) digits++;
        int end = len + digits;
        for (int p = end - 1; p >= len; p--) {
            buf[p] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        len = end;
        return this;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, len);
    }

    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.UTF_8);
    }
}
