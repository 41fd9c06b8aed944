package io.entrawatch.exceptions;

import java.io.Serializable;
import java.util.Locale;

/**
 * An IPv4 or IPv6 address block: an address with a prefix length ({@code 10.1.2.0/24}, {@code 2001:db8::/32}),
 * or one address (a /32 or /128 block). The 128 bits of an IPv6 address are {@code hi} and {@code lo}; an IPv4
 * address is the low 32 bits of {@code lo}. The family is the text's: an IPv4-mapped IPv6 address
 * ({@code ::ffff:192.0.2.1}) is IPv6, so an IPv4 block never matches it, and the reverse.
 *
 * <p>Parsing is strict, for exceptions an analyst writes: IPv4 parts without leading zeros, a prefix within
 * the family's length and without host bits set, no zone id. {@link #parse} says what is wrong.
 */
public final class IpBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    public final boolean ipv6;
    public final long hi;
    public final long lo;
    public final int prefix;

    private IpBlock(boolean ipv6, long hi, long lo, int prefix) {
        this.ipv6 = ipv6;
        this.hi = hi;
        this.lo = lo;
        this.prefix = prefix;
    }

    /** Thrown by {@link #parse} with what is wrong in the text. */
    public static final class InvalidBlockException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidBlockException(String message) {
            super(message);
        }
    }

    /** An address or CIDR block; throws {@link InvalidBlockException} saying what is wrong. */
    public static IpBlock parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        IpBlock a = parseAddressStrict(address, text);
        if (slash < 0) return a;
        String p = text.substring(slash + 1);
        int max = a.ipv6 ? 128 : 32;
        if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                || (p.length() > 1 && p.charAt(0) == '0')) {
            throw new InvalidBlockException("'" + text + "': the prefix length after '/' must be a number from 0 to " + max);
        }
        int prefix = Integer.parseInt(p);
        if (prefix > max) {
            throw new InvalidBlockException("'" + text + "': prefix length " + prefix + " is longer than the " + max
                    + " bits of an " + (a.ipv6 ? "IPv6" : "IPv4") + " address");
        }
        IpBlock block = new IpBlock(a.ipv6, maskHi(a.hi, prefix, a.ipv6), maskLo(a.lo, prefix, a.ipv6), prefix);
        if (block.hi != a.hi || block.lo != a.lo) {
            throw new InvalidBlockException("'" + text + "' has host bits set after the first " + prefix
                    + " bits; write " + block.text());
        }
        return block;
    }

    /**
     * A sign-in's address (a /32 or /128 block), or null when the text is not an IPv4 or IPv6 address: what
     * {@link #parse} accepts for one address, and nothing else.
     *
     * <p>It runs for every sign-in while exceptions with an address are in force, so the usual forms are read in
     * place, allocating only the result (no split, stream or group array): dotted IPv4, and IPv6 written in ASCII
     * hex groups with at most one "::". Anything else
     * (an embedded IPv4 part, a zone id, non-ASCII digits, or text that is no address) is left to the strict parser,
     * whose answer it is.
     */
    public static IpBlock addressOrNull(String text) {
        if (text == null || text.isEmpty() || text.indexOf('/') >= 0) return null;
        if (text.indexOf(':') < 0) {
            // the strict parser's IPv4 rules exactly: four parts of 1-3 ASCII digits, no leading zero, each <= 255
            long v4 = ipv4OrMinusOne(text);
            return v4 < 0 ? null : new IpBlock(false, 0, v4, 32);
        }
        IpBlock fast = plainIpv6OrNull(text);
        if (fast != null) return fast;
        try {
            return parseAddressStrict(text, text);
        } catch (InvalidBlockException e) {
            return null;
        }
    }

    /** The address of a dotted IPv4 text as {@link #parseIpv4} accepts it, or -1. */
    private static long ipv4OrMinusOne(String s) {
        int n = s.length();
        long v = 0;
        int parts = 0, i = 0;
        while (true) {
            int start = i, part = 0;
            while (i < n) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') break;
                part = part * 10 + (c - '0');
                if (++i - start > 3) return -1;
            }
            int len = i - start;
            if (len == 0 || (len > 1 && s.charAt(start) == '0') || part > 255) return -1;
            v = (v << 8) | part;
            parts++;
            if (i == n) return parts == 4 ? v : -1;
            if (s.charAt(i) != '.' || parts == 4) return -1;
            i++;
        }
    }

    /**
     * An IPv6 text of ASCII hex groups and colons with at most one "::", as {@link #parseIpv6} reads it; null when
     * the text has any other character or is not such an address (the strict parser then decides).
     */
    private static IpBlock plainIpv6OrNull(String s) {
        int n = s.length();
        int dc = s.indexOf("::");
        if (dc >= 0 && s.indexOf("::", dc + 1) >= 0) return null;
        int headEnd = dc < 0 ? n : dc;
        int h = plainGroups(s, 0, headEnd);
        int t = dc < 0 ? 0 : plainGroups(s, dc + 2, n);
        if (h < 0 || t < 0 || (dc < 0 ? h != 8 : h + t > 7)) return null;
        // the head's groups from the first position on, the tail's so that its last group is the eighth
        long hi = 0, lo = 0;
        int i = 0, end = headEnd, position = 0;
        for (int side = 0; side < 2; side++) {
            if (side == 1) {
                if (dc < 0) break;
                i = dc + 2;
                end = n;
                position = 8 - t;
            }
            while (i < end) {
                int g = 0;
                for (char c; i < end && (c = s.charAt(i)) != ':'; i++) g = (g << 4) | hexDigit(c);
                if (position < 4) hi |= (long) g << (48 - 16 * position);
                else lo |= (long) g << (48 - 16 * (position - 4));
                position++;
                i++; // past the ':'
            }
        }
        return new IpBlock(true, hi, lo, 128);
    }

    /** The number of groups (1-4 ASCII hex digits, separated by single colons) in s[from, to); 0 when empty; -1 when not. */
    private static int plainGroups(String s, int from, int to) {
        if (from == to) return 0;
        int count = 0;
        int i = from;
        while (true) {
            int start = i;
            while (i < to && s.charAt(i) != ':') {
                if (hexDigit(s.charAt(i)) < 0) return -1;
                i++;
            }
            if (i == start || i - start > 4) return -1;
            count++;
            if (i == to) return count;
            if (++i == to) return -1; // a colon at the end: an empty group
        }
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** True when {@code address} (one address) lies in this block; never across families. */
    public boolean contains(IpBlock address) {
        return address.ipv6 == ipv6 && maskHi(address.hi, prefix, ipv6) == hi && maskLo(address.lo, prefix, ipv6) == lo;
    }

    /** This block's network part as an index key for {@code prefix} bits of {@code address} (same family). */
    static long keyHi(IpBlock address, int prefix) {
        return maskHi(address.hi, prefix, address.ipv6);
    }

    static long keyLo(IpBlock address, int prefix) {
        return maskLo(address.lo, prefix, address.ipv6);
    }

    private static long maskHi(long hi, int prefix, boolean ipv6) {
        if (!ipv6) return 0;
        if (prefix >= 64) return hi;
        return prefix == 0 ? 0 : hi & (-1L << (64 - prefix));
    }

    private static long maskLo(long lo, int prefix, boolean ipv6) {
        if (!ipv6) return prefix == 0 ? 0 : lo & ((-1L << (32 - prefix)) & 0xFFFFFFFFL);
        if (prefix <= 64) return 0;
        if (prefix == 128) return lo;
        return lo & (-1L << (128 - prefix));
    }

    private static IpBlock parseAddressStrict(String address, String whole) {
        if (address.isEmpty()) throw new InvalidBlockException("'" + whole + "' has no address");
        if (address.indexOf(':') >= 0) return parseIpv6(address, whole);
        long v4 = parseIpv4(address, whole);
        return new IpBlock(false, 0, v4, 32);
    }

    private static long parseIpv4(String s, String whole) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) throw new InvalidBlockException("'" + whole + "' is not an IPv4 address (four parts a.b.c.d) or an IPv6 address");
        long v = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new InvalidBlockException("'" + whole + "': IPv4 part '" + part + "' is not a number from 0 to 255");
            }
            if (part.length() > 1 && part.charAt(0) == '0') {
                throw new InvalidBlockException("'" + whole + "': IPv4 part '" + part + "' has a leading zero (ambiguous: octal or decimal)");
            }
            int n = Integer.parseInt(part);
            if (n > 255) throw new InvalidBlockException("'" + whole + "': IPv4 part '" + part + "' is larger than 255");
            v = (v << 8) | n;
        }
        return v;
    }

    private static IpBlock parseIpv6(String s, String whole) {
        if (s.indexOf('%') >= 0) throw new InvalidBlockException("'" + whole + "': an IPv6 zone id (%...) is not allowed");
        int[] groups = new int[8];
        int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
            throw new InvalidBlockException("'" + whole + "' is not an IPv6 address: '::' appears twice");
        }
        String head = doubleColon < 0 ? s : s.substring(0, doubleColon);
        String tail = doubleColon < 0 ? "" : s.substring(doubleColon + 2);
        int[] h = groups(head, whole, doubleColon < 0 || tail.isEmpty());
        int[] t = doubleColon < 0 ? new int[0] : groups(tail, whole, true);
        if (doubleColon < 0) {
            if (h.length != 8) throw new InvalidBlockException("'" + whole + "' is not an IPv6 address: 8 groups expected, found " + h.length);
            groups = h;
        } else {
            if (h.length + t.length > 7) throw new InvalidBlockException("'" + whole + "' is not an IPv6 address: too many groups for '::'");
            System.arraycopy(h, 0, groups, 0, h.length);
            System.arraycopy(t, 0, groups, 8 - t.length, t.length);
        }
        long hi = 0, lo = 0;
        for (int i = 0; i < 4; i++) hi = (hi << 16) | groups[i];
        for (int i = 4; i < 8; i++) lo = (lo << 16) | groups[i];
        return new IpBlock(true, hi, lo, 128);
    }

    /** The 16-bit groups of one side of '::'; an embedded IPv4 address is allowed as the last two groups of the last side. */
    private static int[] groups(String side, String whole, boolean last) {
        if (side.isEmpty()) return new int[0];
        String[] parts = side.split(":", -1);
        int extra = 0;
        if (last && parts[parts.length - 1].indexOf('.') >= 0) extra = 1;
        int[] out = new int[parts.length + extra];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == parts.length - 1 && extra == 1) {
                long v4 = parseIpv4(p, whole);
                out[i] = (int) (v4 >>> 16);
                out[i + 1] = (int) (v4 & 0xFFFF);
                continue;
            }
            if (p.isEmpty() || p.length() > 4) throw new InvalidBlockException("'" + whole + "' is not an IPv6 address: group '" + p + "'");
            int v = 0;
            for (int k = 0; k < p.length(); k++) {
                int d = Character.digit(p.charAt(k), 16);
                if (d < 0) throw new InvalidBlockException("'" + whole + "' is not an IPv6 address: group '" + p + "'");
                v = (v << 4) | d;
            }
            out[i] = v;
        }
        return out;
    }

    /** Canonical text: dotted IPv4 or full (uncompressed) lower-case IPv6, with the prefix when not one address. */
    public String text() {
        StringBuilder b = new StringBuilder();
        if (!ipv6) {
            b.append((lo >>> 24) & 255).append('.').append((lo >>> 16) & 255).append('.').append((lo >>> 8) & 255).append('.').append(lo & 255);
        } else {
            for (int i = 0; i < 8; i++) {
                long word = i < 4 ? hi : lo;
                int shift = 48 - 16 * (i % 4);
                if (i > 0) b.append(':');
                b.append(Long.toHexString((word >>> shift) & 0xFFFF));
            }
        }
        if (prefix != (ipv6 ? 128 : 32)) b.append('/').append(prefix);
        return b.toString().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return text();
    }
}
