package io.entrawatch.detect.validcreds;

/**
 * Stage 1's output and stage 2's state: in the window starting {@code windowStart}, {@code ipAddress} of
 * the tenant was a spray source ({@code failedUsers} distinct users failed with a guess-failure code,
 * at least the threshold and more than the {@code validUsers} with a valid-credential sign-in);
 * {@code failedUserNames} are the 100 lexicographically smallest failed UPNs, sorted.
 */
public class SpraySource {
    public String tenantId;
    public String ipAddress;
    public long windowStart;
    public long failedUsers;
    public long validUsers;
    public String[] failedUserNames;

    public SpraySource() {}

    public SpraySource(String tenantId, String ipAddress, long windowStart, long failedUsers, long validUsers,
            String[] failedUserNames) {
        this.tenantId = tenantId;
        this.ipAddress = ipAddress;
        this.windowStart = windowStart;
        this.failedUsers = failedUsers;
        this.validUsers = validUsers;
        this.failedUserNames = failedUserNames;
    }

    public AddressKey key() {
        return new AddressKey(tenantId, ipAddress);
    }

    @Override
    public String toString() {
        return "SpraySource{" + tenantId + ", " + ipAddress + ", " + windowStart + ", failed=" + failedUsers
                + ", valid=" + validUsers + "}";
    }
}
