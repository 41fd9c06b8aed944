package io.entrawatch.detect.sso;

import io.entrawatch.detect.SmallestValues;
import io.entrawatch.model.SignIn;

/**
 * Stage 2's aggregate of one (tenant, IP, hour, table): what the alert needs of the sign-ins, not the
 * sign-ins themselves. Every field is order-independent (min, max, smallest values), so the same
 * sign-ins in any order, delivered any number of times, give the same aggregate.
 *
 * <p>Size: two longs, at most {@code limit} UPNs and {@code limit} user agents, two strings, whatever
 * the number of sign-ins (see {@link SsoStage2Joiner} for the figure).
 */
public class SsoTableAggregate {
    /** Smallest and largest event time seen (epoch millis). */
    public long start = Long.MAX_VALUE;
    public long end = Long.MIN_VALUE;
    /** The {@code limit} lexicographically smallest distinct (lower-cased) UPNs, sorted. */
    public String[] userPrincipalNames = SmallestValues.EMPTY;
    /** The {@code limit} lexicographically smallest distinct user agents, sorted. */
    public String[] userAgents = SmallestValues.EMPTY;
    /** KQL take_any, made deterministic: the lexicographically smallest non-empty value seen. */
    public String resultDescription;
    public String resultSignature;

    public SsoTableAggregate() {}

    /** Adds a sign-in; returns false when the aggregate did not change (so state need not be rewritten). */
    public boolean add(SignIn s, int limit) {
        boolean changed = false;
        if (s.timestamp < start) {
            start = s.timestamp;
            changed = true;
        }
        if (s.timestamp > end) {
            end = s.timestamp;
            changed = true;
        }
        String[] upns = SmallestValues.add(userPrincipalNames, s.userPrincipalName, limit);
        if (upns != userPrincipalNames) {
            userPrincipalNames = upns;
            changed = true;
        }
        String[] uas = SmallestValues.add(userAgents, s.userAgent, limit);
        if (uas != userAgents) {
            userAgents = uas;
            changed = true;
        }
        String d = SmallestValues.min(resultDescription, s.resultDescription);
        if (d != resultDescription) {
            resultDescription = d;
            changed = true;
        }
        String g = SmallestValues.min(resultSignature, s.resultSignature);
        if (g != resultSignature) {
            resultSignature = g;
            changed = true;
        }
        return changed;
    }
}
