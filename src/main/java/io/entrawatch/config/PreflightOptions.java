package io.entrawatch.config;

import java.time.Duration;
import java.util.List;

/** The start-up check in main(), before the job is submitted. */
public final class PreflightOptions {
    private PreflightOptions() {}

    public static final Option<Boolean> ENABLED = Option.bool("preflight.enabled", "true",
            "Before submitting, check that Event Hubs and Elasticsearch accept the job's settings (TLS, credentials, Event Hubs, privileges) and fail with what to fix.");
    public static final Option<Duration> TIMEOUT = Option.duration("preflight.timeout", "30 s",
            "How long the start-up check waits for Event Hubs and for Elasticsearch (checked at the same time).");

    /** This group's options, in documentation order. */
    public static final List<Option<?>> ALL = List.of(ENABLED, TIMEOUT);
}
