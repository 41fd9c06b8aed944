package io.entrawatch.exceptions;

import io.entrawatch.model.SignIn;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The index of {@link ExceptionSet} finds what comparing a sign-in with every exception finds
 * (docs/detections.md section 9, "Matching"): the same rules hidden, and each matching exception reported once.
 * Exceptions and sign-ins are drawn from small pools so that they meet often: address blocks of every prefix
 * length (around the coarse filter's /16 and /32 too), IPv4-mapped IPv6 addresses, UPNs and domains in mixed
 * case, application ids, AS numbers, tenants and time bounds.
 */
class ExceptionSetIndexTest {
    private static final List<String> RULES = List.of("rule-a", "rule-b", "rule-c", "rule-d");
    private static final ExceptionParser PARSER = new ExceptionParser(RULES);
    private static final long T0 = Instant.parse("2025-11-14T00:00:00Z").toEpochMilli();
    private static final String[] TENANTS = {"t-one", "T-Two", "t-three"};
    private static final String[] USERS = {"ann", "bob", "Cid", "dee"};
    private static final String[] DOMAINS = {"contoso.com", "Fabrikam.com", "sub.contoso.com", "x.example"};
    private static final String[] APPS = {"app-1", "APP-2", "app-3"};
    private static final long[] ASNS = {8075, 3320, 64512};

    @Test
    void indexFindsWhatEveryExceptionComparedFinds() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int set = 0; set < 20; set++) {
            int n = set == 0 ? 0 : 1 + rnd.nextInt(set < 10 ? 30 : 600);
            List<ExceptionItem> items = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ExceptionParser.Result r = PARSER.parse(exception(rnd, "e" + i));
                assertTrue(r.valid(), () -> r.problem());
                items.add(r.item);
            }
            ExceptionSet index = new ExceptionSet(items);
            for (int k = 0; k < 20_000; k++) {
                SignIn s = signIn(rnd);
                Map<String, Long> found = new TreeMap<>();
                long mask = index.hiddenMask(s, (e, m) -> assertEquals(null, found.put(e.id, m), "reported twice: " + e.id));
                Map<String, Long> expected = new TreeMap<>();
                long expectedMask = 0;
                IpBlock address = IpBlock.addressOrNull(s.ipAddress);
                for (ExceptionItem e : items) {
                    if (e.matches(s, address)) {
                        expected.put(e.id, e.ruleMask);
                        expectedMask |= e.ruleMask;
                    }
                }
                assertEquals(expected, found, s::toString);
                assertEquals(expectedMask, mask, s::toString);
            }
        }
    }

    private static String exception(SplittableRandom rnd, String id) {
        StringBuilder b = new StringBuilder("{\"id\":\"").append(id).append("\",\"rules\":");
        b.append(rnd.nextInt(3) == 0 ? "[\"*\"]" : "[\"" + RULES.get(rnd.nextInt(RULES.size())) + "\"]");
        if (rnd.nextInt(3) == 0) b.append(",\"tenant\":\"").append(TENANTS[rnd.nextInt(TENANTS.length)]).append('"');
        boolean any = false;
        if (rnd.nextInt(2) == 0) {
            b.append(",\"source.ip\":\"").append(block(rnd)).append('"');
            any = true;
        }
        if (rnd.nextInt(3) == 0) {
            String domain = DOMAINS[rnd.nextInt(DOMAINS.length)];
            b.append(",\"user.name\":\"").append(rnd.nextBoolean() ? "*@" + domain : USERS[rnd.nextInt(USERS.length)] + "@" + domain).append('"');
            any = true;
        }
        if (rnd.nextInt(4) == 0) {
            b.append(",\"app_id\":\"").append(APPS[rnd.nextInt(APPS.length)]).append('"');
            any = true;
        }
        if (!any || rnd.nextInt(5) == 0) b.append(",\"asn\":").append(ASNS[rnd.nextInt(ASNS.length)]);
        if (rnd.nextInt(4) == 0) {
            long from = T0 + rnd.nextInt(24) * 3_600_000L;
            b.append(",\"valid_from\":\"").append(Instant.ofEpochMilli(from)).append("\",\"expires\":\"")
                    .append(Instant.ofEpochMilli(from + (1 + rnd.nextInt(12)) * 3_600_000L)).append('"');
        }
        return b.append(",\"comment\":\"test\"}").toString();
    }

    /** A block around one of the pool's addresses, of any prefix length. */
    private static String block(SplittableRandom rnd) {
        String address = address(rnd, false);
        boolean ipv6 = address.indexOf(':') >= 0;
        int max = ipv6 ? 128 : 32;
        int prefix = rnd.nextInt(4) == 0 ? max : rnd.nextInt(max + 1);
        IpBlock a = IpBlock.addressOrNull(address);
        // the network of that prefix, written out by the parser itself
        IpBlock full = IpBlock.parse(a.text());
        String net = networkText(full, prefix);
        return prefix == max && rnd.nextBoolean() ? net.substring(0, net.indexOf('/')) : net;
    }

    private static String networkText(IpBlock a, int prefix) {
        if (!a.ipv6) {
            long m = prefix == 0 ? 0 : a.lo & ((-1L << (32 - prefix)) & 0xFFFFFFFFL);
            return ((m >>> 24) & 255) + "." + ((m >>> 16) & 255) + "." + ((m >>> 8) & 255) + "." + (m & 255) + "/" + prefix;
        }
        long hi = prefix >= 64 ? a.hi : prefix == 0 ? 0 : a.hi & (-1L << (64 - prefix));
        long lo = prefix <= 64 ? 0 : prefix == 128 ? a.lo : a.lo & (-1L << (128 - prefix));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            long word = i < 4 ? hi : lo;
            if (i > 0) b.append(':');
            b.append(Long.toHexString((word >>> (48 - 16 * (i % 4))) & 0xFFFF));
        }
        return b.append('/').append(prefix).toString();
    }

    /** Addresses that share their first 8, 16, 24 (IPv4) or 32, 48, 64 (IPv6) bits with others of the pool. */
    private static String address(SplittableRandom rnd, boolean signIn) {
        int kind = rnd.nextInt(signIn ? 12 : 10);
        return switch (kind) {
            case 0, 1, 2 -> "10." + rnd.nextInt(2) + "." + rnd.nextInt(3) + "." + rnd.nextInt(4);
            case 3, 4 -> "10." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256);
            case 5 -> rnd.nextInt(256) + "." + rnd.nextInt(256) + ".1.1";
            case 6, 7 -> "2001:db8:" + Integer.toHexString(rnd.nextInt(2)) + ":" + Integer.toHexString(rnd.nextInt(3)) + "::"
                    + Integer.toHexString(rnd.nextInt(4));
            case 8 -> Integer.toHexString(0x2000 + rnd.nextInt(4)) + ":" + Integer.toHexString(rnd.nextInt(0x10000)) + "::1";
            case 9 -> "::ffff:10.0." + rnd.nextInt(3) + "." + rnd.nextInt(4); // IPv4-mapped: IPv6, never an IPv4 block
            case 10 -> "2001:DB8:0:1:0:0:0:" + rnd.nextInt(4); // upper case, not compressed
            default -> new String[] {"", "not-an-address", "10.0.0.01", "10.0.0.1/32", "fe80::1%eth0"}[rnd.nextInt(5)];
        };
    }

    private static SignIn signIn(SplittableRandom rnd) {
        SignIn s = new SignIn();
        s.timestamp = T0 - 3_600_000L + rnd.nextInt(27) * 3_600_000L + rnd.nextInt(3_600_000);
        s.tenantId = rnd.nextInt(10) == 0 ? null : TENANTS[rnd.nextInt(TENANTS.length)];
        if (rnd.nextInt(6) != 0) s.ipAddress = address(rnd, true);
        if (rnd.nextInt(6) != 0) {
            String upn = USERS[rnd.nextInt(USERS.length)] + "@" + DOMAINS[rnd.nextInt(DOMAINS.length)];
            s.userPrincipalName = rnd.nextInt(8) == 0 ? upn : upn.toLowerCase(java.util.Locale.ROOT); // the parser lower-cases
        }
        if (rnd.nextInt(5) != 0) s.appId = APPS[rnd.nextInt(APPS.length)];
        if (rnd.nextInt(4) != 0) s.asn = ASNS[rnd.nextInt(ASNS.length)];
        return s;
    }
}
