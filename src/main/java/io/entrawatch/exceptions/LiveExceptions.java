package io.entrawatch.exceptions;

import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Flink's broadcast-state pattern for exceptions that change while the job runs: every parallel instance
 * receives each {@link ExceptionSnapshot} the exceptions source polls, keeps the set in force in broadcast
 * state (id -> document, so it is checkpointed and survives a restart or a restore from a savepoint), and
 * marks each sign-in with the rules the set hides it from ({@link SignIn#hiddenFrom}).
 *
 * <p>A snapshot that says the source could not be read changes nothing: the last set stays in force and
 * the detections go on.
 */
public final class LiveExceptions extends BroadcastProcessFunction<SignIn, ExceptionSnapshot, SignIn> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LiveExceptions.class);

    /** The broadcast state: exception id -> its JSON document. */
    public static final MapStateDescriptor<String, String> STATE =
            new MapStateDescriptor<>("exceptions-in-force", Types.STRING, Types.STRING);

    private final RuleList rules;
    private transient ExceptionSet set;
    private transient HiddenCounters counters;
    private transient volatile long appliedAt;
    private transient volatile int inForce;
    private transient boolean unavailableLogged;

    public LiveExceptions(RuleList rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext ctx) {
        counters = new HiddenCounters(getRuntimeContext(), getRuntimeContext().getMetricGroup().addGroup("entrawatch"), rules);
        counters.group().gauge("inForce", () -> inForce);
        counters.group().gauge("appliedAt", () -> appliedAt);
    }

    @Override
    public void processElement(SignIn s, ReadOnlyContext ctx, Collector<SignIn> out) throws Exception {
        if (set == null) set = restore(ctx.getBroadcastState(STATE));
        s.hiddenFrom = set.hiddenMask(s, counters);
        out.collect(s);
    }

    @Override
    public void processBroadcastElement(ExceptionSnapshot snapshot, Context ctx, Collector<SignIn> out) throws Exception {
        BroadcastState<String, String> state = ctx.getBroadcastState(STATE);
        if (set == null) set = restore(state);
        if (!snapshot.available) {
            if (!unavailableLogged && first()) {
                LOG.warn("exceptions: {}; keeping the {} exceptions in force", snapshot, set.size());
            }
            unavailableLogged = true;
            return;
        }
        unavailableLogged = false;
        Map<String, String> next = new HashMap<>();
        ExceptionParser parser = rules.parser();
        List<ExceptionItem> items = new ArrayList<>();
        for (String json : snapshot.documents) {
            ExceptionParser.Result r = parser.parse(json);
            if (r.valid() && next.putIfAbsent(r.item.id, json) == null) items.add(r.item);
        }
        Map<String, String> current = new HashMap<>();
        for (Map.Entry<String, String> e : state.entries()) current.put(e.getKey(), e.getValue());
        if (current.equals(next)) return;
        state.clear();
        state.putAll(next);
        set = new ExceptionSet(items);
        inForce = set.size();
        appliedAt = System.currentTimeMillis();
        if (first()) {
            int added = 0, changed = 0, removed = 0;
            for (Map.Entry<String, String> e : next.entrySet()) {
                String was = current.get(e.getKey());
                if (was == null) added++;
                else if (!was.equals(e.getValue())) changed++;
            }
            for (String id : current.keySet()) if (!next.containsKey(id)) removed++;
            LOG.info("exceptions: {} in force from {} ({} added, {} changed, {} removed)", set.size(), snapshot.origin,
                    added, changed, removed);
        }
    }

    private ExceptionSet restore(ReadOnlyBroadcastState<String, String> state) throws Exception {
        ExceptionParser parser = rules.parser();
        List<ExceptionItem> items = new ArrayList<>();
        for (Map.Entry<String, String> e : state.immutableEntries()) {
            ExceptionParser.Result r = parser.parse(e.getValue());
            if (r.valid()) items.add(r.item);
            else LOG.warn("exceptions: dropping {} restored from state: {}", e.getKey(), r.problem());
        }
        inForce = items.size();
        if (!items.isEmpty()) {
            appliedAt = System.currentTimeMillis();
            if (first()) LOG.info("exceptions: {} in force, restored from the checkpoint", items.size());
        }
        return new ExceptionSet(items);
    }

    private boolean first() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
    }
}
