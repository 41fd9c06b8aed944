package io.entrawatch.detect.spray;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.SprayOptions;
import io.entrawatch.detect.Detection;
import io.entrawatch.detect.DetectionFactory;
import io.entrawatch.detect.DetectionTopology;
import io.entrawatch.detect.RuleMetadata;
import io.entrawatch.detect.SignInFilters;
import io.entrawatch.model.Alert;
import io.entrawatch.model.Categories;
import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;

import java.time.Duration;
import java.util.List;

/**
 * Detection A (docs/detections.md section 2): excessive single-factor non-interactive failures, a password
 * spray. Per (tenant, errorCode) and epoch-aligned window, alert when the distinct users reach the
 * threshold. The stateful part is {@link SprayWindowCounter}.
 */
public final class PasswordSprayDetection implements Detection {
    private static final long serialVersionUID = 1L;

    public static final RuleMetadata RULE = RuleMetadata.builder()
            .id("a9281116-fde0-11ef-9ee5-f661ea17fbcd")
            .name("Azure Entra Excessive Single-Factor Non-Interactive Sign-Ins")
            .shortName("password-spray")
            .version("1")
            .description("Many distinct users of one tenant failed single-factor, non-interactive sign-ins with the same "
                    + "password-failure error code inside one short window. Non-interactive single-factor flows "
                    + "(legacy protocols, ROPC, token endpoints) are how password sprays avoid MFA prompts.")
            .severity("medium")
            .technique("T1078.004", "Valid Accounts: Cloud Accounts")
            .technique("T1110.003", "Brute Force: Password Spraying")
            .tactic("TA0001", "Initial Access")
            .tactic("TA0006", "Credential Access")
            .references("https://github.com/elastic/detection-rules/tree/main/hunting/azure",
                    "https://learn.microsoft.com/en-us/entra/identity/authentication/concept-password-ban-bad")
            .falsePositives("A misconfigured service or script using stale credentials for many accounts.",
                    "A mass password reset or an expired shared password, failing for many users at once.")
            .investigationGuide("Look at source.ip and user.name: one or a few IPs failing for many users is a spray. Check whether "
                    + "any of these users then signed in successfully from the same IPs (SigninLogs and "
                    + "AADNonInteractiveUserSignInLogs, same tenant, next hours): a success is a compromised "
                    + "account; reset its password, revoke sessions and require MFA. Block the source IPs or "
                    + "ASNs in Conditional Access if they are not yours.")
            .build();

    /** Made from --spray.* and the shared filter options; on unless --spray.enabled false. */
    public static final DetectionFactory<PasswordSprayDetection> FACTORY = new DetectionFactory<>(RULE, SprayOptions.ENABLED,
            o -> new PasswordSprayDetection(SignInFilters.fromOptions(o), o.get(SprayOptions.WINDOW),
                    o.get(SprayOptions.THRESHOLD)));

    public static final String SINGLE_FACTOR = "singleFactorAuthentication";

    private final SignInFilters filters;
    private final long windowMillis;
    private final int threshold;

    public PasswordSprayDetection(SignInFilters filters, Duration window, int threshold) {
        if (window.toMillis() <= 0) throw new IllegalArgumentException("--spray.window must be positive");
        if (threshold < 1) throw new IllegalArgumentException("--spray.threshold must be at least 1");
        this.filters = filters;
        this.windowMillis = window.toMillis();
        this.threshold = threshold;
    }

    @Override
    public RuleMetadata metadata() {
        return RULE;
    }

    /** Kept, on-time sign-ins keyed by (tenant, errorCode, window) into {@link SprayWindowCounter}. */
    @Override
    public DataStream<Alert> addTo(DetectionTopology topology) {
        return topology.routeDeadLetters(topology.onTime(this, "Detection A filter")
                .keyBy(this::keyOf, TypeInformation.of(SprayKey.class))
                .process(new SprayWindowCounter(this))
                .uid("password-spray").name("Detection A: password spray"));
    }

    /**
     * NonInteractiveUserSignInLogs: the non-interactive user sign-ins the rule counts. Service principal
     * and managed identity sign-ins are non-interactive too, but carry no user to count.
     */
    @Override
    public List<String> categories() {
        return List.of(Categories.NON_INTERACTIVE);
    }

    /**
     * isInteractive == false AND authenticationRequirement == singleFactorAuthentication AND outcome !=
     * success AND errorCode in FAILURE_CODES AND asOrganization not in EXCLUDED_AS_ORGS (unknown kept).
     */
    @Override
    public boolean keeps(SignIn s) {
        return Boolean.FALSE.equals(s.isInteractive)
                && SINGLE_FACTOR.equals(s.authenticationRequirement)
                && filters.isCountedFailure(s)
                && filters.isFromCountedNetwork(s);
    }

    @Override
    public long windowEnd(long ts) {
        return Detection.alignedStart(ts, windowMillis) + windowMillis;
    }

    public long windowMillis() {
        return windowMillis;
    }

    public int threshold() {
        return threshold;
    }

    /** The key a kept sign-in is counted under. */
    public SprayKey keyOf(SignIn s) {
        return new SprayKey(s.tenantId, s.errorCode, Detection.alignedStart(s.timestamp, windowMillis));
    }
}
