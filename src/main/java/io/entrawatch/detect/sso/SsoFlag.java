package io.entrawatch.detect.sso;

/**
 * Stage 1's output: in {@code hourStart}'s hour, {@code resultType} (81...) failed for
 * {@code distinctAccounts} (> threshold) accounts of the tenant, and {@code ipAddress} is one of the
 * 100 lexicographically smallest addresses it failed from.
 */
public class SsoFlag {
    public String tenantId;
    public String ipAddress;
    public long hourStart;
    public String resultType;
    public long distinctAccounts;

    public SsoFlag() {}

    public SsoFlag(String tenantId, String ipAddress, long hourStart, String resultType, long distinctAccounts) {
        this.tenantId = tenantId;
        this.ipAddress = ipAddress;
        this.hourStart = hourStart;
        this.resultType = resultType;
        this.distinctAccounts = distinctAccounts;
    }

    public SsoIpKey key() {
        return new SsoIpKey(tenantId, ipAddress, hourStart);
    }

    @Override
    public String toString() {
        return "SsoFlag{" + tenantId + ", " + ipAddress + ", " + hourStart + ", " + resultType + ", " + distinctAccounts + "}";
    }
}
