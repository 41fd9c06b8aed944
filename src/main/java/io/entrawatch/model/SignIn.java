package io.entrawatch.model;

import java.util.Objects;

/**
 * One normalised Entra ID sign-in, as docs/detections.md section 1 defines it. A Flink POJO (public
 * fields, no-arg constructor) so it crosses the network with the POJO serializer, not Kryo.
 */
public class SignIn {
    /** Event time in epoch milliseconds (properties.createdDateTime, else time). */
    public long timestamp;
    public String tenantId;
    /** Record category, e.g. {@code NonInteractiveUserSignInLogs}. */
    public String category;
    /** properties.id; with category the identity used to de-duplicate re-deliveries. May be null. */
    public String id;
    /** Lower-cased; null when the record names no user. */
    public String userPrincipalName;
    public String resultType;
    /** Null when neither properties.status.errorCode nor resultType is present. */
    public Integer errorCode;
    /** Null when absent (unknown), which never matches {@code == false}. */
    public Boolean isInteractive;
    public String authenticationRequirement;
    /** Lower-cased IPv4 or IPv6 text. */
    public String ipAddress;
    public Long asn;
    /** Looked up from asn; null when unknown. */
    public String asOrganization;
    public String appId;
    public String appDisplayName;
    public String userAgent;
    public String resultDescription;
    public String resultSignature;
    /** outcome == success: errorCode is 0 or absent. */
    public boolean success;
    /**
     * The watermark of this record's source partition when it arrived: the largest timestamp seen
     * earlier in the partition minus the allowed out-of-orderness. A detection treats the record as
     * late when its window ends at or before this instant (see LatenessPolicy).
     */
    public long arrivalWatermark = Long.MIN_VALUE;
    /**
     * The rules an exception hides this sign-in from (bit i: the i-th rule of the pipeline's catalogue); 0 when
     * none. Set right after the ingest gate; a detection leaves out the sign-ins hidden from it.
     */
    public long hiddenFrom;

    public SignIn() {}

    /** The Log Analytics table name ("Type") of this record's category. */
    public String table() {
        return Categories.tableOf(category);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof SignIn)) return false;
        SignIn s = (SignIn) o;
        return timestamp == s.timestamp && success == s.success && arrivalWatermark == s.arrivalWatermark
                && hiddenFrom == s.hiddenFrom
                && Objects.equals(tenantId, s.tenantId) && Objects.equals(category, s.category)
                && Objects.equals(id, s.id) && Objects.equals(userPrincipalName, s.userPrincipalName)
                && Objects.equals(resultType, s.resultType) && Objects.equals(errorCode, s.errorCode)
                && Objects.equals(isInteractive, s.isInteractive)
                && Objects.equals(authenticationRequirement, s.authenticationRequirement)
                && Objects.equals(ipAddress, s.ipAddress) && Objects.equals(asn, s.asn)
                && Objects.equals(asOrganization, s.asOrganization) && Objects.equals(appId, s.appId)
                && Objects.equals(appDisplayName, s.appDisplayName) && Objects.equals(userAgent, s.userAgent)
                && Objects.equals(resultDescription, s.resultDescription)
                && Objects.equals(resultSignature, s.resultSignature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timestamp, tenantId, category, id, userPrincipalName, errorCode, ipAddress);
    }

    @Override
    public String toString() {
        return "SignIn{" + java.time.Instant.ofEpochMilli(timestamp) + ", tenant=" + tenantId + ", " + category
                + ", id=" + id + ", upn=" + userPrincipalName + ", resultType=" + resultType + ", errorCode="
                + errorCode + ", interactive=" + isInteractive + ", auth=" + authenticationRequirement + ", ip="
                + ipAddress + ", asn=" + asn + ", asOrg=" + asOrganization + ", app=" + appId + "}";
    }
}
