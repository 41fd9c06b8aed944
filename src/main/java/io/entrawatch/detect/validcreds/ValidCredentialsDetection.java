package io.entrawatch.detect.validcreds;

import io.entrawatch.config.ValidCredentialsOptions;
import io.entrawatch.detect.Detection;
import io.entrawatch.detect.DetectionFactory;
import io.entrawatch.detect.DetectionTopology;
import io.entrawatch.detect.ProjectedInput;
import io.entrawatch.detect.RuleMetadata;
import io.entrawatch.detect.SignInFilters;
import io.entrawatch.model.Alert;
import io.entrawatch.model.Categories;
import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Detection D (docs/detections.md section 8): did the spray work? Stage 1 ({@link SpraySourceCounter})
 * finds the spray sources: per (tenant, IP, 10-minute window) the distinct users that failed with a
 * guess-failure code and the distinct users with a valid-credential sign-in; the address is a spray
 * source for the window when the failed users reach the threshold and outnumber the valid ones.
 * Stage 2 ({@link ValidCredentialsEvaluator}), per (tenant, IP), holds the address's spray-source
 * windows while their reach is open and alerts for every user with a valid-credential sign-in from
 * the address that a spray-source window covers, once per (user, window), with suppression.
 *
 * <p>One {@link Detection} for both stages: they share the window, so a sign-in is late for D when its
 * window has fired, and a late sign-in is then counted by neither stage.
 */
public final class ValidCredentialsDetection implements Detection {
    private static final long serialVersionUID = 1L;

    public static final RuleMetadata RULE = RuleMetadata.builder()
            .id("a4877234-e82e-43a5-88d0-e00d5caceed8")
            .name("Azure Entra Valid Credentials from a Password Spray Source")
            .shortName("valid-credentials")
            .version("1")
            .description("An IP address that was spraying passwords at a tenant (at least 5 distinct users failing with wrong, "
                    + "empty or locked-out passwords in 10 minutes, more than the users signing in from it) then "
                    + "presented a valid password: a successful sign-in, or one that only MFA, Conditional Access or "
                    + "an expired password stopped, within 24 hours of the spray. The password of that account is "
                    + "known to the attacker. Critical when the sign-in fully succeeded, high when a second factor or "
                    + "a policy stopped it.")
            .severity("high")
            .technique("T1078.004", "Valid Accounts: Cloud Accounts")
            .technique("T1110.003", "Brute Force: Password Spraying")
            .tactic("TA0001", "Initial Access")
            .tactic("TA0006", "Credential Access")
            .references("https://github.com/Azure/Azure-Sentinel/blob/master/Solutions/Microsoft%20Entra%20ID/Analytic%20Rules/SigninPasswordSpray.yaml",
                    "https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes",
                    "https://learn.microsoft.com/en-us/security/operations/incident-response-playbook-password-spray")
            .falsePositives("A corporate egress or VPN address where a misconfigured client fails for many users in one "
                            + "window while a few others sign in normally (raise the threshold or add an exception for it).",
                    "A penetration test or a red-team password-spray exercise from an address the security team knows.",
                    "A user who genuinely signs in from a shared address (a hotel, a carrier NAT) that an attacker also used.")
            .investigationGuide("Act first, then investigate. user.name's password is known to whoever sprayed from source.ip: "
                    + "1) reset the password (and force a change at next sign-in); 2) revoke the account's sessions and "
                    + "refresh tokens (Revoke-MgUserSignInSession) so a token already issued stops working; 3) check "
                    + "what the account did after event.start: sign-ins from source.ip and from new addresses or "
                    + "devices, MFA methods registered, inbox rules, consent grants, mailbox and file access (audit "
                    + "logs, unified audit log). event.outcome success (severity critical) means the sign-in fully "
                    + "succeeded; failure (high) means MFA, Conditional Access or an expired password stopped it, "
                    + "but the password is still compromised and the user may be sent MFA prompts (fatigue). "
                    + "detection.spray.* describes the spray; block source.ip in Conditional Access if it is not yours, "
                    + "and look for other alerts from the same address.")
            .build();

    /** Made from --valid-credentials.* and the shared AS-organisation filter; on unless --valid-credentials.enabled false. */
    public static final DetectionFactory<ValidCredentialsDetection> FACTORY = new DetectionFactory<>(RULE,
            ValidCredentialsOptions.ENABLED,
            o -> new ValidCredentialsDetection(SignInFilters.fromOptions(o), o.get(ValidCredentialsOptions.WINDOW),
                    o.get(ValidCredentialsOptions.FAILED_USER_THRESHOLD), o.get(ValidCredentialsOptions.GUESS_FAILURE_CODES),
                    o.get(ValidCredentialsOptions.VALID_CREDENTIAL_CODES), o.get(ValidCredentialsOptions.REACH),
                    o.get(ValidCredentialsOptions.SUPPRESSION)));

    public static final int EVIDENCE_LIMIT = 100;

    private final SignInFilters filters;
    private final long windowMillis;
    private final int failedUserThreshold;
    private final Set<Integer> guessFailureCodes;
    private final Set<Integer> validCredentialCodes;
    private final long reachMillis;
    private final long suppressionMillis;

