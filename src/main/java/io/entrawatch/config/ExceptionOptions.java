package io.entrawatch.config;

import java.time.Duration;
import java.util.List;

/** Exceptions: sign-ins hidden from named rules (docs/detections.md, "Exceptions"). */
public final class ExceptionOptions {
    private ExceptionOptions() {}

    public static final Option<String> FILE = Option.string("exceptions.file", null,
            "An exceptions file, one JSON object per line. jobs/replay applies it to the whole input and refuses a file "
                    + "with any invalid exception before reading the input; the live job reads it instead of the index, "
                    + "again every exceptions.refresh.");
    public static final Option<String> INDEX = Option.string("exceptions.index", "entrawatch-exceptions",
            "Live job: the Elasticsearch index the exceptions are read from, every exceptions.refresh (created with "
                    + "its mapping when es.install-template is true). Empty: the live job reads no exceptions.");
    public static final Option<Duration> REFRESH = Option.duration("exceptions.refresh", "30 s",
            "Live job: how often the exceptions are read; a change is in force on every parallel instance within this time.");

    /** This group's options, in documentation order. */
    public static final List<Option<?>> ALL = List.of(FILE, INDEX, REFRESH);
}
