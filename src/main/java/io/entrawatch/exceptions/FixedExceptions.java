package io.entrawatch.exceptions;

import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

import java.util.ArrayList;
import java.util.List;

/**
 * Marks each sign-in with the rules a fixed set of exceptions hides it from ({@link SignIn#hiddenFrom}): the
 * set of {@code jobs/replay --exceptions.file}, validated as a whole before the job starts. Stateless and
 * chained to the ingest gate.
 */
public final class FixedExceptions extends RichMapFunction<SignIn, SignIn> {
    private static final long serialVersionUID = 1L;

    private final List<String> documents;
    private final RuleList rules;
    private transient ExceptionSet set;
    private transient HiddenCounters counters;

    public FixedExceptions(List<ExceptionItem> exceptions, RuleList rules) {
        List<String> docs = new ArrayList<>();
        for (ExceptionItem e : exceptions) docs.add(e.json);
        this.documents = docs;
        this.rules = rules;
    }

    @Override
    public void open(OpenContext ctx) {
        ExceptionParser parser = rules.parser();
        List<ExceptionItem> items = new ArrayList<>();
        for (String d : documents) {
            ExceptionParser.Result r = parser.parse(d);
            if (!r.valid()) throw new IllegalStateException(r.problem()); // validated before the job was built
            items.add(r.item);
        }
        set = new ExceptionSet(items);
        counters = new HiddenCounters(getRuntimeContext(), getRuntimeContext().getMetricGroup().addGroup("entrawatch"), rules);
        counters.group().gauge("inForce", () -> set.size());
    }

    @Override
    public SignIn map(SignIn s) {
        s.hiddenFrom = set.hiddenMask(s, counters);
        return s;
    }
}
