package io.entrawatch.detect;

import io.entrawatch.model.Alert;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.OutputTags;
import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a detection attaches its operators ({@link Detection#addTo}): the ingest gate's sign-ins, and
 * the dead-letter outputs of the detection's operators, which the pipeline sends on with the rest.
 *
 * <p>Stateless steps run at the gate's parallelism so they chain to it and only the sign-ins a
 * detection keeps are serialized, once, into its keyBy (at the job's parallelism instead, every sign-in
 * was serialized once per detection into a rebalance: replay was slower at p=2 than at p=1).
 */
public final class DetectionTopology {
    private final DataStream<SignIn> signIns;
    private final List<String> ruleIds;
    private final List<DataStream<DeadLetter>> deadLetters = new ArrayList<>();

    /**
     * {@code ruleIds}: the catalogue's rule ids; bit i of {@link SignIn#hiddenFrom} hides a sign-in from the
     * i-th of them.
     */
    public DetectionTopology(DataStream<SignIn> signIns, List<String> ruleIds) {
        this.signIns = signIns;
        this.ruleIds = List.copyOf(ruleIds);
    }

    /**
     * The sign-ins {@code detection} counts that are on time for it and not hidden from it by an exception,
     * filtered next to the gate.
     */
    public DataStream<SignIn> onTime(Detection detection, String name) {
        int rule = ruleIds.indexOf(detection.metadata().id);
        if (rule < 0) throw new IllegalArgumentException(detection.metadata().id + " is not in the catalogue " + ruleIds);
        return gateSide(signIns.filter(new OnTime(detection, 1L << rule))).name(name);
    }

    /** Runs a stateless step at the gate's parallelism, chained to it. */
    public <T> SingleOutputStreamOperator<T> gateSide(SingleOutputStreamOperator<T> step) {
        return step.setParallelism(signIns.getParallelism());
    }

    /** Collects the operator's dead-letter side output (late sign-ins it saw) and returns it unchanged. */
    public <T> SingleOutputStreamOperator<T> routeDeadLetters(SingleOutputStreamOperator<T> operator) {
        deadLetters.add(operator.getSideOutput(OutputTags.DEAD_LETTERS));
        return operator;
    }

    /**
     * The second stage of a two-stage detection: what stage 1 emits ({@code stage1}, keyed by
     * {@code stage1Key}) connected with the detection's on-time sign-ins after {@code input} (a projecting
     * step run next to the gate, named {@code inputName}, keyed by {@code signInKey}), into
     * {@code operator} with its uid and name. Stage 1 emits from its window-end timers before the watermark
     * that fired them, so the second stage has every stage-1 output of a window when that window fires.
     */
    public <F, K> SingleOutputStreamOperator<Alert> secondStage(DataStream<F> stage1, KeySelector<F, K> stage1Key,
            DataStream<SignIn> onTime, FlatMapFunction<SignIn, SignIn> input, String inputName,
            KeySelector<SignIn, K> signInKey, TypeInformation<K> keyType, KeyedCoProcessFunction<K, F, SignIn, Alert> operator,
            String uid, String name) {
        DataStream<SignIn> signIns = gateSide(onTime.flatMap(input, TypeInformation.of(SignIn.class))).name(inputName);
        return routeDeadLetters(stage1.keyBy(stage1Key, keyType)
                .connect(signIns.keyBy(signInKey, keyType))
                .process(operator)
                .uid(uid).name(name));
    }

    /** The dead-letter outputs collected so far. */
    public List<DataStream<DeadLetter>> deadLetters() {
        return List.copyOf(deadLetters);
    }

    /**
     * {@link Detection#countsOnTime} as a class, not {@code d::countsOnTime}: bound references to the same
     * interface method from one class share a deserializer that casts to the first receiver's type.
     */
    private static final class OnTime implements FilterFunction<SignIn> {
        private static final long serialVersionUID = 1L;
        private final Detection detection;
        private final long ruleBit;

        OnTime(Detection detection, long ruleBit) {
            this.detection = detection;
            this.ruleBit = ruleBit;
        }

        @Override
        public boolean filter(SignIn s) {
            return (s.hiddenFrom & ruleBit) == 0 && detection.countsOnTime(s);
        }
    }
}
