package io.entrawatch.exceptions;

import io.entrawatch.model.SignIn;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The exceptions in force, indexed so that a sign-in is compared only with the exceptions that could match
 * it: each exception is filed under its most selective field (its address block, else its UPN or domain,
 * else its application, else its AS number), and a sign-in looks up its own values there, one hash lookup
 * per prefix length in use for addresses. With 10,000 exceptions a sign-in meets a handful of candidates,
 * not 10,000.
 */
public final class ExceptionSet {
    /** What {@link #hiddenMask} reports for each exception that hid a sign-in, per rule (for the metrics). */
    public interface HitListener {
        void hidden(ExceptionItem exception, long ruleMask);
    }

    public static final ExceptionSet EMPTY = new ExceptionSet(List.of());

    private final List<ExceptionItem> items;
    /** Prefix length -> network key -> exceptions, per family. */
    private final TreeMap<Integer, Map<Long, List<ExceptionItem>>> ipv4 = new TreeMap<>();
    private final TreeMap<Integer, Map<Net6, List<ExceptionItem>>> ipv6 = new TreeMap<>();
    private final Map<String, List<ExceptionItem>> byUser = new HashMap<>();
    private final Map<String, List<ExceptionItem>> byDomain = new HashMap<>();
    private final Map<String, List<ExceptionItem>> byApp = new HashMap<>();
    private final Map<Long, List<ExceptionItem>> byAsn = new HashMap<>();
    private final int[] ipv4Prefixes;
    private final int[] ipv6Prefixes;

    private record Net6(long hi, long lo) {}

    public ExceptionSet(Collection<ExceptionItem> exceptions) {
        this.items = List.copyOf(exceptions);
        for (ExceptionItem e : items) {
            if (e.sourceIp != null) {
                IpBlock b = e.sourceIp;
                if (b.ipv6) ipv6.computeIfAbsent(b.prefix, p -> new HashMap<>()).computeIfAbsent(new Net6(b.hi, b.lo), k -> new ArrayList<>(1)).add(e);
                else ipv4.computeIfAbsent(b.prefix, p -> new HashMap<>()).computeIfAbsent(b.lo, k -> new ArrayList<>(1)).add(e);
            } else if (e.userName != null) {
                byUser.computeIfAbsent(e.userName, k -> new ArrayList<>(1)).add(e);
            } else if (e.userDomain != null) {
                byDomain.computeIfAbsent(e.userDomain, k -> new ArrayList<>(1)).add(e);
            } else if (e.appId != null) {
                byApp.computeIfAbsent(e.appId, k -> new ArrayList<>(1)).add(e);
            } else {
                byAsn.computeIfAbsent(e.asn, k -> new ArrayList<>(1)).add(e);
            }
        }
        ipv4Prefixes = ipv4.keySet().stream().mapToInt(Integer::intValue).toArray();
        ipv6Prefixes = ipv6.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    public List<ExceptionItem> items() {
        return items;
    }

    public int size() {
        return items.size();
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    /**
     * The rules (bit i: the i-th rule of the catalogue) this sign-in is hidden from; 0 when none. Every
     * exception that matches is reported to {@code listener} (null: none), so each one's count is its own.
     */
    public long hiddenMask(SignIn s, HitListener listener) {
        if (items.isEmpty()) return 0;
        long mask = 0;
        IpBlock address = null;
        if (ipv4Prefixes.length + ipv6Prefixes.length > 0 && s.ipAddress != null) {
            address = IpBlock.addressOrNull(s.ipAddress);
            if (address != null) {
                if (address.ipv6) {
                    for (int p : ipv6Prefixes) {
                        mask |= check(ipv6.get(p).get(new Net6(IpBlock.keyHi(address, p), IpBlock.keyLo(address, p))), s, address, listener);
                    }
                } else {
                    for (int p : ipv4Prefixes) mask |= check(ipv4.get(p).get(IpBlock.keyLo(address, p)), s, address, listener);
                }
            }
        }
        if (s.userPrincipalName != null) {
            if (!byUser.isEmpty()) mask |= check(byUser.get(s.userPrincipalName), s, address, listener);
            if (!byDomain.isEmpty()) mask |= check(byDomain.get(ExceptionItem.domainOf(s.userPrincipalName)), s, address, listener);
        }
        if (s.appId != null && !byApp.isEmpty()) mask |= check(byApp.get(s.appId.toLowerCase(java.util.Locale.ROOT)), s, address, listener);
        if (s.asn != null && !byAsn.isEmpty()) mask |= check(byAsn.get(s.asn), s, address, listener);
        return mask;
    }

    private static long check(List<ExceptionItem> candidates, SignIn s, IpBlock address, HitListener listener) {
        if (candidates == null) return 0;
        long mask = 0;
        for (int i = 0; i < candidates.size(); i++) {
            ExceptionItem e = candidates.get(i);
            if (e.matches(s, address)) {
                mask |= e.ruleMask;
                if (listener != null) listener.hidden(e, e.ruleMask);
            }
        }
        return mask;
    }
}
