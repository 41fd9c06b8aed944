package io.entrawatch.config;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Detection B, unusual client app (docs/detections.md section 3). */
public final class RareAppOptions {
    private RareAppOptions() {}

    public static final Option<Boolean> ENABLED = Option.bool("rare-app.enabled", "true",
            "Run detection B (unusual client app on behalf of a user, hourly over a trailing lookback).");
    public static final Option<Duration> LOOKBACK = Option.duration("rare-app.lookback", "14 d",
            "Detection B lookback L: failures of a (tenant, user, appId) counted over [T - L, T); a multiple of the interval.");
    public static final Option<Duration> EVALUATION_INTERVAL = Option.duration("rare-app.evaluation-interval", "1 h",
            "Detection B evaluates each pair at the end T of every aligned interval in which it failed.");
    public static final Option<Integer> THRESHOLD = Option.integer("rare-app.threshold", "3",
            "Detection B alerts when the pair's failures over the lookback are at most this number.");
    public static final Option<Duration> SUPPRESSION = Option.duration("rare-app.suppression", "14 d",
            "After an alert, the pair does not alert again for this long (0 = off; at most the lookback).");
    public static final Option<Instant> ALERT_FROM = Option.instant("rare-app.alert-from", null,
            "Warm-up: detection B learns from earlier sign-ins but raises no alert for evaluations ending before this ISO-8601 instant.");

    /** This group's options, in documentation order. */
    public static final List<Option<?>> ALL = List.of(ENABLED, LOOKBACK, EVALUATION_INTERVAL, THRESHOLD, SUPPRESSION, ALERT_FROM);
}
