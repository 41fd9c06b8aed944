package io.entrawatch.exceptions;

import java.io.Serializable;
import java.util.List;

/**
 * The rules exceptions can name, in catalogue order: bit i of a rule mask ({@link ExceptionItem#ruleMask},
 * {@code SignIn.hiddenFrom}) is {@code ids.get(i)}. {@code names} label the metrics (the rules' short names).
 */
public record RuleList(List<String> ids, List<String> names) implements Serializable {
    public RuleList {
        ids = List.copyOf(ids);
        names = List.copyOf(names);
        if (ids.size() != names.size()) throw new IllegalArgumentException("one name per rule id");
    }

    public ExceptionParser parser() {
        return new ExceptionParser(ids);
    }

    /** The bit of rule {@code id}; throws when the id is not in the list. */
    public long bitOf(String id) {
        int i = ids.indexOf(id);
        if (i < 0) throw new IllegalArgumentException("rule " + id + " is not in " + ids);
        return 1L << i;
    }
}
