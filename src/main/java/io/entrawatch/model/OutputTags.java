package io.entrawatch.model;

import io.entrawatch.model.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** Side outputs: everything the job could not use goes here with a reason, never dropped silently. */
public final class OutputTags {
    /** Malformed input, late sign-ins. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private OutputTags() {}
}
