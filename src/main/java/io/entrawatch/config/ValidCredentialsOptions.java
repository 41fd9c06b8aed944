package io.entrawatch.config;

import java.time.Duration;
import java.util.List;

/** Detection D, valid credentials from a password-spray source (docs/detections.md section 8). */
public final class ValidCredentialsOptions {
    private ValidCredentialsOptions() {}

    public static final Option<Boolean> ENABLED = Option.bool("valid-credentials.enabled", "true",
            "Run detection D (valid credentials from an address that was a password-spray source).");
    public static final Option<Duration> WINDOW = Option.duration("valid-credentials.window", "10 min",
            "Detection D tumbling window (spray sources and evaluations), aligned to the UTC epoch.");
    public static final Option<Integer> FAILED_USER_THRESHOLD = Option.integer("valid-credentials.failed-user-threshold", "5",
            "An address is a spray source for a window when its distinct failed users reach this AND exceed its distinct valid-credential users.");
    public static final Option<List<Integer>> GUESS_FAILURE_CODES = Option.intList("valid-credentials.guess-failure-codes",
            "50126,50053,50056", "Error codes of a wrong guess (wrong password, smart lockout, empty password), comma-separated.");
    public static final Option<List<Integer>> VALID_CREDENTIAL_CODES = Option.intList("valid-credentials.valid-credential-codes",
            "0,50055,50057,50155,50105,50133,50005,50076,50079,50173,50158,50072,50074,53003,53000,53001,50129",
            "Error codes that prove the password was right (MFA, Conditional Access or an expired password stopped the sign-in), comma-separated; a success always counts.");
    public static final Option<Duration> REACH = Option.duration("valid-credentials.reach", "24 h",
            "A spray-source window w covers valid-credential sign-ins in [w.start, w.end + this); a positive multiple of the window.");
    public static final Option<Duration> SUPPRESSION = Option.duration("valid-credentials.suppression", "24 h",
            "After an alert, the (tenant, address, user) does not alert again for this long (0 = off; any duration >= 0).");

    /** This group's options, in documentation order. */
    public static final List<Option<?>> ALL = List.of(ENABLED, WINDOW, FAILED_USER_THRESHOLD, GUESS_FAILURE_CODES,
            VALID_CREDENTIAL_CODES, REACH, SUPPRESSION);
}
