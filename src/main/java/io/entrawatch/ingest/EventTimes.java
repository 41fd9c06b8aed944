package io.entrawatch.ingest;

import java.time.LocalDate;

/**
 * Parses the time formats Entra and Azure Monitor write, without allocation on the common path:
 * ISO-8601 with 0-9 fraction digits and an optional offset ({@code 2019-10-18T04:45:48.0729893-05:00},
 * {@code 2007-01-09T09:41:00}), and US month-first times ({@code 11/14/2025 1:48:53 AM},
 * {@code 1/9/2007 10:41:00 AM +01:00}, 24-hour without AM/PM). A time without an offset is UTC.
 * Sub-millisecond digits are truncated (event time is in milliseconds).
 */
public final class EventTimes {
    /** Returned when the text is not a time this class understands. */
    public static final long INVALID = Long.MIN_VALUE;

    private EventTimes() {}

    public static long parseMillis(String s) {
        if (s == null) return INVALID;
        int n = s.length();
        if (n < 8) return INVALID;
        try {
            if (n >= 10 && s.charAt(4) == '-') return parseIso(s);
            if (s.indexOf('/') > 0) return parseUs(s);
        } catch (RuntimeException e) {
            return INVALID;
        }
        return INVALID;
    }

    private static long parseIso(String s) {
        int[] pos = {0};
        int year = digits(s, pos, 4, 4);
        expect(s, pos, '-');
        int month = digits(s, pos, 2, 2);
        expect(s, pos, '-');
        int day = digits(s, pos, 2, 2);
        if (pos[0] >= s.length() || (s.charAt(pos[0]) != 'T' && s.charAt(pos[0]) != 't' && s.charAt(pos[0]) != ' ')) {
            return INVALID;
        }
        pos[0]++;
        return timeOfDay(s, pos, year, month, day, false);
    }

    private static long parseUs(String s) {
        int[] pos = {0};
        int month = digits(s, pos, 1, 2);
        expect(s, pos, '/');
        int day = digits(s, pos, 1, 2);
        expect(s, pos, '/');
        int year = digits(s, pos, 4, 4);
        if (pos[0] >= s.length() || s.charAt(pos[0]) != ' ') return INVALID;
        pos[0]++;
        return timeOfDay(s, pos, year, month, day, true);
    }

    /** Parses {@code H:MM[:SS[.f]]} then AM/PM (US only) and an offset, from pos. */
    private static long timeOfDay(String s, int[] pos, int year, int month, int day, boolean us) {
        int hour = digits(s, pos, us ? 1 : 2, 2);
        expect(s, pos, ':');
        int minute = digits(s, pos, 2, 2);
        int second = 0;
        int millis = 0;
        if (pos[0] < s.length() && s.charAt(pos[0]) == ':') {
            pos[0]++;
            second = digits(s, pos, 2, 2);
            if (pos[0] < s.length() && (s.charAt(pos[0]) == '.' || s.charAt(pos[0]) == ',')) {
                pos[0]++;
                int start = pos[0];
                int scale = 100;
                while (pos[0] < s.length() && isDigit(s.charAt(pos[0]))) {
                    if (scale > 0) {
                        millis += (s.charAt(pos[0]) - '0') * scale;
                        scale /= 10;
                    }
                    pos[0]++;
                }
                if (pos[0] == start || pos[0] - start > 9) return INVALID;
            }
        }
        if (us) {
            skipSpaces(s, pos);
            if (pos[0] + 1 < s.length() && (s.charAt(pos[0] + 1) == 'M' || s.charAt(pos[0] + 1) == 'm')) {
                char c = Character.toUpperCase(s.charAt(pos[0]));
                if (hour < 1 || hour > 12) return INVALID;
                if (c == 'A') hour = hour == 12 ? 0 : hour;
                else if (c == 'P') hour = hour == 12 ? 12 : hour + 12;
                else return INVALID;
                pos[0] += 2;
            }
            skipSpaces(s, pos);
        }
        int offsetSeconds = 0;
        if (pos[0] < s.length()) {
            char c = s.charAt(pos[0]);
            if (c == 'Z' || c == 'z') {
                pos[0]++;
            } else if (c == '+' || c == '-') {
                pos[0]++;
                int oh = digits(s, pos, 2, 2);
                int om = 0;
                if (pos[0] < s.length() && s.charAt(pos[0]) == ':') pos[0]++;
                if (pos[0] < s.length()) om = digits(s, pos, 2, 2);
                if (oh > 18 || om > 59) return INVALID;
                offsetSeconds = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
            } else {
                return INVALID;
            }
        }
        if (pos[0] != s.length()) return INVALID;
        if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return INVALID;
        long epochDay = LocalDate.of(year, month, day).toEpochDay(); // throws on 31 February
        long seconds = epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return seconds * 1000L + millis;
    }

    private static void skipSpaces(String s, int[] pos) {
        while (pos[0] < s.length() && s.charAt(pos[0]) == ' ') pos[0]++;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int digits(String s, int[] pos, int min, int max) {
        int v = 0;
        int start = pos[0];
        while (pos[0] < s.length() && pos[0] - start < max && isDigit(s.charAt(pos[0]))) {
            v = v * 10 + (s.charAt(pos[0]) - '0');
            pos[0]++;
        }
        if (pos[0] - start < min) throw new IllegalArgumentException("digits expected");
        return v;
    }

    private static void expect(String s, int[] pos, char c) {
        if (pos[0] >= s.length() || s.charAt(pos[0]) != c) throw new IllegalArgumentException(c + " expected");
        pos[0]++;
    }
}
