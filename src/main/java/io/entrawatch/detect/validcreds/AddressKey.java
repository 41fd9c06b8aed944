package io.entrawatch.detect.validcreds;

import java.util.Objects;

/**
 * Stage 2's key: (tenant, IP address). Stage 1's spray sources and the address's valid-credential
 * sign-ins are both keyed by it, so "did a guess from this address work?" is one key's state.
 */
public class AddressKey {
    public String tenantId;
    public String ipAddress;

    public AddressKey() {}

    public AddressKey(String tenantId, String ipAddress) {
        this.tenantId = tenantId;
        this.ipAddress = ipAddress;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AddressKey)) return false;
        AddressKey k = (AddressKey) o;
        return Objects.equals(tenantId, k.tenantId) && Objects.equals(ipAddress, k.ipAddress);
    }

    /** Deterministic across JVMs (Flink assigns key groups from it). */
    @Override
    public int hashCode() {
        return Objects.hash(tenantId, ipAddress);
    }

    @Override
    public String toString() {
        return tenantId + "/" + ipAddress;
    }
}
