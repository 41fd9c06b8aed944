package io.entrawatch.detect.validcreds;

import java.util.Objects;

/** Stage 1's key: (tenant, IP address, aligned window start), so a window's user sets are one key's state. */
public class SprayWindowKey {
    public String tenantId;
    public String ipAddress;
    public long windowStart;

    public SprayWindowKey() {}

    public SprayWindowKey(String tenantId, String ipAddress, long windowStart) {
        this.tenantId = tenantId;
        this.ipAddress = ipAddress;
        this.windowStart = windowStart;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SprayWindowKey)) return false;
        SprayWindowKey k = (SprayWindowKey) o;
        return windowStart == k.windowStart && Objects.equals(tenantId, k.tenantId) && Objects.equals(ipAddress, k.ipAddress);
    }

    /** Deterministic across JVMs (Flink assigns key groups from it). */
    @Override
    public int hashCode() {
        return Objects.hash(tenantId, ipAddress, windowStart);
    }

    @Override
    public String toString() {
        return tenantId + "/" + ipAddress + "@" + windowStart;
    }
}
