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
 * per prefix length in use for addresses (an open-addressing table of networks, {@link NetIndex}); the lengths
 * from /16 (IPv6: /32) on are skipped when no block lies in the address's /16 (/32) network; UPNs, domains and
 * application ids in open-addressing tables too ({@link StringIndex}). With 10,000
 * exceptions a sign-in meets a handful of candidates, not 10,000. A lookup boxes nothing; it allocates the
 * sign-in's parsed address ({@link IpBlock#addressOrNull}), its UPN's domain when domain exceptions are in force,
 * and a lower-cased application id when the sign-in's has capitals.
 */
public final class ExceptionSet {
    /** What {@link #hiddenMask} reports for each exception that hid a sign-in, per rule (for the metrics). */
    public interface HitListener {
        void hidden(ExceptionItem exception, long ruleMask);
    }

    public static final ExceptionSet EMPTY = new ExceptionSet(List.of());

    /** IPv4 blocks of at least this many bits are looked up only for an address in one of their /16 networks. */
    private static final int COARSE_V4 = 16;
    /** IPv6 blocks of at least this many bits are looked up only for an address in one of their /32 networks. */
    private static final int COARSE_V6 = 32;

    private final List<ExceptionItem> items;
    /** Per family, one index per prefix length in use, shortest first: those shorter than the coarse filter's, then the others. */
    private final NetIndex[] ipv4Wide, ipv4Fine, ipv6Wide, ipv6Fine;
    /** Per family, the coarse networks of the fine indexes. */
    private final NetIndex.Coarse ipv4Coarse, ipv6Coarse;
    /** Null when no exception is filed there. */
    private final StringIndex byUser, byDomain, byApp;
    private final Map<Long, ExceptionItem[]> byAsn;

    public ExceptionSet(Collection<ExceptionItem> exceptions) {
        this.items = List.copyOf(exceptions);
        TreeMap<Integer, Map<NetIndex.Net, List<ExceptionItem>>> v4 = new TreeMap<>(), v6 = new TreeMap<>();
        Map<String, List<ExceptionItem>> users = new HashMap<>(), domains = new HashMap<>(), apps = new HashMap<>();
        Map<Long, List<ExceptionItem>> asns = new HashMap<>();
        for (ExceptionItem e : items) {
            if (e.sourceIp != null) {
                IpBlock b = e.sourceIp;
                (b.ipv6 ? v6 : v4).computeIfAbsent(b.prefix, p -> new HashMap<>())
                        .computeIfAbsent(new NetIndex.Net(b.hi, b.lo), k -> new ArrayList<>(1)).add(e);
            } else if (e.userName != null) {
                users.computeIfAbsent(e.userName, k -> new ArrayList<>(1)).add(e);
            } else if (e.userDomain != null) {
                domains.computeIfAbsent(e.userDomain, k -> new ArrayList<>(1)).add(e);
            } else if (e.appId != null) {
                apps.computeIfAbsent(e.appId, k -> new ArrayList<>(1)).add(e);
            } else {
                asns.computeIfAbsent(e.asn, k -> new ArrayList<>(1)).add(e);
            }
        }
        ipv4Wide = indexes(v4.headMap(COARSE_V4));
        ipv4Fine = indexes(v4.tailMap(COARSE_V4));
        ipv6Wide = indexes(v6.headMap(COARSE_V6));
        ipv6Fine = indexes(v6.tailMap(COARSE_V6));
        ipv4Coarse = coarse(v4.tailMap(COARSE_V4), false, COARSE_V4);
        ipv6Coarse = coarse(v6.tailMap(COARSE_V6), true, COARSE_V6);
        byUser = users.isEmpty() ? null : new StringIndex(users);
        byDomain = domains.isEmpty() ? null : new StringIndex(domains);
        byApp = apps.isEmpty() ? null : new StringIndex(apps);
        byAsn = new HashMap<>();
        asns.forEach((asn, l) -> byAsn.put(asn, l.toArray(new ExceptionItem[0])));
    }

    private static NetIndex.Coarse coarse(Map<Integer, Map<NetIndex.Net, List<ExceptionItem>>> byPrefix, boolean ipv6, int bits) {
        java.util.Set<Long> networks = new java.util.HashSet<>();
        for (Map<NetIndex.Net, List<ExceptionItem>> nets : byPrefix.values()) {
            for (NetIndex.Net n : nets.keySet()) networks.add(NetIndex.Coarse.key(ipv6, n.hi(), n.lo(), bits));
        }
        return new NetIndex.Coarse(bits, networks);
    }

    private static NetIndex[] indexes(Map<Integer, Map<NetIndex.Net, List<ExceptionItem>>> byPrefix) {
        List<NetIndex> out = new ArrayList<>();
        byPrefix.forEach((prefix, networks) -> out.add(new NetIndex(prefix, networks)));
        return out.toArray(new NetIndex[0]);
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
        if (ipv4Wide.length + ipv4Fine.length + ipv6Wide.length + ipv6Fine.length > 0 && s.ipAddress != null) {
            address = IpBlock.addressOrNull(s.ipAddress);
            if (address != null) {
                // shortest prefix first: the lengths under the coarse filter's, then (if the filter lets it) the others
                NetIndex.Coarse coarse = address.ipv6 ? ipv6Coarse : ipv4Coarse;
                for (NetIndex index : address.ipv6 ? ipv6Wide : ipv4Wide) mask |= check(index, s, address, listener);
                NetIndex[] fine = address.ipv6 ? ipv6Fine : ipv4Fine;
                if (fine.length > 0 && coarse.contains(NetIndex.Coarse.key(address.ipv6, address.hi, address.lo, coarse.bits))) {
                    for (NetIndex index : fine) mask |= check(index, s, address, listener);
                }
            }
        }
        if (s.userPrincipalName != null) {
            if (byUser != null) mask |= check(byUser.get(s.userPrincipalName), s, address, listener);
            if (byDomain != null) mask |= check(byDomain.get(ExceptionItem.domainOf(s.userPrincipalName)), s, address, listener);
        }
        if (s.appId != null && byApp != null) mask |= check(byApp.get(s.appId.toLowerCase(java.util.Locale.ROOT)), s, address, listener);
        if (s.asn != null && !byAsn.isEmpty()) mask |= check(byAsn.get(s.asn), s, address, listener);
        return mask;
    }

    private static long check(NetIndex index, SignIn s, IpBlock address, HitListener listener) {
        int p = index.prefix;
        return check(index.get(IpBlock.keyHi(address, p), IpBlock.keyLo(address, p)), s, address, listener);
    }

    private static long check(ExceptionItem[] candidates, SignIn s, IpBlock address, HitListener listener) {
        if (candidates == null) return 0;
        long mask = 0;
        for (ExceptionItem e : candidates) {
            if (e.matches(s, address)) {
                mask |= e.ruleMask;
                if (listener != null) listener.hidden(e, e.ruleMask);
            }
        }
        return mask;
    }
}
