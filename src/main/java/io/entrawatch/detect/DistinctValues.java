package io.entrawatch.detect;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

import java.util.ArrayList;
import java.util.List;

/**
 * An exact distinct count in keyed state: the values as a MapState (O(1) per sign-in on RocksDB, not a
 * serialized set) and their number, so a duplicate adds nothing and re-deliveries cannot change the count.
 * The state names are part of savepoints: an operator keeps the names it was released with.
 */
public final class DistinctValues {
    private final MapState<String, Boolean> values;
    private final ValueState<Integer> count;

    private DistinctValues(MapState<String, Boolean> values, ValueState<Integer> count) {
        this.values = values;
        this.count = count;
    }

    /** Declares the two states; call from the operator's {@code open}. */
    public static DistinctValues declare(RuntimeContext runtime, String valuesState, String countState) {
        return new DistinctValues(
                runtime.getMapState(new MapStateDescriptor<>(valuesState, Types.STRING, Types.BOOLEAN)),
                runtime.getState(new ValueStateDescriptor<>(countState, Types.INT)));
    }

    /** Adds a value of the current key; null is not a value. */
    public void add(String value) throws Exception {
        if (value == null || values.contains(value)) return;
        values.put(value, Boolean.TRUE);
        Integer n = count.value();
        count.update(n == null ? 1 : n + 1);
    }

    /** The number of distinct values of the current key, 0 when none. */
    public int count() throws Exception {
        Integer n = count.value();
        return n == null ? 0 : n;
    }

    public List<String> values() throws Exception {
        List<String> out = new ArrayList<>();
        for (String v : values.keys()) out.add(v);
        return out;
    }

    public void clear() {
        values.clear();
        count.clear();
    }
}
