package io.entrawatch.detect.rareapp;

import java.util.Objects;

/**
 * Detection B's key: (tenant, lower-cased user, appId). A sign-in without an appId is keyed under a
 * null appId ("unknown app"), its own pair. A POJO with a hashCode that is the same in every JVM, so
 * key groups (and savepoints) are stable.
 */
public class RareAppKey {
    public String tenantId;
    public String userPrincipalName;
    /** Null when the sign-in names no app. */
    public String appId;

    public RareAppKey() {}

    public RareAppKey(String tenantId, String userPrincipalName, String appId) {
        this.tenantId = tenantId;
        this.userPrincipalName = userPrincipalName;
        this.appId = appId;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RareAppKey)) return false;
        RareAppKey k = (RareAppKey) o;
        return Objects.equals(tenantId, k.tenantId) && Objects.equals(userPrincipalName, k.userPrincipalName)
                && Objects.equals(appId, k.appId);
    }

    /** Deterministic across JVMs (String hashes are specified; Flink assigns key groups from it). */
    @Override
    public int hashCode() {
        return Objects.hash(tenantId, userPrincipalName, appId);
    }

    @Override
    public String toString() {
        return tenantId + "/" + userPrincipalName + "/" + appId;
    }
}
