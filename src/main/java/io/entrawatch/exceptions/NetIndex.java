package io.entrawatch.exceptions;

import java.util.List;
import java.util.Map;

/**
 * The exceptions filed under the networks of one prefix length: an open-addressing table from a network (its
 * 128 bits as {@code hi}, {@code lo}; an IPv4 network has {@code hi} 0) to those exceptions. A lookup neither
 * boxes nor allocates. Built once, read only.
 */
final class NetIndex {
    /** A network of one prefix length, as a key while the index is built. */
    record Net(long hi, long lo) {}

    final int prefix;
    private final long[] his;
    private final long[] los;
    private final ExceptionItem[][] values;
    private final int mask;

    NetIndex(int prefix, Map<Net, List<ExceptionItem>> networks) {
        this.prefix = prefix;
        int capacity = Integer.highestOneBit(Math.max(4, networks.size() * 2 - 1)) << 1; // load factor <= 1/2
        his = new long[capacity];
        los = new long[capacity];
        values = new ExceptionItem[capacity][];
        mask = capacity - 1;
        for (Map.Entry<Net, List<ExceptionItem>> e : networks.entrySet()) {
            long hi = e.getKey().hi(), lo = e.getKey().lo();
            int i = slot(hi, lo);
            while (values[i] != null) i = (i + 1) & mask;
            his[i] = hi;
            los[i] = lo;
            values[i] = e.getValue().toArray(new ExceptionItem[0]);
        }
    }

    /** The exceptions filed under network (hi, lo) of this prefix length, or null. */
    ExceptionItem[] get(long hi, long lo) {
        for (int i = slot(hi, lo); ; i = (i + 1) & mask) {
            ExceptionItem[] v = values[i];
            if (v == null) return null;
            if (his[i] == hi && los[i] == lo) return v;
        }
    }

    private int slot(long hi, long lo) {
        long h = hi * 0x9E3779B97F4A7C15L ^ lo;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int) h & mask;
    }

    /**
     * The networks (at {@code bits} prefix length) that hold any block of at least that length: a sign-in whose
     * address lies in none of them skips the lookups of those lengths. Keys are the address's first {@code bits}
     * bits (at most 63), so never -1, which marks an empty slot.
     */
    static final class Coarse {
        final int bits;
        private final long[] keys;
        private final int mask;

        Coarse(int bits, java.util.Set<Long> networks) {
            this.bits = bits;
            int capacity = Integer.highestOneBit(Math.max(4, networks.size() * 4 - 1)) << 1; // load factor <= 1/4
            keys = new long[capacity];
            java.util.Arrays.fill(keys, -1L);
            mask = capacity - 1;
            for (long k : networks) {
                int i = slot(k);
                while (keys[i] != -1L && keys[i] != k) i = (i + 1) & mask;
                keys[i] = k;
            }
        }

        /** The first {@code bits} bits of an address (ipv6: of its 128 bits; else of its 32). */
        static long key(boolean ipv6, long hi, long lo, int bits) {
            return ipv6 ? hi >>> (64 - bits) : lo >>> (32 - bits);
        }

        boolean contains(long key) {
            for (int i = slot(key); ; i = (i + 1) & mask) {
                long k = keys[i];
                if (k == key) return true;
                if (k == -1L) return false;
            }
        }

        private int slot(long k) {
            long h = k * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }
    }
}
