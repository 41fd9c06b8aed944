package io.entrawatch.exceptions;

import java.util.List;
import java.util.Map;

/**
 * Exceptions filed under a string (a UPN, a domain, an application id): an open-addressing table that keeps the
 * keys' hashes in an array of their own, so that a lookup which finds nothing, the usual case, reads the table's
 * dense arrays only and never follows a map entry to a key elsewhere in the heap. Built once, read only.
 */
final class StringIndex {
    private final int[] hashes;
    private final String[] keys;
    private final ExceptionItem[][] values;
    private final int mask;

    StringIndex(Map<String, List<ExceptionItem>> entries) {
        int capacity = Integer.highestOneBit(Math.max(4, entries.size() * 4 - 1)) << 1; // load factor <= 1/4
        hashes = new int[capacity];
        keys = new String[capacity];
        values = new ExceptionItem[capacity][];
        mask = capacity - 1;
        for (Map.Entry<String, List<ExceptionItem>> e : entries.entrySet()) {
            int h = e.getKey().hashCode();
            int i = slot(h);
            while (values[i] != null) i = (i + 1) & mask;
            hashes[i] = h;
            keys[i] = e.getKey();
            values[i] = e.getValue().toArray(new ExceptionItem[0]);
        }
    }

    /** The exceptions filed under {@code key}, or null (also for a null key). */
    ExceptionItem[] get(String key) {
        if (key == null) return null;
        int h = key.hashCode();
        for (int i = slot(h); ; i = (i + 1) & mask) {
            ExceptionItem[] v = values[i];
            if (v == null) return null;
            if (hashes[i] == h && keys[i].equals(key)) return v;
        }
    }

    private int slot(int h) {
        return (h ^ (h >>> 16)) * 0x9E3779B9 >>> 8 & mask;
    }
}
