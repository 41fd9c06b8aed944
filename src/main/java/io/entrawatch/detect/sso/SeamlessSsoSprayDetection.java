package io.entrawatch.detect.sso;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.SsoSprayOptions;
import io.entrawatch.detect.Detection;
import io.entrawatch.detect.DetectionFactory;
import io.entrawatch.detect.DetectionTopology;
import io.entrawatch.detect.ProjectedInput;
import io.entrawatch.detect.RuleMetadata;
import io.entrawatch.model.Alert;
import io.entrawatch.model.Categories;
import io.entrawatch.model.SignIn;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.time.Duration;
import java.util.List;

/**
 * Detection C (docs/detections.md section 4): password spray against Entra Seamless SSO, the two-stage
 * Sentinel rule. Stage 1 ({@link SsoStage1Counter}) flags a (tenant, 81... resultType, hour) with more
 * than the threshold of distinct accounts and names its 100 smallest addresses; stage 2
 * ({@link SsoStage2Joiner}) joins each flagged address back to everything it did in that tenant and
 * hour, per table.
 *
 * <p>One {@link Detection} for both stages: they share the window, so a sign-in is late for C when its
 * hour has fired, and a late sign-in is then counted by neither stage ({@link #keeps} is the union of
 * the two stages' filters).
 */
public final class SeamlessSsoSprayDetection implements Detection {
    private static final long serialVersionUID = 1L;

    /** Metadata of the Sentinel rule, version 1.0.4 of Azure-Sentinel's SeamlessSSOPasswordSpray.yaml. */
    public static final RuleMetadata RULE = RuleMetadata.builder()
            .id("fb7ca1c9-e14c-40a3-856e-28f3c14ea1ba")
            .name("Password spray attack against Microsoft Entra ID Seamless SSO")
            .shortName("sso-spray")
            .version("1.0.4")
            .description("A spike of Microsoft Entra ID Seamless SSO errors (result types 81...): one error code failed for more than "
                    + "5 distinct accounts of a tenant in one hour. It may not be a password spray, but the cause of the "
                    + "errors should be investigated. Entra ID only logs requests that matched existing accounts, so "
                    + "there may have been unlogged requests for accounts that do not exist. The alert lists everything "
                    + "the failing IP address did in that hour, per sign-in table.")
            .severity("medium")
            .technique("T1110", "Brute Force")
            .tactic("TA0006", "Credential Access")
            .references("https://github.com/Azure/Azure-Sentinel/blob/master/Solutions/Microsoft%20Entra%20ID/Analytic%20Rules/SeamlessSSOPasswordSpray.yaml",
                    "https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/tshoot-connect-sso")
            .falsePositives("A broken Seamless SSO setup (Kerberos decryption key not rolled over, clock skew, the AZUREADSSOACC "
                            + "computer account changed) makes many accounts fail with 81xxx from the corporate egress IPs.",
                    "Many users behind one proxy whose Kerberos tickets are rejected after a domain change.")
            .investigationGuide("One alert per flagged IP address and sign-in table. Look at source.ip: is it yours (corporate egress, "
                    + "a proxy)? If not, user.name lists the accounts it touched and detection.table tells whether it "
                    + "reached interactive sign-ins (SigninLogs). A success (result_type 0) of any of these accounts "
                    + "from this IP in the same hour means a password was guessed: reset that password, revoke its "
                    + "sessions and require MFA. Block the IP in Conditional Access if it is not yours. Entity mapping: "
                    + "account (detection.account_name @ user.domain) and IP (source.ip).")
            .build();

    /** Made from --sso-spray.*; on unless --sso-spray.enabled false. */
    public static final DetectionFactory<SeamlessSsoSprayDetection> FACTORY = new DetectionFactory<>(RULE, SsoSprayOptions.ENABLED,
            o -> new SeamlessSsoSprayDetection(o.get(SsoSprayOptions.WINDOW),
                    o.get(SsoSprayOptions.ACCOUNT_THRESHOLD), o.get(SsoSprayOptions.RESULT_TYPE_PREFIX)));

    public static final int EVIDENCE_LIMIT = 100;

    private final long windowMillis;
    private final int accountThreshold;
    private final String resultTypePrefix;

