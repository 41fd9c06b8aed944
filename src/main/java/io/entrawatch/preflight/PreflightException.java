package io.entrawatch.preflight;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.PreflightOptions;

import java.util.List;

/**
 * The start-up check found problems: the message lists each on its own line, naming what to fix, so
 * {@code flink run} (and the JobManager log in application mode) shows them as they are.
 */
public final class PreflightException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public PreflightException(List<String> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    /** The problems, one line each. */
    public List<String> problems() {
        return problems;
    }

    private static String message(List<String> problems) {
        StringBuilder sb = new StringBuilder("entrawatch start-up check failed, the job was not submitted ("
                + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + "; --" + PreflightOptions.ENABLED.name + " false skips this check):");
        for (String p : problems) sb.append("\n  - ").append(p);
        return sb.toString();
    }
}
