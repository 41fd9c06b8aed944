package io.entrawatch.config;

import java.time.Duration;
import java.util.List;

/** Detection C, password spray against Seamless SSO (docs/detections.md section 4). */
public final class SsoSprayOptions {
    private SsoSprayOptions() {}

    public static final Option<Boolean> ENABLED = Option.bool("sso-spray.enabled", "true",
            "Run detection C (password spray against Seamless SSO, the two-stage Sentinel rule).");
    public static final Option<Duration> WINDOW = Option.duration("sso-spray.window", "1 h",
            "Detection C tumbling window (both stages), aligned to the UTC epoch.");
    public static final Option<Integer> ACCOUNT_THRESHOLD = Option.integer("sso-spray.account-threshold", "5",
            "Detection C flags a result type when its distinct accounts in a window are MORE than this.");
    public static final Option<String> RESULT_TYPE_PREFIX = Option.string("sso-spray.result-type-prefix", "81",
            "Detection C stage 1 counts non-interactive sign-ins whose resultType starts with this (Seamless SSO errors).");

    /** This group's options, in documentation order. */
    public static final List<Option<?>> ALL = List.of(ENABLED, WINDOW, ACCOUNT_THRESHOLD, RESULT_TYPE_PREFIX);
}