    public SeamlessSsoSprayDetection(Duration window, int accountThreshold, String resultTypePrefix) {
        if (window.toMillis() <= 0) throw new IllegalArgumentException("--sso-spray.window must be positive");
        if (accountThreshold < 0) throw new IllegalArgumentException("--sso-spray.account-threshold must be at least 0");
        if (resultTypePrefix == null || resultTypePrefix.isEmpty())
            throw new IllegalArgumentException("--sso-spray.result-type-prefix must not be empty");
        this.windowMillis = window.toMillis();
        this.accountThreshold = accountThreshold;
        this.resultTypePrefix = resultTypePrefix;
    }

    @Override
    public RuleMetadata metadata() {
        return RULE;
    }

    /**
     * Stage 1: on-time 81... failures keyed by (tenant, resultType, hour) into {@link SsoStage1Counter};
     * stage 2: its flags and the projected sign-ins ({@link #stage2Input()}) keyed by (tenant, IP, hour)
     * into {@link SsoStage2Joiner}.
     */
    @Override
    public DataStream<Alert> addTo(DetectionTopology topology) {
        DataStream<SignIn> onTime = topology.onTime(this, "Detection C filter");
        SingleOutputStreamOperator<SsoFlag> flags = topology.routeDeadLetters(
                topology.gateSide(onTime.filter(this::keepsForStage1)).name("Detection C stage 1 filter")
                        .keyBy(this::stage1KeyOf, TypeInformation.of(SsoHourKey.class))
                        .process(new SsoStage1Counter(this))
                        .uid("sso-spray-stage1").name("Detection C stage 1: 81xxx accounts per hour"));
        return topology.secondStage(flags, SsoFlag::key, onTime, stage2Input(), "Detection C stage 2 filter, projected",
                this::stage2KeyOf, TypeInformation.of(SsoIpKey.class), new SsoStage2Joiner(this),
                "sso-spray-stage2", "Detection C stage 2: flagged IPs joined with their sign-ins");
    }

    /** SignInLogs (stage 2) and NonInteractiveUserSignInLogs (stages 1 and 2). */
    @Override
    public List<String> categories() {
        return List.of(Categories.SIGN_IN_LOGS, Categories.NON_INTERACTIVE);
    }

    /** Stage 2's input step: the sign-ins it keeps ({@link #keepsForStage2}), projected ({@link #forStage2}). */
    public FlatMapFunction<SignIn, SignIn> stage2Input() {
        return new ProjectedInput(this::keepsForStage2, this::forStage2);
    }

    /** Stage 1's filter OR stage 2's filter. */
    @Override
    public boolean keeps(SignIn s) {
        return keepsForStage1(s) || keepsForStage2(s);
    }

    /** NonInteractiveUserSignInLogs with a resultType starting with the prefix (81). */
    public boolean keepsForStage1(SignIn s) {
        return Categories.NON_INTERACTIVE.equals(s.category) && s.resultType != null && s.resultType.startsWith(resultTypePrefix);
    }

    /** SignInLogs and NonInteractiveUserSignInLogs, any result, with an IP address (the join key). */
    public boolean keepsForStage2(SignIn s) {
        return (Categories.SIGN_IN_LOGS.equals(s.category) || Categories.NON_INTERACTIVE.equals(s.category))
                && s.ipAddress != null;
    }

    /**
     * The part of a sign-in stage 2 reads: its key (tenant, IP, hour), its table, what the aggregate keeps
     * (time, UPN, user agent, result description and signature), and the id for a late dead letter. Stage 2
     * receives nearly every user sign-in, so the shuffle to it carries this instead of the whole sign-in
     * (the app, ASN, organisation, error code, ... are not sent).
     */
    public SignIn forStage2(SignIn s) {
        SignIn p = ProjectedInput.keyFields(s);
        p.userAgent = s.userAgent;
        p.resultDescription = s.resultDescription;
        p.resultSignature = s.resultSignature;
        return p;
    }

    @Override
    public long windowEnd(long ts) {
        return Detection.alignedStart(ts, windowMillis) + windowMillis;
    }

    public long windowMillis() {
        return windowMillis;
    }

    /** Flagged when distinct accounts are more than this (Sentinel's account_threshold, "> 5"). */
    public int accountThreshold() {
        return accountThreshold;
    }

    public SsoHourKey stage1KeyOf(SignIn s) {
        return new SsoHourKey(s.tenantId, s.resultType, Detection.alignedStart(s.timestamp, windowMillis));
    }

    public SsoIpKey stage2KeyOf(SignIn s) {
        return new SsoIpKey(s.tenantId, s.ipAddress, Detection.alignedStart(s.timestamp, windowMillis));
    }
}
