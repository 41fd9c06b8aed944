package io.entrawatch.detect.sso;

import java.util.Objects;

/** Stage 1's key: (tenant, resultType, aligned hour), so an hour's state is one key's state. */
public class SsoHourKey {
    public String tenantId;
    public String resultType;
    public long hourStart;

    public SsoHourKey() {}

    public SsoHourKey(String tenantId, String resultType, long hourStart) {
        this.tenantId = tenantId;
        this.resultType = resultType;
        this.hourStart = hourStart;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SsoHourKey)) return false;
        SsoHourKey k = (SsoHourKey) o;
        return hourStart == k.hourStart && Objects.equals(tenantId, k.tenantId) && Objects.equals(resultType, k.resultType);
    }

    /** Deterministic across JVMs (Flink assigns key groups from it). */
    @Override
    public int hashCode() {
        return Objects.hash(tenantId, resultType, hourStart);
    }

    @Override
    public String toString() {
        return tenantId + "/" + resultType + "@" + hourStart;
    }
}
