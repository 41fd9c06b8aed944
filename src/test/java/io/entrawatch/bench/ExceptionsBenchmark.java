package io.entrawatch.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.config.JobOptions;
import io.entrawatch.detect.Detection;
import io.entrawatch.exceptions.ExceptionDocuments;
import io.entrawatch.exceptions.ExceptionItem;
import io.entrawatch.exceptions.ExceptionSet;
import io.entrawatch.exceptions.IpBlock;
import io.entrawatch.ingest.ParsedMessage;
import io.entrawatch.ingest.SignInParser;
import io.entrawatch.model.SignIn;
import io.entrawatch.pipeline.DetectionPipeline;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The exceptions part of the benchmark (a measurement, not a test): a deterministic set of valid exception
 * documents built for a generated input, and the cost of matching them ({@link ExceptionSet#hiddenMask}) per
 * sign-in. {@link Benchmark} adds the replay with and without the set.
 *
 * <p>The set ({@link #documents}) is a mix as an operator would write it: IPv4 blocks of several prefix
 * lengths, single IPv4 and IPv6 addresses, IPv6 blocks, UPNs, {@code *@domain}, application ids, AS numbers
 * and a few combinations; some scoped to a tenant, some bounded in time (covering the input, expired before it
 * or starting after it); for every rule or for one or two rule ids. A handful come first that match the input
 * (an address, an address block, a UPN, a domain, an application and an AS number taken from its sign-ins); the
 * synthetic rest is drawn so that it matches none of the sampled sign-ins, so what is hidden is known.
 *
 * <p>Standalone, for profiling the matching alone:
 * {@code ExceptionsBenchmark FILE.ndjson [--sign-ins N] [--exceptions N] [--write EXC.ndjson]}.
 */
public final class ExceptionsBenchmark {
    /** The exceptions in force in the benchmark's second replay, and the sizes the matching is timed with. */
    public static final int EXCEPTIONS = 10_000;
    public static final int[] SIZES = {0, 1_000, 10_000};
    /** The micro-measurement holds at most this many sign-ins of the file (the first ones), fields for matching only. */
    public static final int MAX_SIGN_INS = 500_000;
    /** The seed of the synthetic exceptions (the ones that match come from the input itself). */
    public static final long SEED = 20_251_114L;

    private static final ObjectMapper JSON = new ObjectMapper();

    private ExceptionsBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path file = null, write = null;
        int max = MAX_SIGN_INS, n = EXCEPTIONS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sign-ins" -> max = Integer.parseInt(args[++i]);
                case "--exceptions" -> n = Integer.parseInt(args[++i]);
                case "--write" -> write = Path.of(args[++i]);
                default -> file = Path.of(args[i]);
            }
        }
        if (file == null || !Files.isReadable(file)) {
            System.err.println("usage: ExceptionsBenchmark FILE.ndjson [--sign-ins N] [--exceptions N] [--write EXC.ndjson]");
            System.exit(2);
        }
        Sample sample = signIns(file, max);
        List<String> docs = documents(sample, n, SEED);
        List<ExceptionItem> items = validate(docs);
        if (write != null) Files.write(write, docs, StandardCharsets.UTF_8);
        System.out.println(describe(items));
        int[] sizes = Arrays.stream(SIZES).map(s -> Math.min(s, items.size())).distinct().toArray();
        System.out.printf(Locale.ROOT, "%,d sign-ins parsed, %,d of them pass the ingest gate to the exceptions%n", sample.all().size(),
                sample.gated().size());
        for (Micro m : micro(sample.all(), items, sizes, System.err)) System.out.println(m.describe());
        System.exit(0);
    }

    // ------------------------------------------------------------------ the input's sign-ins

    /**
     * Parsed sign-ins of the file: {@code all} of them, and those the ingest gate passes on to the exceptions
     * ({@code gated}: the ones some detection keeps; the others never reach the exceptions step of the job).
     */
    public record Sample(List<SignIn> all, List<SignIn> gated) {}

    /**
     * The first {@code max} sign-ins of the file as {@link SignIn}s holding only what matching reads (time,
     * tenant, UPN, address, AS number, application), so that half a million fit in a small heap.
     */
    public static Sample signIns(Path file, int max) throws IOException {
        SignInParser parser = DetectionPipeline.parser(JobOptions.defaults());
        List<Detection> detections = DetectionPipeline.detections(JobOptions.defaults());
        List<SignIn> all = new ArrayList<>(), gated = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            Benchmark.LineReader r = new Benchmark.LineReader(in, Long.MAX_VALUE);
            byte[] line;
            long offset = 0;
            while (all.size() < max && (line = r.next()) != null) {
                ParsedMessage m = parser.parse(line, "bench", 0, offset++, 0L);
                for (SignIn s : m.signIns) {
                    if (all.size() == max) break;
                    SignIn c = new SignIn();
                    c.timestamp = s.timestamp;
                    c.tenantId = s.tenantId;
                    c.userPrincipalName = s.userPrincipalName;
                    c.ipAddress = s.ipAddress;
                    c.asn = s.asn;
                    c.appId = s.appId;
                    all.add(c);
                    for (Detection d : detections) {
                        if (d.keeps(s)) {
                            gated.add(c);
                            break;
                        }
                    }
                }
            }
        }
        return new Sample(all, gated);
    }

    // ------------------------------------------------------------------ the exceptions

    /** What the input's sign-ins hold, for the exceptions that match it and those that must not. */
    private static final class Seen {
        final Map<String, Integer> ipv4 = new HashMap<>(), ipv6 = new HashMap<>(), upns = new HashMap<>(),
                domains = new HashMap<>(), apps = new HashMap<>(), tenants = new HashMap<>();
        final Map<Long, Integer> asns = new HashMap<>();
        /** The tenant of the first sign-in with a given address / UPN / application. */
        final Map<String, String> tenantOf = new HashMap<>();
        final List<IpBlock> v4 = new ArrayList<>(), v6 = new ArrayList<>();
        long first = Long.MAX_VALUE, last = Long.MIN_VALUE;

        Seen(List<SignIn> signIns) {
            Set<String> addresses = new HashSet<>();
            for (SignIn s : signIns) {
                first = Math.min(first, s.timestamp);
                last = Math.max(last, s.timestamp);
                if (s.tenantId != null) tenants.merge(s.tenantId.toLowerCase(Locale.ROOT), 1, Integer::sum);
                IpBlock a = IpBlock.addressOrNull(s.ipAddress);
                if (a != null) {
                    (a.ipv6 ? ipv6 : ipv4).merge(s.ipAddress, 1, Integer::sum);
                    if (addresses.add(s.ipAddress)) (a.ipv6 ? v6 : v4).add(a);
                    tenantOf.putIfAbsent("ip " + s.ipAddress, s.tenantId);
                }
                if (s.userPrincipalName != null && s.userPrincipalName.indexOf('@') > 0) {
                    upns.merge(s.userPrincipalName, 1, Integer::sum);
                    tenantOf.putIfAbsent("upn " + s.userPrincipalName, s.tenantId);
                    domains.merge(s.userPrincipalName.substring(s.userPrincipalName.lastIndexOf('@') + 1), 1, Integer::sum);
                }
                if (s.appId != null) {
                    String app = s.appId.toLowerCase(Locale.ROOT);
                    apps.merge(app, 1, Integer::sum);
                    tenantOf.putIfAbsent("app " + app, s.tenantId);
                }
                if (s.asn != null) asns.merge(s.asn, 1, Integer::sum);
            }
            if (first == Long.MAX_VALUE) { // no sign-ins: a day of its own
                first = Instant.parse("2025-11-14T00:00:00Z").toEpochMilli();
                last = first + 86_400_000L;
            }
        }

        /** The {@code rank}-th most frequent value (ties by value), or null when there are not that many. */
        static <K extends Comparable<K>> K ranked(Map<K, Integer> counts, int rank) {
            List<Map.Entry<K, Integer>> l = new ArrayList<>(counts.entrySet());
            l.sort(Map.Entry.<K, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
            return rank < l.size() ? l.get(rank).getKey() : null;
        }

        /** True when an IPv4 or IPv6 block contains an address of the input (such a synthetic block is drawn again). */
        boolean covers(boolean ipv6, long hi, long lo, int prefix) {
            Set<List<Long>> nets = networks.computeIfAbsent((ipv6 ? 1000 : 0) + prefix, k -> {
                Set<List<Long>> set = new HashSet<>();
                for (IpBlock a : ipv6 ? v6 : v4) {
                    long[] net = mask(a.hi, a.lo, prefix, ipv6);
                    set.add(List.of(net[0], net[1]));
                }
                return set;
            });
            return nets.contains(List.of(hi, lo));
        }

        /** (family, prefix length) -> the input's networks of that length. */
        private final Map<Integer, Set<List<Long>>> networks = new HashMap<>();
    }

    /**
     * {@code n} exception documents (one JSON object each), the same for the same sign-ins and seed: first the
     * handful that match the input (values of sign-ins the ingest gate passes on, so the job's exceptions step
     * sees them), then synthetic ones that match none of the sampled sign-ins.
     */
    public static List<String> documents(Sample sample, int n, long seed) {
        Seen seen = new Seen(sample.gated());
        Seen everything = new Seen(sample.all());
        List<String> rules = DetectionPipeline.RULES.ids();
        String sprayA = rules.get(0), rareAppB = rules.get(1), ssoC = rules.get(2), validCredsD = rules.get(3);
        List<ObjectNode> out = new ArrayList<>();
        long span = Math.max(1000, everything.last - everything.first);

        // the handful that match the input
        String office = Seen.ranked(seen.ipv4, 4);
        if (office != null) {
            out.add(match("an office egress address: many users share it", rules(sprayA)).put("source.ip", office));
        }
        String branch = Seen.ranked(seen.ipv4, 8);
        if (branch != null) {
            IpBlock a = IpBlock.addressOrNull(branch);
            out.add(match("a branch office network", List.of("*")).put("source.ip", v4Text(mask(0, a.lo, 24, false)[1]) + "/24")
                    .put("tenant", seen.tenantOf.get("ip " + branch)));
        }
        String v6 = Seen.ranked(seen.ipv6, 0);
        if (v6 != null) {
            IpBlock a = IpBlock.addressOrNull(v6);
            long[] net = mask(a.hi, a.lo, 64, true);
            out.add(match("a provider's IPv6 network", rules(rareAppB)).put("source.ip", v6Text(net[0], net[1], 64)));
        }
        String v6one = Seen.ranked(seen.ipv6, 1);
        if (v6one != null) out.add(match("one IPv6 host", rules(ssoC, validCredsD)).put("source.ip", v6one));
        String upn = Seen.ranked(seen.upns, 10);
        if (upn != null) {
            out.add(match("a test account", rules(rareAppB)).put("user.name", upn).put("tenant", seen.tenantOf.get("upn " + upn)));
        }
        String domain = Seen.ranked(seen.domains, 4);
        if (domain != null) {
            out.add(match("a migration window of a whole domain", List.of("*")).put("user.name", "*@" + domain)
                    .put("valid_from", instant(seen.first + span * 2 / 5)).put("expires", instant(seen.first + span * 3 / 5 + 1000)));
        }
        String app = Seen.ranked(seen.apps, 2);
        if (app != null) {
            out.add(match("an application under test", rules(sprayA)).put("app_id", app)
                    .put("tenant", Seen.ranked(seen.tenants, 0)));
        }
        Long asn = Seen.ranked(seen.asns, 6);
        if (asn != null) {
            out.add(match("a hosting provider during an audit", rules(validCredsD)).put("asn", asn)
                    .put("valid_from", instant(seen.first - 86_400_000L)).put("expires", instant(seen.last + 86_400_000L)));
        }
        for (int i = 0; i < out.size(); i++) out.get(i).put("id", String.format(Locale.ROOT, "bench-match-%d", i + 1));

        // the synthetic rest
        SplittableRandom rnd = new SplittableRandom(seed);
        List<String> realTenants = new ArrayList<>(seen.tenants.keySet());
        realTenants.sort(Comparator.naturalOrder());
        List<String> realDomains = new ArrayList<>(seen.domains.keySet());
        realDomains.sort(Comparator.naturalOrder());
        List<String> realApps = new ArrayList<>(seen.apps.keySet());
        realApps.sort(Comparator.naturalOrder());
        int matching = out.size();
        for (int i = matching; i < n; i++) {
            out.add(synthetic(i - matching + 1, rnd, everything, rules, realTenants, realDomains, realApps, span));
        }

        List<String> lines = new ArrayList<>(out.size());
        for (ObjectNode o : out) lines.add(inDocumentationOrder(o).toString());
        return lines;
    }

    /** The fields in the order docs/detections.md lists them (nested or dotted), nulls left out. */
    private static ObjectNode inDocumentationOrder(ObjectNode o) {
        ObjectNode sorted = JSON.createObjectNode();
        for (String f : List.of("id", "rules", "tenant", "source", "source.ip", "user", "user.name", "app_id", "asn", "valid_from",
                "expires", "comment", "created_by")) {
            if (o.hasNonNull(f)) sorted.set(f, o.get(f));
        }
        if (sorted.size() != o.size() - (o.has("tenant") && o.get("tenant").isNull() ? 1 : 0)) {
            throw new IllegalStateException("a field left out of the order: " + o);
        }
        return sorted;
    }

    private static ObjectNode match(String comment, List<String> rules) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode r = o.putArray("rules");
        rules.forEach(r::add);
        o.put("comment", comment + " (benchmark: matches the input)");
        o.put("created_by", "bench");
        return o;
    }

    private static List<String> rules(String... ids) {
        return List.of(ids);
    }

    private static final int[] V4_PREFIXES = {16, 18, 20, 22, 23, 24, 24, 24, 25, 26, 27, 28, 29, 30};
    private static final int[] V6_PREFIXES = {32, 40, 44, 48, 48, 56, 64, 64};

    /** One synthetic exception that matches no sign-in of the input; the kind and the extras drawn from {@code rnd}. */
    private static ObjectNode synthetic(int number, SplittableRandom rnd, Seen seen, List<String> ruleIds, List<String> realTenants,
            List<String> realDomains, List<String> realApps, long span) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", String.format(Locale.ROOT, "bench-%05d", number));
        ArrayNode rules = o.putArray("rules");
        double r = rnd.nextDouble();
        if (r < 0.45) {
            rules.add("*");
        } else {
            int a = rnd.nextInt(ruleIds.size());
            rules.add(ruleIds.get(a));
            if (r > 0.85) rules.add(ruleIds.get((a + 1 + rnd.nextInt(ruleIds.size() - 1)) % ruleIds.size()));
        }
        boolean nested = rnd.nextInt(10) == 0;
        double kind = rnd.nextDouble();
        String what;
        if (kind < 0.30) {
            what = "an IPv4 network";
            ip(o, v4Block(rnd, seen, V4_PREFIXES[rnd.nextInt(V4_PREFIXES.length)]), nested);
        } else if (kind < 0.50) {
            what = "an IPv4 host";
            String a = v4Block(rnd, seen, 32);
            ip(o, rnd.nextInt(8) == 0 ? a + "/32" : a, nested);
        } else if (kind < 0.54) {
            what = "an IPv6 host";
            ip(o, v6Block(rnd, seen, 128), nested);
        } else if (kind < 0.58) {
            what = "an IPv6 network";
            ip(o, v6Block(rnd, seen, V6_PREFIXES[rnd.nextInt(V6_PREFIXES.length)]), nested);
        } else if (kind < 0.73) {
            what = "a service account";
            user(o, syntheticUpn(rnd, seen, realDomains), nested);
        } else if (kind < 0.79) {
            what = "a partner domain";
            user(o, "*@" + syntheticDomain(rnd, seen), nested);
        } else if (kind < 0.89) {
            what = "an application";
            o.put("app_id", syntheticApp(rnd, seen, rnd.nextInt(4) == 0));
        } else if (kind < 0.94) {
            what = "an autonomous system";
            o.put("asn", syntheticAsn(rnd, seen, rnd.nextBoolean()));
        } else if (kind < 0.96) {
            what = "a scanner application from a network";
            ip(o, v4Block(rnd, seen, V4_PREFIXES[rnd.nextInt(V4_PREFIXES.length)]), nested);
            o.put("app_id", realApps.isEmpty() || rnd.nextBoolean() ? syntheticApp(rnd, seen, false)
                    : realApps.get(rnd.nextInt(realApps.size())));
        } else if (kind < 0.98) {
            what = "a service account of one application";
            user(o, syntheticUpn(rnd, seen, realDomains), nested);
            o.put("app_id", realApps.isEmpty() ? syntheticApp(rnd, seen, false) : realApps.get(rnd.nextInt(realApps.size())));
        } else {
            what = "a partner domain from its provider";
            user(o, "*@" + syntheticDomain(rnd, seen), nested);
            o.put("asn", syntheticAsn(rnd, seen, false));
        }
        double t = rnd.nextDouble();
        if (t < 0.25) {
            o.put("tenant", realTenants.isEmpty() || t < 0.08 ? uuid(rnd) : realTenants.get(rnd.nextInt(realTenants.size())));
        } else if (t < 0.30) {
            o.put("tenant", "*");
        }
        double v = rnd.nextDouble();
        long day = 86_400_000L;
        if (v < 0.10) { // in force over the whole input
            o.put("valid_from", instant(seen.first - (1 + rnd.nextInt(30)) * day));
            o.put("expires", instant(seen.last + (1 + rnd.nextInt(90)) * day));
        } else if (v < 0.14) { // expired before it
            long from = seen.first - (30 + rnd.nextInt(300)) * day;
            o.put("valid_from", instant(from));
            o.put("expires", instant(from + (1 + rnd.nextInt(20)) * day));
        } else if (v < 0.18) { // starts after it
            long from = seen.last + (1 + rnd.nextInt(30)) * day;
            o.put("valid_from", instant(from));
            if (rnd.nextBoolean()) o.put("expires", instant(from + (1 + rnd.nextInt(60)) * day));
        } else if (v < 0.20) { // only an end, after the input
            o.put("expires", offsetInstant(seen.last + (1 + rnd.nextInt(60)) * day, rnd));
        } else if (v < 0.22) { // within the input: a maintenance window of an hour
            long from = seen.first + (long) (rnd.nextDouble() * span);
            o.put("valid_from", instant(from));
            o.put("expires", instant(from + 3_600_000L));
        }
        o.put("comment", what + " (benchmark: synthetic)");
        if (rnd.nextBoolean()) o.put("created_by", "analyst" + rnd.nextInt(12) + "@soc.example");
        return o;
    }

    private static void ip(ObjectNode o, String block, boolean nested) {
        if (nested) o.putObject("source").put("ip", block);
        else o.put("source.ip", block);
    }

    private static void user(ObjectNode o, String user, boolean nested) {
        if (nested) o.putObject("user").put("name", user);
        else o.put("user.name", user);
    }

    private static String v4Block(SplittableRandom rnd, Seen seen, int prefix) {
        while (true) {
            long a = rnd.nextLong(1L << 32);
            if ((a >>> 24) == 0 || (a >>> 24) >= 224) continue; // 0/8, multicast and reserved
            long net = mask(0, a, prefix, false)[1];
            if (seen.covers(false, 0, net, prefix)) continue;
            return prefix == 32 ? v4Text(net) : v4Text(net) + "/" + prefix;
        }
    }

    private static String v6Block(SplittableRandom rnd, Seen seen, int prefix) {
        while (true) {
            long hi = 0x2000_0000_0000_0000L | (rnd.nextLong() & 0x1FFF_FFFF_FFFF_FFFFL); // 2000::/3, global unicast
            long lo = rnd.nextLong();
            long[] net = mask(hi, lo, prefix, true);
            if (seen.covers(true, net[0], net[1], prefix)) continue;
            return v6Text(net[0], net[1], prefix);
        }
    }

    private static final String[] SERVICES = {"svc-scanner", "svc-backup", "svc-sync", "svc-monitor", "svc-build", "test-user",
            "breakglass", "svc-printer", "svc-hr-import", "qa-automation"};

    private static String syntheticUpn(SplittableRandom rnd, Seen seen, List<String> realDomains) {
        while (true) {
            String domain = realDomains.isEmpty() || rnd.nextInt(3) == 0 ? syntheticDomain(rnd, seen)
                    : realDomains.get(rnd.nextInt(realDomains.size()));
            String upn = SERVICES[rnd.nextInt(SERVICES.length)] + "-" + rnd.nextInt(100_000) + "@" + domain;
            if (!seen.upns.containsKey(upn)) return rnd.nextInt(5) == 0 ? upn.toUpperCase(Locale.ROOT) : upn;
        }
    }

    private static String syntheticDomain(SplittableRandom rnd, Seen seen) {
        String[] tlds = {"com", "de", "co.uk", "org", "net", "fr", "onmicrosoft.com"};
        while (true) {
            String d = "partner" + rnd.nextInt(1_000_000) + "." + tlds[rnd.nextInt(tlds.length)];
            if (!seen.domains.containsKey(d)) return d;
        }
    }

    private static String syntheticApp(SplittableRandom rnd, Seen seen, boolean upperCase) {
        while (true) {
            String id = uuid(rnd);
            if (!seen.apps.containsKey(id)) return upperCase ? id.toUpperCase(Locale.ROOT) : id;
        }
    }

    /** An AS number the input does not hold; as a JSON number or (sometimes) a string of digits. */
    private static com.fasterxml.jackson.databind.JsonNode syntheticAsn(SplittableRandom rnd, Seen seen, boolean privateRange) {
        while (true) {
            long asn = privateRange ? 64_512 + rnd.nextInt(1023) : 1 + rnd.nextInt(399_999);
            if (seen.asns.containsKey(asn)) continue;
            return rnd.nextInt(6) == 0 ? JSON.getNodeFactory().textNode(Long.toString(asn)) : JSON.getNodeFactory().numberNode(asn);
        }
    }

    private static String uuid(SplittableRandom rnd) {
        return new java.util.UUID(rnd.nextLong(), rnd.nextLong()).toString();
    }

    private static String instant(long millis) {
        return Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The same instant written with an offset of whole hours (ISO-8601 allows either). */
    private static String offsetInstant(long millis, SplittableRandom rnd) {
        int hours = rnd.nextInt(-5, 6);
        return java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.ofHours(hours)));
    }

    /** {hi, lo} of an address's first {@code prefix} bits. */
    private static long[] mask(long hi, long lo, int prefix, boolean ipv6) {
        if (!ipv6) return new long[] {0, prefix == 0 ? 0 : lo & ((-1L << (32 - prefix)) & 0xFFFFFFFFL)};
        long h = prefix >= 64 ? hi : prefix == 0 ? 0 : hi & (-1L << (64 - prefix));
        long l = prefix <= 64 ? 0 : prefix == 128 ? lo : lo & (-1L << (128 - prefix));
        return new long[] {h, l};
    }

    private static String v4Text(long a) {
        return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }

    /** Hex groups without leading zeros; a network's zero tail written as "::". */
    private static String v6Text(long hi, long lo, int prefix) {
        int[] g = new int[8];
        for (int k = 0; k < 4; k++) {
            g[k] = (int) ((hi >>> (48 - 16 * k)) & 0xFFFF);
            g[k + 4] = (int) ((lo >>> (48 - 16 * k)) & 0xFFFF);
        }
        int end = 8;
        if (prefix < 128) while (end > 0 && g[end - 1] == 0) end--;
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < end; k++) {
            if (k > 0) b.append(':');
            b.append(Integer.toHexString(g[k]));
        }
        if (end < 8) b.append(end == 0 ? "::" : end <= 6 ? "::" : ":0");
        return prefix == 128 ? b.toString() : b + "/" + prefix;
    }

    /**
     * Validates the documents as the job does ({@link ExceptionDocuments#validate} with the pipeline's rules) and
     * fails loudly unless every one is valid: the benchmark would otherwise measure fewer exceptions than it says.
     */
    public static List<ExceptionItem> validate(List<String> documents) {
        List<ExceptionDocuments.Document> docs = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) docs.add(new ExceptionDocuments.Document("exception " + (i + 1), documents.get(i)));
        ExceptionDocuments.Validated v = ExceptionDocuments.validate(docs, DetectionPipeline.RULES.parser());
        if (!v.problems().isEmpty() || v.valid().size() != documents.size()) {
            throw new IllegalStateException("the benchmark's exceptions are not all valid (" + v.problems().size() + " invalid):\n  "
                    + String.join("\n  ", v.problems().subList(0, Math.min(20, v.problems().size()))));
        }
        return v.valid();
    }

    /** One line on the set: how many of each kind. */
    public static String describe(List<ExceptionItem> items) {
        int v4 = 0, v4host = 0, v6 = 0, v6host = 0, upn = 0, domain = 0, app = 0, asn = 0, tenant = 0, timed = 0, all = 0, matching = 0;
        for (ExceptionItem e : items) {
            if (e.sourceIp != null) {
                if (e.sourceIp.ipv6) {
                    if (e.sourceIp.prefix == 128) v6host++;
                    else v6++;
                } else if (e.sourceIp.prefix == 32) v4host++;
                else v4++;
            } else if (e.userName != null) upn++;
            else if (e.userDomain != null) domain++;
            else if (e.appId != null) app++;
            else asn++;
            if (e.tenant != null) tenant++;
            if (e.validFrom != null || e.expires != null) timed++;
            if (e.rules.equals(List.of("*"))) all++;
            if (e.id.startsWith("bench-match-")) matching++;
        }
        return String.format(Locale.ROOT, "%,d exceptions filed by their most selective field: %,d IPv4 blocks, %,d IPv4 hosts, "
                + "%,d IPv6 blocks, %,d IPv6 hosts, %,d UPNs, %,d *@domain, %,d app ids, %,d ASNs; %,d scoped to a tenant, "
                + "%,d bounded in time, %,d for every rule; %d taken from the input", items.size(), v4, v4host, v6, v6host, upn,
                domain, app, asn, tenant, timed, all, matching);
    }

    // ------------------------------------------------------------------ the cost of matching

    /** The matching cost with {@code exceptions} in force. */
    public record Micro(int exceptions, int signIns, double nsPerSignIn, double medianNsPerSignIn, double[] roundsNs,
            double wallNsPerSignIn, long hiddenSignIns, int exceptionsThatHid) {
        String describe() {
            return String.format(Locale.ROOT, "hiddenMask with %,6d exceptions: %,8.1f ns CPU per sign-in (fastest of %d passes over %,d "
                    + "sign-ins; median %,.1f ns; wall %,.1f ns; %,d hidden, by %d exceptions)", exceptions, nsPerSignIn, roundsNs.length,
                    signIns, medianNsPerSignIn, wallNsPerSignIn, hiddenSignIns, exceptionsThatHid);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("exceptions", exceptions);
            m.put("signIns", signIns);
            m.put("nsPerSignIn", Math.round(nsPerSignIn * 10) / 10.0);
            m.put("medianNsPerSignIn", Math.round(medianNsPerSignIn * 10) / 10.0);
            m.put("passesNsPerSignIn", Arrays.stream(roundsNs).map(x -> Math.round(x * 10) / 10.0).toArray());
            m.put("wallNsPerSignIn", Math.round(wallNsPerSignIn * 10) / 10.0);
            m.put("signInsHidden", hiddenSignIns);
            m.put("exceptionsThatHid", exceptionsThatHid);
            return m;
        }
    }

    /** Counts what the exceptions report, as the job's listener would (HiddenCounters counts per exception). */
    private static final class CountingListener implements ExceptionSet.HitListener {
        long hits;

        @Override
        public void hidden(ExceptionItem exception, long ruleMask) {
            hits++;
        }
    }

    static volatile long sink;

    /**
     * ns per sign-in of {@link ExceptionSet#hiddenMask} over {@code signIns}, with the first {@code sizes[k]} of
     * {@code items} in force: every set warmed up first (passes over all sign-ins, the sets alternating), then
     * timed passes alternating the sets; the fastest pass counts (the one least disturbed by other work on the
     * machine), in CPU time of the measuring thread; the median pass and wall time are kept too.
     */
    public static List<Micro> micro(List<SignIn> signIns, List<ExceptionItem> items, int[] sizes, PrintStream progress) {
        SignIn[] s = signIns.toArray(new SignIn[0]);
        ExceptionSet[] sets = new ExceptionSet[sizes.length];
        for (int k = 0; k < sizes.length; k++) sets[k] = new ExceptionSet(items.subList(0, sizes[k]));
        CountingListener listener = new CountingListener();
        // passes of at least ~5 million calls in all, and at least 3 timed ones
        int passes = Math.max(3, Math.min(15, 5_000_000 / Math.max(1, s.length)));
        long warmUntil = System.nanoTime() + 5_000_000_000L;
        int warm = 0;
        while (warm < 3 || System.nanoTime() < warmUntil) {
            for (ExceptionSet set : sets) pass(set, s, listener);
            warm++;
        }
        // CPU time of this thread: on a machine shared with other work, wall time also counts the time it waits for a core
        var bean = java.lang.management.ManagementFactory.getThreadMXBean();
        double[][] ns = new double[sizes.length][passes];
        double[][] wall = new double[sizes.length][passes];
        for (int p = 0; p < passes; p++) {
            for (int k = 0; k < sets.length; k++) {
                long c0 = bean.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                pass(sets[k], s, listener);
                long t1 = System.nanoTime(), c1 = bean.getCurrentThreadCpuTime();
                ns[k][p] = (c1 - c0) / (double) Math.max(1, s.length);
                wall[k][p] = (t1 - t0) / (double) Math.max(1, s.length);
            }
        }
        List<Micro> out = new ArrayList<>();
        for (int k = 0; k < sets.length; k++) {
            long hidden = 0;
            Map<ExceptionItem, Boolean> hid = new IdentityHashMap<>();
            for (SignIn x : s) {
                if (sets[k].hiddenMask(x, (e, m) -> hid.put(e, true)) != 0) hidden++;
            }
            Micro m = new Micro(sizes[k], s.length, min(ns[k]), median(ns[k]), ns[k], min(wall[k]), hidden, hid.size());
            if (progress != null) progress.println("bench: exceptions: " + m.describe());
            out.add(m);
        }
        return out;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void pass(ExceptionSet set, SignIn[] signIns, CountingListener listener) {
        long acc = 0;
        for (SignIn x : signIns) acc += set.hiddenMask(x, listener);
        sink += acc;
    }
}
