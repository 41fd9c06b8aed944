package io.entrawatch.ingest;

import io.entrawatch.detect.AlertDocuments;
import io.entrawatch.detect.Detection;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.OutputTags;
import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import io.entrawatch.metrics.CountedMetric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs right after the source, in the same task: emits the valid sign-ins of each parsed message, sends
 * malformed records to the dead-letter output, and decides lateness deterministically.
 *
 * <p>Lateness: per source partition it tracks the largest timestamp seen; a sign-in's
 * {@link SignIn#arrivalWatermark} is that maximum (of the records before it) minus the allowed
 * out-of-orderness, which is exactly the watermark a bounded-out-of-orderness strategy would have after
 * those records. A sign-in whose window (for a detection that keeps it) ends at or before that instant
 * is late: it goes to the dead-letter output once, with the detections it was late for, and none of
 * them counts it. Deciding here, on the record order of each partition, makes replay deterministic and
 * independent of how often Flink emits watermarks. The per-partition maxima are checkpointed, so a
 * recovery judges replayed records exactly as the first run did.
 *
 * <p>Which timestamps may advance that maximum is {@link EventTimeGuard}'s policy: a sign-in far ahead of
 * the rest of its partition does not, until the next sign-in confirms the jump (docs/event-time.md).
 *
 * <p>With a report interval ({@code categoryReportMillis > 0}, the live job) it also reports the category of
 * the sign-ins it receives to the side output {@link OutputTags#CATEGORIES_SEEN}, each category at most
 * once per interval of processing time, for {@link CategorySilenceWatch}.
 */
public class IngestGate extends ProcessFunction<ParsedMessage, SignIn> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final List<Detection> detections;
    private final long outOfOrdernessMillis;
    private final int maxPayloadBytes;
    private final long maxAheadMillis;
    private final long categoryReportMillis;

    private transient Map<String, EventTimeGuard> guardByPartition;
    /** Processing time of the last report per category (categoryReportMillis > 0 only). */
    private transient Map<String, Long> categoryReported;
    private transient ListState<Tuple3<String, Integer, Long>> checkpointed;
    private transient ListState<Tuple3<String, Integer, Long>> checkpointedCandidates;
    private transient CountedMetric messagesIn, recordsIn, signInsOut, skipped, malformed, late;

    public IngestGate(List<Detection> detections, long outOfOrdernessMillis, int maxPayloadBytes) {
        this(detections, outOfOrdernessMillis, maxPayloadBytes, 0);
    }

    /** maxAheadMillis: see {@link EventTimeGuard}; 0 = a plain per-partition maximum. */
    public IngestGate(List<Detection> detections, long outOfOrdernessMillis, int maxPayloadBytes, long maxAheadMillis) {
        this(detections, outOfOrdernessMillis, maxPayloadBytes, maxAheadMillis, 0);
    }

    /** categoryReportMillis: report each category seen at most this often (0 = no reports). */
    public IngestGate(List<Detection> detections, long outOfOrdernessMillis, int maxPayloadBytes, long maxAheadMillis,
            long categoryReportMillis) {
        this.maxAheadMillis = maxAheadMillis;
        this.categoryReportMillis = categoryReportMillis;
        this.detections = List.copyOf(detections);
        this.outOfOrdernessMillis = outOfOrdernessMillis;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    @Override
    public void open(OpenContext ctx) {
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("entrawatch");
        var rc = getRuntimeContext();
        messagesIn = CountedMetric.register(rc, g, "messagesIn");
        recordsIn = CountedMetric.register(rc, g, "recordsIn");
        signInsOut = CountedMetric.register(rc, g, "signIns");
        skipped = CountedMetric.register(rc, g, "skippedCategories");
        malformed = CountedMetric.register(rc, g, "deadLetters");
        late = CountedMetric.register(rc, g, "lateRecords");
        categoryReported = new HashMap<>();
    }

    @Override
    public void processElement(ParsedMessage m, Context ctx, Collector<SignIn> out) {
        messagesIn.inc();
        recordsIn.inc(m.records);
        skipped.inc(m.skipped);
        for (DeadLetter d : m.deadLetters) {
            malformed.inc();
            ctx.output(OutputTags.DEAD_LETTERS, d);
        }
        if (m.signIns.isEmpty()) return;
        if (categoryReportMillis > 0) reportCategories(m, ctx);
        String partitionKey = m.topic + "\u0000" + m.partition;
        EventTimeGuard guard = guardByPartition.computeIfAbsent(partitionKey, k -> new EventTimeGuard(maxAheadMillis));
        for (int i = 0; i < m.signIns.size(); i++) {
            SignIn s = m.signIns.get(i);
            long max = guard.next(s.timestamp);
            s.arrivalWatermark = max == EventTimeGuard.NONE ? Long.MIN_VALUE : max - outOfOrdernessMillis;
            signInsOut.inc();
            List<String> lateFor = null;
            boolean counted = false;
            for (Detection d : detections) {
                if (!d.keeps(s)) continue;
                if (d.isLate(s)) {
                    if (lateFor == null) lateFor = new ArrayList<>(2);
                    lateFor.add(d.metadata().shortName + " (window ended " + AlertDocuments.iso(d.windowEnd(s.timestamp)) + ")");
                } else {
                    counted = true;
                }
            }
            if (lateFor != null) {
                late.inc();
                ctx.output(OutputTags.DEAD_LETTERS, SignInParser.deadLetter(m, DeadLetter.LATE,
                        "sign-in at " + AlertDocuments.iso(s.timestamp) + " arrived after the watermark "
                                + AlertDocuments.iso(s.arrivalWatermark) + " had passed the end of its window; not counted by "
                                + String.join(", ", lateFor),
                        m.body, m.recordStarts[i], m.recordEnds[i], m.recordIndexes[i], System.currentTimeMillis(),
                        maxPayloadBytes));
            }
            if (counted) out.collect(s);
        }
    }

    /** Each category of the message's sign-ins, unless it was reported within the interval. */
    private void reportCategories(ParsedMessage m, Context ctx) {
        long now = ctx.timerService().currentProcessingTime();
        String previous = null;
        for (SignIn s : m.signIns) {
            if (s.category == null || s.category.equals(previous)) continue;
            previous = s.category;
            Long last = categoryReported.get(s.category);
            if (last == null || now - last >= categoryReportMillis) {
                categoryReported.put(s.category, now);
                ctx.output(OutputTags.CATEGORIES_SEEN, s.category);
            }
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        List<Tuple3<String, Integer, Long>> entries = new ArrayList<>();
        List<Tuple3<String, Integer, Long>> candidates = new ArrayList<>();
        for (Map.Entry<String, EventTimeGuard> e : guardByPartition.entrySet()) {
            int sep = e.getKey().indexOf('\u0000');
            String topic = e.getKey().substring(0, sep);
            int partition = Integer.parseInt(e.getKey().substring(sep + 1));
            if (e.getValue().max() != EventTimeGuard.NONE) entries.add(Tuple3.of(topic, partition, e.getValue().max()));
            if (e.getValue().candidate() != EventTimeGuard.NONE) {
                candidates.add(Tuple3.of(topic, partition, e.getValue().candidate()));
            }
        }
        checkpointed.update(entries);
        checkpointedCandidates.update(candidates);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        guardByPartition = new HashMap<>();
        // Union state: after a rescale every subtask sees every partition's maximum, whichever it reads now.
        checkpointed = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>(
                "max-timestamp-per-partition", Types.TUPLE(Types.STRING, Types.INT, Types.LONG)));
        Map<String, Long> max = new HashMap<>();
        for (Tuple3<String, Integer, Long> e : checkpointed.get()) {
            max.merge(e.f0 + "\u0000" + e.f1, e.f2, Math::max);
        }
        // The unconfirmed far-ahead timestamp per partition (EventTimeGuard); a later addition, so absent in
        // older checkpoints, which then simply have no candidate.
        checkpointedCandidates = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>(
                "candidate-timestamp-per-partition", Types.TUPLE(Types.STRING, Types.INT, Types.LONG)));
        Map<String, Long> candidates = new HashMap<>();
        for (Tuple3<String, Integer, Long> e : checkpointedCandidates.get()) {
            candidates.merge(e.f0 + "\u0000" + e.f1, e.f2, Math::max);
        }
        for (String key : max.keySet()) {
            guardByPartition.put(key, new EventTimeGuard(maxAheadMillis, max.get(key),
                    candidates.getOrDefault(key, EventTimeGuard.NONE)));
        }
        for (String key : candidates.keySet()) {
            guardByPartition.computeIfAbsent(key, k -> new EventTimeGuard(maxAheadMillis, EventTimeGuard.NONE, candidates.get(k)));
        }
    }
}
