package io.entrawatch.detect.validcreds;

import io.entrawatch.detect.RecordIdentity;
import io.entrawatch.detect.SmallestValues;
import io.entrawatch.model.SignIn;

import java.util.Arrays;

/**
 * Stage 2's aggregate of one user's valid-credential sign-ins from the address in one open window: what
 * the alert needs, not the sign-ins. Order-independent (min, max, sorted sets), and a re-delivered record
 * (same category and properties.id) changes nothing, so the same sign-ins in any order, delivered any
 * number of times, give the same aggregate.
 *
 * <p>Size: the distinct record identities (8 bytes each; a record without an id counts once per
 * delivery, it cannot be recognised), the distinct codes, at most 100 app names, two times and a flag.
 */
public class UserWindowHits {
    public long windowStart;
    public String userPrincipalName;
    /** Identities ({@link RecordIdentity}) of the records with an id, sorted. */
    public long[] identities = new long[0];
    /** Records without an id. */
    public long withoutId;
    /** Distinct errorCodes (0 for a success without one), sorted. */
    public long[] resultCodes = new long[0];
    public long first = Long.MAX_VALUE;
    public long last = Long.MIN_VALUE;
    /** True when one of the sign-ins is a full success (outcome success). */
    public boolean fullSuccess;
    /** The {@code limit} lexicographically smallest distinct non-empty app display names, sorted. */
    public String[] appDisplayNames = SmallestValues.EMPTY;

    public UserWindowHits() {}

    public UserWindowHits(long windowStart, String userPrincipalName) {
        this.windowStart = windowStart;
        this.userPrincipalName = userPrincipalName;
    }

    /** Adds a sign-in; returns false when it was a re-delivery (nothing changed). */
    public boolean add(SignIn s, int limit) {
        if (s.id != null) {
            long id = RecordIdentity.of(s.id, s.category);
            int at = Arrays.binarySearch(identities, id);
            if (at >= 0) return false;
            identities = insert(identities, -at - 1, id);
        } else {
            withoutId++;
        }
        long code = s.errorCode == null ? 0 : s.errorCode;
        int c = Arrays.binarySearch(resultCodes, code);
        if (c < 0) resultCodes = insert(resultCodes, -c - 1, code);
        first = Math.min(first, s.timestamp);
        last = Math.max(last, s.timestamp);
        fullSuccess |= s.success;
        if (s.appDisplayName != null && !s.appDisplayName.isEmpty()) {
            appDisplayNames = SmallestValues.add(appDisplayNames, s.appDisplayName, limit);
        }
        return true;
    }

    /** The distinct hits. */
    public long count() {
        return identities.length + withoutId;
    }

    private static long[] insert(long[] sorted, int at, long value) {
        long[] out = new long[sorted.length + 1];
        System.arraycopy(sorted, 0, out, 0, at);
        out[at] = value;
        System.arraycopy(sorted, at, out, at + 1, sorted.length - at);
        return out;
    }
}
