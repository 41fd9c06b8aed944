package io.entrawatch.detect.sso;

import java.util.Objects;

/**
 * Stage 2's key: (tenant, IP address, aligned hour). Stage 1's flags and the sign-ins are both keyed
 * by it, so the join of a flagged address with "everything that address did" is one key's state.
 */
public class SsoIpKey {
    public String tenantId;
    public String ipAddress;
    public long hourStart;

    public SsoIpKey() {}

    public SsoIpKey(String tenantId, String ipAddress, long hourStart) {
        this.tenantId = tenantId;
        this.ipAddress = ipAddress;
        this.hourStart = hourStart;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SsoIpKey)) return false;
        SsoIpKey k = (SsoIpKey) o;
        return hourStart == k.hourStart && Objects.equals(tenantId, k.tenantId) && Objects.equals(ipAddress, k.ipAddress);
    }

    /** Deterministic across JVMs (Flink assigns key groups from it). */
    @Override
    public int hashCode() {
        return Objects.hash(tenantId, ipAddress, hourStart);
    }

    @Override
    public String toString() {
        return tenantId + "/" + ipAddress + "@" + hourStart;
    }
}
