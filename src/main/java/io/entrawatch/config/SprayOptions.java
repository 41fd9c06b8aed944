package io.entrawatch.config;

import java.time.Duration;
import java.util.List;

/** Detection A, password spray (docs/detections.md section 2). */
public final class SprayOptions {
    private SprayOptions() {}

    public static final Option<Boolean> ENABLED = Option.bool("spray.enabled", "true",
            "Run detection A (excessive single-factor non-interactive failures).");
    public static final Option<Duration> WINDOW = Option.duration("spray.window", "10 min",
            "Detection A tumbling window, aligned to the UTC epoch.");
    public static final Option<Integer> THRESHOLD = Option.integer("spray.threshold", "30",
            "Detection A alerts when distinct users in a window reach this number.");

    /** This group's options, in documentation order. */
    public static final List<Option<?>> ALL = List.of(ENABLED, WINDOW, THRESHOLD);
}