    public ValidCredentialsDetection(SignInFilters filters, Duration window, int failedUserThreshold,
            List<Integer> guessFailureCodes, List<Integer> validCredentialCodes, Duration reach, Duration suppression) {
        long w = window.toMillis(), r = reach.toMillis(), s = suppression.toMillis();
        if (w <= 0) throw new IllegalArgumentException("--valid-credentials.window must be positive");
        if (failedUserThreshold < 1) throw new IllegalArgumentException("--valid-credentials.failed-user-threshold must be at least 1");
        if (guessFailureCodes.isEmpty()) throw new IllegalArgumentException("--valid-credentials.guess-failure-codes must not be empty");
        if (r <= 0 || r % w != 0)
            throw new IllegalArgumentException("--valid-credentials.reach must be a positive multiple of --valid-credentials.window");
        if (s < 0) throw new IllegalArgumentException("--valid-credentials.suppression must be at least 0");
        this.filters = filters;
        this.windowMillis = w;
        this.failedUserThreshold = failedUserThreshold;
        this.guessFailureCodes = new HashSet<>(guessFailureCodes);
        this.validCredentialCodes = new HashSet<>(validCredentialCodes);
        this.reachMillis = r;
        this.suppressionMillis = s;
    }

    @Override
    public RuleMetadata metadata() {
        return RULE;
    }

    /**
     * Stage 1: on-time guess failures and valid-credential sign-ins keyed by (tenant, IP, window) into
     * {@link SpraySourceCounter}; stage 2: its spray sources and the projected valid-credential sign-ins
     * ({@link #stage2Input()}) keyed by (tenant, IP) into {@link ValidCredentialsEvaluator}.
     */
    @Override
    public DataStream<Alert> addTo(DetectionTopology topology) {
        DataStream<SignIn> onTime = topology.onTime(this, "Detection D filter");
        SingleOutputStreamOperator<SpraySource> sources = topology.routeDeadLetters(onTime
                .keyBy(this::stage1KeyOf, TypeInformation.of(SprayWindowKey.class))
                .process(new SpraySourceCounter(this))
                .uid("valid-credentials-stage1").name("Detection D stage 1: spray sources per address and window"));
        return topology.secondStage(sources, SpraySource::key, onTime, stage2Input(), "Detection D stage 2 filter, projected",
                this::stage2KeyOf, TypeInformation.of(AddressKey.class), new ValidCredentialsEvaluator(this),
                "valid-credentials-stage2", "Detection D stage 2: valid credentials from spray sources");
    }

    /** Stage 2's input step: the valid-credential sign-ins, projected ({@link #forStage2}). */
    public FlatMapFunction<SignIn, SignIn> stage2Input() {
        return new ProjectedInput(this::isValidCredential, this::forStage2);
    }

    /** SignInLogs and NonInteractiveUserSignInLogs, the user sign-ins {@link #keeps} reads. */
    @Override
    public List<String> categories() {
        return List.of(Categories.SIGN_IN_LOGS, Categories.NON_INTERACTIVE);
    }

    /**
     * SignInLogs or NonInteractiveUserSignInLogs, with a UPN and an IP address, asOrganization not in
     * EXCLUDED_AS_ORGS (unknown kept), and either a guess failure or a valid-credential sign-in.
     */
    @Override
    public boolean keeps(SignIn s) {
        return (Categories.SIGN_IN_LOGS.equals(s.category) || Categories.NON_INTERACTIVE.equals(s.category))
                && s.userPrincipalName != null && !s.userPrincipalName.isEmpty()
                && s.ipAddress != null && !s.ipAddress.isEmpty()
                && filters.isFromCountedNetwork(s)
                && (isGuessFailure(s) || isValidCredential(s));
    }

    /** errorCode in GUESS_FAILURE_CODES. */
    public boolean isGuessFailure(SignIn s) {
        return !s.success && s.errorCode != null && guessFailureCodes.contains(s.errorCode);
    }

    /** outcome success, or errorCode in VALID_CREDENTIAL_CODES: the password was right. */
    public boolean isValidCredential(SignIn s) {
        return s.success || s.errorCode != null && validCredentialCodes.contains(s.errorCode);
    }

    /**
     * The part of a valid-credential sign-in stage 2 reads: its key and time, the identity for
     * de-duplication, the user, the code, the outcome and the app name (and the arrival watermark for a
     * late dead letter). The user agent, ASN, app id, ... are not sent.
     */
    public SignIn forStage2(SignIn s) {
        SignIn p = ProjectedInput.keyFields(s);
        p.resultType = s.resultType;
        p.errorCode = s.errorCode;
        p.appDisplayName = s.appDisplayName;
        return p;
    }

    @Override
    public long windowEnd(long ts) {
        return Detection.alignedStart(ts, windowMillis) + windowMillis;
    }

    public long windowMillis() {
        return windowMillis;
    }

    /** A spray source needs at least this many distinct failed users (and more than its valid users). */
    public int failedUserThreshold() {
        return failedUserThreshold;
    }

    /** A spray-source window w covers valid-credential sign-ins in [w.start, w.end + reach). */
    public long reachMillis() {
        return reachMillis;
    }

    /** 0: off. */
    public long suppressionMillis() {
        return suppressionMillis;
    }

    public SprayWindowKey stage1KeyOf(SignIn s) {
        return new SprayWindowKey(s.tenantId, s.ipAddress, Detection.alignedStart(s.timestamp, windowMillis));
    }

    public AddressKey stage2KeyOf(SignIn s) {
        return new AddressKey(s.tenantId, s.ipAddress);
    }
}
