package io.entrawatch.exceptions;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link IpBlock#addressOrNull} reads a sign-in's address without the strict parser for the usual forms; it must
 * accept exactly what {@link IpBlock#parse} accepts for one address, with the same bits.
 */
class IpBlockAddressTest {
    /** The strict parser's answer for one address: what addressOrNull answered before it had fast paths. */
    private static IpBlock strict(String text) {
        if (text == null || text.isEmpty() || text.indexOf('/') >= 0) return null;
        try {
            return IpBlock.parse(text);
        } catch (IpBlock.InvalidBlockException e) {
            return null;
        }
    }

    private static void assertSame(String text) {
        IpBlock expected = strict(text), actual = IpBlock.addressOrNull(text);
        if (expected == null) {
            assertNull(actual, () -> "'" + text + "' is no address, but was read as " + actual);
            return;
        }
        assertNotNull(actual, () -> "'" + text + "' is " + expected + ", but was not read");
        assertEquals(expected.ipv6, actual.ipv6, text);
        assertEquals(expected.hi, actual.hi, text);
        assertEquals(expected.lo, actual.lo, text);
        assertEquals(expected.prefix, actual.prefix, text);
    }

    @Test
    void readsWhatTheStrictParserReads() {
        for (String t : List.of("1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1.2.3", "1.2.3.4.",
                ".1.2.3.4", "1..2.3", "1.2.3.4.5", "1234.1.1.1", "1.2.3.-4", "+1.2.3.4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.999",
                "0.00.0.0", "10.0.0.1/32", "", "::", "::1", "1::", ":::", "1:::2", "::1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9",
                "1:2:3:4:5:6:7", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::2:3:4:5:6:7", "1::2:3:4:5:6:7:8", "12345::1", "0000::0001",
                "ABCD:ef01::", ":1::2", "1::2:", "1:", ":1", "::ffff:1.2.3.4", "::ffff:01.2.3.4", "1:2:3:4:5:6:1.2.3.4",
                "1:2:3:4:5:6:7:1.2.3.4", "1:2::1.2.3.4", "1.2.3.4::", "1:2:1.2.3.4::", "fe80::1%eth0", "g::1", "2001:db8::/32",
                "\uFF11.2.3.4", "\uFF11::1", "1::\u0661", "2001:DB8:0:0:0:0:0:1", "2603:10a6:3155:9f19::1771")) {
            assertSame(t);
        }
    }

    @Test
    void readsRandomTextAsTheStrictParserDoes() {
        SplittableRandom rnd = new SplittableRandom(11);
        char[] alphabet = "0123456789abcdefABCDEF:..::g% /\uFF10\u0661x".toCharArray();
        for (int i = 0; i < 300_000; i++) {
            int n = rnd.nextInt(42);
            StringBuilder b = new StringBuilder(n);
            for (int k = 0; k < n; k++) b.append(alphabet[rnd.nextInt(alphabet.length)]);
            assertSame(b.toString());
        }
    }

    @Test
    void readsRandomAddressesAndTheirNearMissesAsTheStrictParserDoes() {
        SplittableRandom rnd = new SplittableRandom(12);
        for (int i = 0; i < 100_000; i++) {
            String a = rnd.nextBoolean() ? v4(rnd) : v6(rnd);
            assertSame(a);
            StringBuilder m = new StringBuilder(a);
            int at = rnd.nextInt(m.length() + 1);
            switch (rnd.nextInt(3)) {
                case 0 -> m.insert(at, "0123456789abcdef:.".charAt(rnd.nextInt(18)));
                case 1 -> { if (at < m.length()) m.deleteCharAt(at); }
                default -> { if (at < m.length()) m.setCharAt(at, "0123456789abcdefA:.".charAt(rnd.nextInt(19))); }
            }
            assertSame(m.toString());
        }
    }

    private static String v4(SplittableRandom rnd) {
        return rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256);
    }

    /** Random groups (often zero), written with or without leading zeros, upper or lower case, one run compressed. */
    private static String v6(SplittableRandom rnd) {
        List<String> g = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            int v = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(0x10000);
            String h = Integer.toHexString(v);
            if (rnd.nextInt(4) == 0) h = "0".repeat(4 - h.length()) + h;
            g.add(rnd.nextBoolean() ? h : h.toUpperCase());
        }
        if (rnd.nextBoolean()) return String.join(":", g);
        int from = rnd.nextInt(8), to = from + 1 + rnd.nextInt(8 - from);
        return String.join(":", g.subList(0, from)) + "::" + String.join(":", g.subList(to, 8));
    }
}
