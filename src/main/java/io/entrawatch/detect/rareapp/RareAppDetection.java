package io.entrawatch.detect.rareapp;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.RareAppOptions;
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
import java.time.Instant;
import java.util.List;

/**
 * Detection B (docs/detections.md section 3): a user failing on a client app that is rare for them. Per
 * (tenant, user, appId), at the end T of every aligned evaluation interval in which the pair had a kept
 * sign-in, count its kept sign-ins in [T - lookback, T); alert when the count is at most the threshold,
 * then stay quiet for the suppression period. The stateful part is {@link RareAppEvaluator}.
 */
public final class RareAppDetection implements Detection {
    private static final long serialVersionUID = 1L;

    public static final RuleMetadata RULE = RuleMetadata.builder()
            .id("ce47ec2c-fe13-11ef-9ee5-f661ea17fbcd")
            .name("Azure Entra Unusual Client App Authentication Requests on Behalf of Principal Users")
            .shortName("rare-app")
            .version("1")
            .description("A user failed to authenticate (password failure codes) through a client application that has "
                    + "rarely or never been used on their behalf in the trailing 14 days. Attackers holding a "
                    + "password try it from tools and first-party client ids the user never uses (Azure CLI, "
                    + "PowerShell, legacy mail clients) to find a flow that is not covered by MFA or Conditional Access.")
            .severity("low")
            .technique("T1078.004", "Valid Accounts: Cloud Accounts")
            .technique("T1110.003", "Brute Force: Password Spraying")
            .tactic("TA0001", "Initial Access")
            .tactic("TA0006", "Credential Access")
            .references("https://github.com/elastic/detection-rules/tree/main/hunting/azure",
                    "https://learn.microsoft.com/en-us/entra/identity/monitoring-health/concept-sign-ins",
                    "https://learn.microsoft.com/en-us/troubleshoot/entra/entra-id/governance/verify-first-party-apps-sign-in")
            .falsePositives("A user trying a new, legitimate application (a new mail client, a developer tool) and mistyping "
                            + "the password a few times.",
                    "A newly rolled-out line-of-business app whose first sign-ins fail (expired password, locked account).",
                    "Right after deployment without a warm-up (--rare-app.alert-from), every pair looks rare.")
            .investigationGuide("Check azure.signinlogs.properties.app_id / app_display_name: is this an application the user or their "
                    + "team uses? Look up the user's other sign-ins of the same hours (SigninLogs and "
                    + "AADNonInteractiveUserSignInLogs): the source IP and ASN, user agent and location of the failures, "
                    + "and whether a success followed from the same IP or app. A success after failures on an app the "
                    + "user never uses is a likely compromise: reset the password, revoke sessions (Revoke-MgUserSignInSession), "
                    + "require MFA and review the app's consent grants. Many users alerting for the same app and IPs "
                    + "at once is a spray (see detection A).")
            .build();

    /** Made from --rare-app.* and the shared filter options; on unless --rare-app.enabled false. */
    public static final DetectionFactory<RareAppDetection> FACTORY = new DetectionFactory<>(RULE, RareAppOptions.ENABLED,
            o -> new RareAppDetection(SignInFilters.fromOptions(o), o.get(RareAppOptions.LOOKBACK),
                    o.get(RareAppOptions.EVALUATION_INTERVAL), o.get(RareAppOptions.THRESHOLD),
                    o.get(RareAppOptions.SUPPRESSION), o.get(RareAppOptions.ALERT_FROM)));

    private final SignInFilters filters;
    private final long lookbackMillis;
    private final long intervalMillis;
    private final int threshold;
    private final long suppressionMillis;
    /** Evaluations ending before this instant learn but never alert (warm-up); Long.MIN_VALUE: none. */
    private final long alertFromMillis;

    public RareAppDetection(SignInFilters filters, Duration lookback, Duration interval, int threshold,
            Duration suppression, Instant alertFrom) {
        long l = lookback.toMillis(), e = interval.toMillis(), s = suppression.toMillis();
        if (e <= 0) throw new IllegalArgumentException("--rare-app.evaluation-interval must be positive");
        if (l <= 0 || l % e != 0)
            throw new IllegalArgumentException("--rare-app.lookback must be a positive multiple of --rare-app.evaluation-interval");
        if (threshold < 1) throw new IllegalArgumentException("--rare-app.threshold must be at least 1");
        if (threshold > 1000) throw new IllegalArgumentException("--rare-app.threshold must be at most 1000");
        if (s < 0 || s > l) throw new IllegalArgumentException("--rare-app.suppression must be between 0 and the lookback");
        this.filters = filters;
        this.lookbackMillis = l;
        this.intervalMillis = e;
        this.threshold = threshold;
        this.suppressionMillis = s;
        this.alertFromMillis = alertFrom == null ? Long.MIN_VALUE : alertFrom.toEpochMilli();
    }

    /** The contract's defaults: 14 days, 1 hour, at most 3 failures, suppression 14 days, no warm-up. */
    public static RareAppDetection defaults(SignInFilters filters) {
        return new RareAppDetection(filters, Duration.ofDays(14), Duration.ofHours(1), 3, Duration.ofDays(14), null);
    }

    @Override
    public RuleMetadata metadata() {
        return RULE;
    }

    /** Kept, on-time sign-ins keyed by (tenant, user, appId) into {@link RareAppEvaluator}. */
    @Override
    public DataStream<Alert> addTo(DetectionTopology topology) {
        return topology.routeDeadLetters(topology.onTime(this, "Detection B filter")
                .keyBy(this::keyOf, TypeInformation.of(RareAppKey.class))
                .process(new RareAppEvaluator(this))
                .uid("rare-app").name("Detection B: unusual client app"));
    }

    /** SignInLogs and NonInteractiveUserSignInLogs, the user sign-ins {@link #keeps} reads. */
    @Override
    public List<String> categories() {
        return List.of(Categories.SIGN_IN_LOGS, Categories.NON_INTERACTIVE);
    }

    /**
     * category SignInLogs or NonInteractiveUserSignInLogs AND userPrincipalName present AND outcome !=
     * success AND errorCode in FAILURE_CODES AND asOrganization not in EXCLUDED_AS_ORGS (unknown kept).
     */
    @Override
    public boolean keeps(SignIn s) {
        return (Categories.SIGN_IN_LOGS.equals(s.category) || Categories.NON_INTERACTIVE.equals(s.category))
                && s.userPrincipalName != null && !s.userPrincipalName.isEmpty()
                && filters.isCountedFailure(s)
                && filters.isFromCountedNetwork(s);
    }

    /** End of the aligned evaluation interval containing {@code ts}: the evaluation that counts it first. */
    @Override
    public long windowEnd(long ts) {
        return Detection.alignedStart(ts, intervalMillis) + intervalMillis;
    }

    public RareAppKey keyOf(SignIn s) {
        return new RareAppKey(s.tenantId, s.userPrincipalName, s.appId);
    }

    public long lookbackMillis() {
        return lookbackMillis;
    }

    public long intervalMillis() {
        return intervalMillis;
    }

    public int threshold() {
        return threshold;
    }

    public long suppressionMillis() {
        return suppressionMillis;
    }

    public long alertFromMillis() {
        return alertFromMillis;
    }
}
