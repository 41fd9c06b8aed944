package io.entrawatch.config;

import java.util.List;

/** jobs/replay only. */
public final class ReplayOptions {
    private ReplayOptions() {}

    public static final Option<String> DEAD_LETTERS = Option.string("replay.dead-letters", null,
            "jobs/replay only: also write every dead letter (malformed, late) as one JSON line to this file.");

    /** This group's options, in documentation order. */
    public static final List<Option<?>> ALL = List.of(DEAD_LETTERS);
}
