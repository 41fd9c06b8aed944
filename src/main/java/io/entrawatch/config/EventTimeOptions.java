package io.entrawatch.config;

import java.time.Duration;
import java.util.List;

/** Event time: watermarks, lateness and timestamps far from the rest (docs/event-time.md). */
public final class EventTimeOptions {
    private EventTimeOptions() {}

    public static final Option<Duration> MAX_OUT_OF_ORDERNESS = Option.duration("event-time.max-out-of-orderness", "5 min",
            "Bounded out-of-orderness of the watermark: how late a sign-in may arrive and still count.");
    public static final Option<Duration> IDLENESS = Option.duration("event-time.idleness", "1 min",
            "A partition silent this long no longer holds the watermark back.");
    public static final Option<Duration> MAX_AHEAD = Option.duration("event-time.max-ahead", "1 d",
            "A sign-in more than this ahead of its partition's newest sign-in moves event time only once the next sign-in confirms the jump (0 = off: a plain bounded-out-of-orderness watermark).");
    public static final Option<Duration> MAX_AHEAD_OF_CLOCK = Option.duration("event-time.max-ahead-of-clock", "1 h",
            "Cluster job: a sign-in more than this ahead of the wall clock is dead-lettered (0 = off). jobs/replay: off unless set.");

    /** This group's options, in documentation order. */
    public static final List<Option<?>> ALL = List.of(MAX_OUT_OF_ORDERNESS, IDLENESS, MAX_AHEAD, MAX_AHEAD_OF_CLOCK);
}
