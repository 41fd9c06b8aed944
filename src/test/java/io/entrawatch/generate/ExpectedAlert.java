package io.entrawatch.generate;

import java.time.Instant;
import java.util.List;

/**
 * One alert the job must raise for the planted records (and only those: background traffic is built
 * so that it raises none). Computed by a reference implementation of docs/detections.md sections 2-4 and 8 over
 * the planted records, so it includes cross effects, e.g. the rare-app (B) alerts each sprayed user
 * causes. Fields that do not apply to the detection are null.
 *
 * @param detection         {@code "A"}, {@code "B"}, {@code "C"} or {@code "D"}
 * @param ruleId            rule.id of the detection
 * @param tenantId          azure.tenant_id
 * @param windowStart       detection.window.start (A, C, D: window start; B: T - 14 days)
 * @param windowEnd         detection.window.end (A, C, D: window end; B: evaluation end T); also {@code @timestamp}
 * @param errorCode         A: the error code of the key
 * @param count             A: unique_user_count; B: failed_count; C: distinct_accounts; D: hit_count
 * @param userPrincipalName B, D: the (lower-cased) user
 * @param appId             B: the app
 * @param appDisplayName    B: its display name
 * @param resultType        C: the flagged 81... resultType
 * @param ipAddress         C, D: source.ip
 * @param table             C: {@code SigninLogs} or {@code AADNonInteractiveUserSignInLogs}
 * @param users             A: the distinct users (100 smallest); C: userPrincipalNames of the IP+table;
 *                          D: detection.spray.user_names
 * @param ips               A: source IPs (100 smallest)
 * @param causedBy          indexes of the planted attacks whose records make up this alert
 * @param severity          D: {@code critical} or {@code high}
 * @param resultCodes       D: the distinct error codes of the hits, ascending
 * @param sprayWindowStart  D: detection.spray.window.start
 */
public record ExpectedAlert(
        String detection,
        String ruleId,
        String tenantId,
        Instant windowStart,
        Instant windowEnd,
        Integer errorCode,
        Long count,
        String userPrincipalName,
        String appId,
        String appDisplayName,
        String resultType,
        String ipAddress,
        String table,
        List<String> users,
        List<String> ips,
        List<Integer> causedBy,
        String severity,
        List<Long> resultCodes,
        Instant sprayWindowStart) {

    public static final String RULE_A = "a9281116-fde0-11ef-9ee5-f661ea17fbcd";
    public static final String RULE_B = "ce47ec2c-fe13-11ef-9ee5-f661ea17fbcd";
    public static final String RULE_C = "fb7ca1c9-e14c-40a3-856e-28f3c14ea1ba";
    public static final String RULE_D = "a4877234-e82e-43a5-88d0-e00d5caceed8";

    /** A stable identity of the alert: what makes it unique per docs/detections.md ("one alert per ..."). */
    public String key() {
        return switch (detection) {
            case "A" -> "A|" + tenantId + "|" + errorCode + "|" + windowStart;
            case "B" -> "B|" + tenantId + "|" + userPrincipalName + "|" + appId + "|" + windowEnd;
            case "D" -> "D|" + tenantId + "|" + ipAddress + "|" + userPrincipalName + "|" + windowStart;
            default -> "C|" + tenantId + "|" + resultType + "|" + ipAddress + "|" + table + "|" + windowStart;
        };
    }
}
