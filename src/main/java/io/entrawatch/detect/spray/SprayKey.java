package io.entrawatch.detect.spray;

import java.util.Objects;

/** Detection A's key: (tenant, errorCode) and the window, so a window's state is one key's state. */
public class SprayKey {
    public String tenantId;
    public int errorCode;
    public long windowStart;

    public SprayKey() {}

    public SprayKey(String tenantId, int errorCode, long windowStart) {
        this.tenantId = tenantId;
        this.errorCode = errorCode;
        this.windowStart = windowStart;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SprayKey)) return false;
        SprayKey k = (SprayKey) o;
        return errorCode == k.errorCode && windowStart == k.windowStart && Objects.equals(tenantId, k.tenantId);
    }

    /** Deterministic across JVMs (Flink assigns key groups from it). */
    @Override
    public int hashCode() {
        return Objects.hash(tenantId, errorCode, windowStart);
    }

    @Override
    public String toString() {
        return tenantId + "/" + errorCode + "@" + windowStart;
    }
}
