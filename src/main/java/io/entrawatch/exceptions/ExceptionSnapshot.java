package io.entrawatch.exceptions;

import java.util.ArrayList;
import java.util.List;

/**
 * What one poll of the exceptions source found: the valid exception documents in force, or, when the
 * source could not be read, {@code available == false} and the last set stays. A Flink POJO.
 */
public class ExceptionSnapshot {
    public boolean available;
    /** The index or file it was read from, for the log. */
    public String origin;
    /** The JSON of each valid exception. */
    public List<String> documents = new ArrayList<>();
    /** Why the source could not be read (available == false). */
    public String problem;
    public long polledAt;

    public ExceptionSnapshot() {}

    public static ExceptionSnapshot of(String origin, List<ExceptionItem> valid, long polledAt) {
        ExceptionSnapshot s = new ExceptionSnapshot();
        s.available = true;
        s.origin = origin;
        for (ExceptionItem e : valid) s.documents.add(e.json);
        s.polledAt = polledAt;
        return s;
    }

    public static ExceptionSnapshot unavailable(String origin, String problem, long polledAt) {
        ExceptionSnapshot s = new ExceptionSnapshot();
        s.available = false;
        s.origin = origin;
        s.problem = problem;
        s.polledAt = polledAt;
        return s;
    }

    @Override
    public String toString() {
        return available ? documents.size() + " exceptions from " + origin : origin + " unavailable: " + problem;
    }
}
