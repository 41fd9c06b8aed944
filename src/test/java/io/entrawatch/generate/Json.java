package io.entrawatch.generate;

/**
 * Small, allocation-free helpers to append JSON text, times and identifiers to a
 * {@link StringBuilder}. The generator writes JSON by hand (not through a JSON library) so that it
 * controls key order, spacing and number-vs-string quirks exactly, and so that it is fast.
 */
final class Json {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final String[] MONTH_PAD = {"", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"};

    /** 100-nanosecond ticks per millisecond / second (Entra writes 7 fraction digits). */
    static final long TICKS_PER_MS = 10_000L;
    static final long TICKS_PER_SECOND = 10_000_000L;

    private Json() {}

    /** Appends {@code "s"} with JSON escaping. */
    static void str(ByteSink sb, String s) {
        sb.append('"');
        escape(sb, s);
        sb.append('"');
    }

    static void escape(ByteSink sb, String s) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
            i++;
        }
        if (i == n) {
            sb.ascii(s);
            return;
        }
        int start = 0;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20) {
                sb.append(s, start, i);
                switch (c) {
                    case '"' -> sb.ascii("\\\"");
                    case '\\' -> sb.ascii("\\\\");
                    case '\n' -> sb.ascii("\\n");
                    case '\r' -> sb.ascii("\\r");
                    case '\t' -> sb.ascii("\\t");
                    default -> {
                        sb.ascii("\\u00");
                        sb.append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    }
                }
                start = i + 1;
            }
        }
        sb.append(s, start, n);
    }

    /** Returns the JSON string literal of {@code s} (with quotes). */
    static String quote(String s) {
        ByteSink sb = new ByteSink(s.length() + 8);
        str(sb, s);
        return sb.toString();
    }

    /** The JSON string literal of {@code s} (with quotes), as UTF-8 bytes. */
    static byte[] quoteBytes(String s) {
        ByteSink sb = new ByteSink(s.length() + 8);
        str(sb, s);
        return sb.toByteArray();
    }

    /** Appends a lower-case UUID text built from two 64-bit values (version 4 bits set). */
    static void uuid(ByteSink sb, long hi, long lo) {
        hi = (hi & 0xFFFFFFFFFFFF0FFFL) | 0x0000000000004000L;
        lo = (lo & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        hex(sb, hi >>> 32, 8);
        sb.append('-');
        hex(sb, (hi >>> 16) & 0xFFFF, 4);
        sb.append('-');
        hex(sb, hi & 0xFFFF, 4);
        sb.append('-');
        hex(sb, lo >>> 48, 4);
        sb.append('-');
        hex(sb, lo & 0xFFFFFFFFFFFFL, 12);
    }

    static String uuid(long hi, long lo) {
        ByteSink sb = new ByteSink(36);
        uuid(sb, hi, lo);
        return sb.toString();
    }

    static void hex(ByteSink sb, long v, int digits) {
        for (int i = (digits - 1) * 4; i >= 0; i -= 4) {
            sb.append(HEX[(int) ((v >>> i) & 0xF)]);
        }
    }

    private static final char[] B64URL =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    /** Appends {@code n} base64url characters drawn from the bits of the two values. */
    static void b64(ByteSink sb, long a, long b, int n) {
        for (int i = 0; i < n; i++) {
            long src = i < 10 ? a : b;
            int shift = (i % 10) * 6;
            sb.append(B64URL[(int) ((src >>> shift) & 63)]);
        }
    }

    static void pad2(ByteSink sb, int v) {
        if (v < 10) sb.append('0');
        sb.append(v);
    }

    private static void pad4(ByteSink sb, int v) {
        if (v < 1000) sb.append('0');
        if (v < 100) sb.append('0');
        if (v < 10) sb.append('0');
        sb.append(v);
    }

    private static void pad7(ByteSink sb, int v) {
        for (int p = 1_000_000; p > 1 && v < p; p /= 10) sb.append('0');
        sb.append(v);
    }

    /** Civil date fields of a day number since 1970-01-01 (Howard Hinnant's algorithm). */
    private static long civil(long days) {
        long z = days + 719468;
        long era = Math.floorDiv(z, 146097);
        long doe = z - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long y = yoe + era * 400;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long d = doy - (153 * mp + 2) / 5 + 1;
        long m = mp < 10 ? mp + 3 : mp - 9;
        if (m <= 2) y++;
        return (y << 16) | (m << 8) | d;
    }

    /**
     * Appends an ISO-8601 UTC date-time with 7 fraction digits, from 100-ns ticks since the epoch.
     * {@code suffix} is {@code "+00:00"} (as in properties.createdDateTime) or {@code "Z"} (as in time).
     */
    static void isoTicks(ByteSink sb, long ticks, String suffix) {
        long secs = Math.floorDiv(ticks, TICKS_PER_SECOND);
        int frac = (int) Math.floorMod(ticks, TICKS_PER_SECOND);
        long days = Math.floorDiv(secs, 86400);
        int sod = (int) Math.floorMod(secs, 86400);
        long c = civil(days);
        pad4(sb, (int) (c >> 16));
        sb.append('-').append(MONTH_PAD[(int) ((c >> 8) & 0xFF)]).append('-');
        pad2(sb, (int) (c & 0xFF));
        sb.append('T');
        pad2(sb, sod / 3600);
        sb.append(':');
        pad2(sb, (sod / 60) % 60);
        sb.append(':');
        pad2(sb, sod % 60);
        sb.append('.');
        pad7(sb, frac);
        sb.append(suffix);
    }

    /** Appends an ISO-8601 UTC date-time without fraction ({@code 2025-12-12T14:56:31+00:00}). */
    static void isoSeconds(ByteSink sb, long ticks, String suffix) {
        long secs = Math.floorDiv(ticks, TICKS_PER_SECOND);
        long days = Math.floorDiv(secs, 86400);
        int sod = (int) Math.floorMod(secs, 86400);
        long c = civil(days);
        pad4(sb, (int) (c >> 16));
        sb.append('-').append(MONTH_PAD[(int) ((c >> 8) & 0xFF)]).append('-');
        pad2(sb, (int) (c & 0xFF));
        sb.append('T');
        pad2(sb, sod / 3600);
        sb.append(':');
        pad2(sb, (sod / 60) % 60);
        sb.append(':');
        pad2(sb, sod % 60);
        sb.append(suffix);
    }

    /** Appends the US format Azure sometimes uses for {@code time}: {@code 11/14/2025 1:48:53 AM}. */
    static void usTime(ByteSink sb, long ticks) {
        long secs = Math.floorDiv(ticks, TICKS_PER_SECOND);
        long days = Math.floorDiv(secs, 86400);
        int sod = (int) Math.floorMod(secs, 86400);
        long c = civil(days);
        sb.append((int) ((c >> 8) & 0xFF)).append('/').append((int) (c & 0xFF)).append('/').append((int) (c >> 16));
        int h = sod / 3600;
        int h12 = h % 12 == 0 ? 12 : h % 12;
        sb.append(' ').append(h12).append(':');
        pad2(sb, (sod / 60) % 60);
        sb.append(':');
        pad2(sb, sod % 60);
        sb.append(h < 12 ? " AM" : " PM");
    }

    static String isoTicks(long ticks, String suffix) {
        ByteSink sb = new ByteSink(34);
        isoTicks(sb, ticks, suffix);
        return sb.toString();
    }
}
