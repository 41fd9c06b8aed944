package io.entrawatch.model;

import io.entrawatch.model.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * Side outputs: everything the job could not use goes to {@link #DEAD_LETTERS} with a reason, never dropped
 * silently; {@link #CATEGORIES_SEEN} tells the live job which sign-in categories arrive.
 */
public final class OutputTags {
    /** Malformed input, late sign-ins. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    /** The categories of the sign-ins the ingest gate received, each at most once per report interval (live job). */
    public static final OutputTag<String> CATEGORIES_SEEN =
            new OutputTag<>("categories-seen", TypeInformation.of(String.class));

    private OutputTags() {}
}
