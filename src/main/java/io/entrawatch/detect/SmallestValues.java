package io.entrawatch.detect;

import java.util.Arrays;

/**
 * Keeps the {@code limit} lexicographically smallest distinct values of a stream as a sorted array,
 * so the result does not depend on arrival order and the state is bounded whatever the stream's size.
 * Arrays (not collections) so the state serializes with Flink's basic array serializer, not Kryo.
 */
public final class SmallestValues {
    public static final String[] EMPTY = new String[0];

    private SmallestValues() {}

    /**
     * {@code sorted} with {@code value} added when it is among the {@code limit} smallest; the same
     * array instance when nothing changes (already present, or larger than a full set's largest).
     */
    public static String[] add(String[] sorted, String value, int limit) {
        if (value == null) return sorted;
        if (sorted == null) sorted = EMPTY;
        if (sorted.length >= limit && limit > 0 && value.compareTo(sorted[limit - 1]) >= 0) return sorted;
        int at = Arrays.binarySearch(sorted, value);
        if (at >= 0) return sorted;
        int insert = -at - 1;
        if (insert >= limit) return sorted;
        int size = Math.min(sorted.length + 1, limit);
        String[] out = new String[size];
        System.arraycopy(sorted, 0, out, 0, insert);
        out[insert] = value;
        System.arraycopy(sorted, insert, out, insert + 1, size - insert - 1);
        return out;
    }

    /** The smaller of two nullable values (null only when both are). */
    public static String min(String current, String candidate) {
        if (candidate == null) return current;
        if (current == null) return candidate;
        return candidate.compareTo(current) < 0 ? candidate : current;
    }
}
