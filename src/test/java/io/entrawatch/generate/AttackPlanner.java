package io.entrawatch.generate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Builds the planted attacks (all their records, up front: a few hundred) and their ground truth.
 *
 * <p>Each plant gets its own aligned UTC hour ("slot"), spread over the run, in a tenant drawn from
 * the seed. Background traffic of that tenant in that hour is kept free of anything a detection
 * counts (no FAILURE_CODES failures, no 81xxx results), so a plant is never inflated by chance.
 */
final class AttackPlanner {
    static final long SECOND = Json.TICKS_PER_SECOND;
    static final long MINUTE = 60 * SECOND;
    static final long HOUR = 60 * MINUTE;

    private static final String[] SPRAY_AGENTS = {
        "python-requests/2.31.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "BAV2ROPC",
        "axios/1.7.7",
        "Go-http-client/1.1",
        null,
    };

    record Plan(List<Rec> records, List<PlantedAttack> attacks, Set<Long> reserved) {}

    static long reserveKey(int tenantIndex, long epochHour) {
        return ((long) tenantIndex << 40) ^ epochHour;
    }

    static long ticks(Instant i) {
        return i.getEpochSecond() * SECOND + i.getNano() / 100;
    }

    static Instant instant(long ticks) {
        return Instant.ofEpochSecond(Math.floorDiv(ticks, SECOND), Math.floorMod(ticks, SECOND) * 100);
    }

    private final GeneratorConfig cfg;
    private final World world;
    /** The plants' random stream; detection D's plants draw from their own (see {@link #run}). */
    private SplittableRandom r;
    private final List<Rec> records = new ArrayList<>();
    private final List<PlantedAttack> attacks = new ArrayList<>();
    private final Set<Long> reserved = new HashSet<>();
    private final Map<Integer, Set<Integer>> usedUsers = new HashMap<>();
    private final Set<String> usedIps = new HashSet<>();

    private AttackPlanner(GeneratorConfig cfg, World world) {
        this.cfg = cfg;
        this.world = world;
        this.r = new SplittableRandom(cfg.seed() ^ 0x7A11AC4E5L);
    }

    static Plan plan(GeneratorConfig cfg, World world) {
        AttackPlanner p = new AttackPlanner(cfg, world);
        p.run();
        p.records.sort(Comparator.comparingLong((Rec x) -> x.eventTicks).thenComparingLong(x -> x.seq));
        return new Plan(List.copyOf(p.records), List.copyOf(p.attacks), Set.copyOf(p.reserved));
    }

    private void run() {
        List<AttackKind> kinds = new ArrayList<>(cfg.attacks().isEmpty() ? Set.of() : EnumSet.copyOf(cfg.attacks()));
        // D's plants are placed after the others, from a random stream of their own: adding them leaves
        // every A-C plant (hour, tenant, users, times) as it was.
        List<AttackKind> dKinds = kinds.stream().filter(k -> k.detection() == 'D').collect(java.util.stream.Collectors.toList());
        kinds.removeAll(dKinds);
        if (kinds.isEmpty() && dKinds.isEmpty()) return;
        long startT = ticks(cfg.start());
        long endT = ticks(cfg.end());
        long firstHour = Math.floorDiv(startT + HOUR - 1, HOUR);
        long hours = Math.floorDiv(endT, HOUR) - firstHour;
        if (hours < Math.max(kinds.size(), dKinds.size())) {
            throw new IllegalArgumentException("the run spans " + Math.max(0, hours) + " whole UTC hours but "
                    + Math.max(kinds.size(), dKinds.size()) + " attacks are planted, one hour each: lengthen the duration or plant"
                    + " fewer attacks");
        }
        shuffle(kinds); // which plant goes where
        for (int i = 0; i < kinds.size(); i++) {
            long hour = firstHour + (long) Math.floor((i + 0.5) * hours / kinds.size());
            World.Tenant t = world.tenants[r.nextInt(world.tenants.length)];
            reserved.add(reserveKey(t.index, hour));
            plant(kinds.get(i), t, hour * HOUR);
        }
        if (!dKinds.isEmpty()) {
            // D keys on the address: its plants use addresses of their own and need no quiet tenant-hour.
            r = new SplittableRandom(cfg.seed() ^ 0xD5A11DC2EDL);
            shuffle(dKinds);
            for (int i = 0; i < dKinds.size(); i++) {
                long hour = firstHour + (long) Math.floor((i + 0.5) * hours / dKinds.size());
                World.Tenant t = world.tenants[r.nextInt(world.tenants.length)];
                plant(dKinds.get(i), t, hour * HOUR);
            }
        }
        attacks.sort(Comparator.comparing(PlantedAttack::windowStart).thenComparing(a -> a.kind().ordinal()));
        // Re-number in time order and point records at their plant.
        Map<PlantedAttack, Integer> newIndex = new HashMap<>();
        List<PlantedAttack> renumbered = new ArrayList<>();
        for (int i = 0; i < attacks.size(); i++) {
            PlantedAttack a = attacks.get(i);
            newIndex.put(a, i);
            renumbered.add(new PlantedAttack(i, a.kind(), a.alertExpected(), a.tenantId(), a.windowStart(), a.windowEnd(),
                    a.errorCode(), a.users(), a.upnsAsWritten(), a.ips(), a.asns(), a.appId(), a.appDisplayName(),
                    a.records(), a.description()));
        }
        List<PlantedAttack> old = new ArrayList<>(attacks);
        for (Rec rec : records) rec.plantIndex = newIndex.get(oldByIndex(old, rec.plantIndex));
        attacks.clear();
        attacks.addAll(renumbered);
    }

    /** Seeded Fisher-Yates shuffle with the plants' random stream. */
    private void shuffle(List<AttackKind> kinds) {
        for (int i = kinds.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            AttackKind tmp = kinds.get(i);
            kinds.set(i, kinds.get(j));
            kinds.set(j, tmp);
        }
    }

    private static PlantedAttack oldByIndex(List<PlantedAttack> list, int idx) {
        for (PlantedAttack a : list) if (a.index() == idx) return a;
        throw new IllegalStateException("no plant " + idx);
    }

    private void plant(AttackKind kind, World.Tenant t, long hourStart) {
        int idx = attacks.size();
        switch (kind) {
            case SPRAY -> spray(kind, idx, t, hourStart, 30 + r.nextInt(16), 50126, World.ATTACKER, false, World.ATTACK_APPS[0], 0.3,
                    "password spray against %d users (error %d) from %d hosting IPs in one 10-minute window; some users"
                            + " are tried again with other-case UPNs. Must raise A.");
            case SPRAY_29 -> spray(kind, idx, t, hourStart, 29, 50126, World.ATTACKER, false, World.ATTACK_APPS[1], 0.45,
                    "near miss: %d distinct users (error %d) from %d IPs in one window; 12 are also tried with other-case"
                            + " UPNs, so 41 distinct strings appear. Must NOT raise A.");
            case SPRAY_SPLIT -> splitSpray(kind, idx, t, hourStart);
            case SPRAY_MICROSOFT_ASN -> spray(kind, idx, t, hourStart, 40, 50126, new World.Isp[] {World.ATTACKER_AZURE}, false,
                    World.ATTACK_APPS[3], 0.1,
                    "near miss: spray of %d users (error %d) from %d Azure IPs of ASN 8075 (MICROSOFT-CORP-MSN-AS-BLOCK, excluded)."
                            + " Must NOT raise A (nor B).");
            case SPRAY_NO_ASN -> spray(kind, idx, t, hourStart, 35, 50053, World.ATTACKER, true, World.ATTACK_APPS[4], 0.2,
                    "spray of %d users (error %d) from %d IPs whose records carry no autonomousSystemNumber: unknown AS"
                            + " organisation is kept. Must raise A.");
            case RARE_APP -> rareApp(kind, idx, t, hourStart, 1 + r.nextInt(3), World.ATTACK_APPS[5]);
            case RARE_APP_4 -> rareApp(kind, idx, t, hourStart, 4, World.ATTACK_APPS[6]);
            case SSO_SPRAY -> ssoSpray(kind, idx, t, hourStart, 6 + r.nextInt(5), 3);
            case SSO_SPRAY_5 -> ssoSpray(kind, idx, t, hourStart, 5, 2);
            case VALID_CREDS, VALID_CREDS_4, VALID_CREDS_EQUAL, VALID_CREDS_REACH -> validCredentials(kind, idx, t, hourStart);
        }
    }

    // ------------------------------------------------------------------ kinds

    private void spray(AttackKind kind, int idx, World.Tenant t, long hourStart, int userCount, int code, World.Isp[] isps,
            boolean omitAsn, World.App app, double recaseFraction, String descr) {
        long window = hourStart + 10 * MINUTE * (1 + r.nextInt(4));
        List<World.User> users = pickUsers(t, userCount, kind);
        List<World.Ip> ips = attackerIps(3 + r.nextInt(3), isps);
        String ua = SPRAY_AGENTS[r.nextInt(SPRAY_AGENTS.length)];
        List<Rec> made = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            World.User u = users.get(i);
            made.add(sprayRec(t, u, u.upnStored, app, ips.get(r.nextInt(ips.size())), omitAsn, code, ua,
                    window + SECOND + r.nextLong(10 * MINUTE - 2 * SECOND)));
            boolean recase = kind == AttackKind.SPRAY_29 ? i < 12 : r.nextDouble() < recaseFraction;
            if (recase) {
                made.add(sprayRec(t, u, caseVariant(u.upnStored, i), app, ips.get(r.nextInt(ips.size())), omitAsn, code, ua,
                        window + SECOND + r.nextLong(10 * MINUTE - 2 * SECOND)));
            }
        }
        finish(kind, idx, t, window, window + 10 * MINUTE, code, made, ips, omitAsn, app,
                String.format(Locale.ROOT, descr, userCount, code, ips.size()));
    }

    private void splitSpray(AttackKind kind, int idx, World.Tenant t, long hourStart) {
        long boundary = hourStart + 30 * MINUTE;
        List<World.User> users = pickUsers(t, 50, kind);
        List<World.Ip> ips = attackerIps(4, World.ATTACKER);
        World.App app = World.ATTACK_APPS[2];
        String ua = SPRAY_AGENTS[r.nextInt(SPRAY_AGENTS.length)];
        List<Rec> made = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            long at = i < 25 ? boundary - 5 * MINUTE + r.nextLong(5 * MINUTE - SECOND) : boundary + r.nextLong(5 * MINUTE - SECOND);
            made.add(sprayRec(t, users.get(i), users.get(i).upnStored, app, ips.get(r.nextInt(ips.size())), false, 50126, ua, at));
        }
        finish(kind, idx, t, boundary - 10 * MINUTE, boundary + 10 * MINUTE, 50126, made, ips, false, app,
                "near miss: 50 users (error 50126) sprayed within 5 minutes either side of a 10-minute boundary ("
                        + instant(boundary) + "): 25 distinct users in each window. Must NOT raise A.");
    }

    private void rareApp(AttackKind kind, int idx, World.Tenant t, long hourStart, int failures, World.App app) {
        World.User u = pickUsers(t, 1, kind).get(0);
        List<World.Ip> ips = attackerIps(1, World.ATTACKER);
        boolean interactive = r.nextBoolean();
        int code = failures == 4 ? 50126 : ErrorCatalog.FAILURE_CODES[r.nextInt(ErrorCatalog.FAILURE_CODES.length)];
        List<Rec> made = new ArrayList<>();
        for (int i = 0; i < failures; i++) {
            Rec rec = baseRec(interactive ? Rec.SIGN_IN : Rec.NON_INTERACTIVE, t, u, u.upnStored, app, ips.get(0), false, code,
                    hourStart + MINUTE + r.nextLong(57 * MINUTE));
            rec.interactive = interactive;
            rec.userAgent = interactive ? u.devices[0].userAgent : SPRAY_AGENTS[0];
            rec.clientAppUsed = interactive ? "Browser" : app.clientAppUsed;
            made.add(rec);
        }
        String descr = failures <= 3
                ? failures + " failure(s) (error " + code + ") of one user on " + app.name + ", an app nobody used before."
                        + " Must raise B at the end of the hour, failedCount " + failures + "."
                : "near miss: 4 failures (error 50126) of one user on " + app.name + ", a new app, all in one hour."
                        + " Must NOT raise B (failedCount 4 > 3).";
        finish(kind, idx, t, hourStart, hourStart + HOUR, code, made, ips, false, app, descr);
    }

    private void ssoSpray(AttackKind kind, int idx, World.Tenant t, long hourStart, int accounts, int ipCount) {
        List<World.User> users = pickUsers(t, accounts, kind);
        List<World.Ip> ips = attackerIps(ipCount, World.ATTACKER);
        World.App app = World.ATTACK_APPS[7];
        List<Rec> made = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            World.User u = users.get(i);
            int attempts = 1 + r.nextInt(3);
            for (int a = 0; a < attempts; a++) {
                String upn = a == 1 && i < 2 ? caseVariant(u.upnStored, i) : u.upnStored;
                Rec rec = baseRec(Rec.NON_INTERACTIVE, t, u, upn, app, ips.get((i + a) % ips.size()), false, 81016,
                        hourStart + MINUTE + r.nextLong(57 * MINUTE));
                rec.userAgent = a == 2 ? null : SPRAY_AGENTS[1];
                made.add(rec);
            }
        }
        // The same addresses in SignInLogs: a success (the spray found a password) and, for the positive
        // case, an MFA interrupt from a second address.
        World.User hit = users.get(0);
        World.App portal = World.BACKGROUND_APPS[6];
        Rec ok = baseRec(Rec.SIGN_IN, t, hit, hit.upnStored, portal, ips.get(0), false, 0, hourStart + MINUTE + r.nextLong(57 * MINUTE));
        ok.interactive = true;
        ok.userAgent = SPRAY_AGENTS[1];
        ok.clientAppUsed = "Browser";
        made.add(ok);
        if (kind == AttackKind.SSO_SPRAY) {
            World.User second = users.get(1);
            Rec mfa = baseRec(Rec.SIGN_IN, t, second, second.upnStored, portal, ips.get(1), false, 50074,
                    hourStart + MINUTE + r.nextLong(57 * MINUTE));
            mfa.interactive = true;
            mfa.userAgent = SPRAY_AGENTS[1];
            mfa.clientAppUsed = "Browser";
            made.add(mfa);
        }
        String descr = kind == AttackKind.SSO_SPRAY
                ? "Seamless SSO spray: 81016 for " + accounts + " accounts from " + ipCount + " IPs in one hour; two of the IPs"
                        + " also in SignInLogs (a success and an MFA interrupt). Must raise C for every IP and table seen."
                : "near miss: 81016 for exactly 5 accounts (two also with other-case UPNs) from " + ipCount
                        + " IPs, one IP also with a SignInLogs success. Must NOT raise C.";
        finish(kind, idx, t, hourStart, hourStart + HOUR, 81016, made, ips, false, app, descr);
    }

    /**
     * A spray from one address of its own: each sprayed user fails 4 times (50126, interactive, one app,
     * all in one 10-minute window w; 4 failures of a pair in one hour raise no B), then valid passwords
     * from the same address, as the kind asks.
     */
    private void validCredentials(AttackKind kind, int idx, World.Tenant t, long hourStart) {
        long window = hourStart + 10 * MINUTE * (1 + r.nextInt(4));
        long windowEnd = window + 10 * MINUTE;
        int failing = switch (kind) {
            case VALID_CREDS -> 6 + r.nextInt(5);
            case VALID_CREDS_4 -> 4;
            case VALID_CREDS_EQUAL -> 5;
            default -> 6;
        };
        List<World.User> users = pickUsers(t, kind == AttackKind.VALID_CREDS_EQUAL ? failing + 5 : failing, kind);
        List<World.Ip> ips = attackerIps(1, World.ATTACKER);
        World.Ip ip = ips.get(0);
        World.App app = World.ATTACK_APPS[0];
        String ua = SPRAY_AGENTS[1];
        List<Rec> made = new ArrayList<>();
        for (int i = 0; i < failing; i++) {
            for (int a = 0; a < 4; a++) {
                made.add(interactiveRec(t, users.get(i), app, ip, 50126, ua, window + SECOND + r.nextLong(10 * MINUTE - 2 * SECOND)));
            }
        }
        String descr;
        switch (kind) {
            case VALID_CREDS -> {
                long later = windowEnd + HOUR + r.nextLong(2 * HOUR);
                made.add(interactiveRec(t, users.get(1), World.BACKGROUND_APPS[6], ip, 50074, ua,
                        window + SECOND + r.nextLong(10 * MINUTE - 2 * SECOND)));
                made.add(interactiveRec(t, users.get(0), World.BACKGROUND_APPS[6], ip, 0, ua, later));
                descr = "password spray against " + failing + " users (4 x error 50126 each) from " + ip.address + " in one 10-minute"
                        + " window; the same address then presents " + users.get(1).upnStored.toLowerCase(Locale.ROOT)
                        + "'s valid password, stopped by MFA (50074), in that window, and signs in as "
                        + users.get(0).upnStored.toLowerCase(Locale.ROOT) + " at " + instant(later)
                        + ". Must raise D twice: high, then critical.";
            }
            case VALID_CREDS_4 -> {
                made.add(interactiveRec(t, users.get(0), World.BACKGROUND_APPS[6], ip, 0, ua, window + 9 * MINUTE));
                made.add(interactiveRec(t, users.get(1), World.BACKGROUND_APPS[6], ip, 0, ua, windowEnd + HOUR));
                descr = "near miss: only 4 users fail (4 x 50126 each) from " + ip.address + ", then two of them sign in from it."
                        + " Must NOT raise D (nor B: 4 failures per pair).";
            }
            case VALID_CREDS_EQUAL -> {
                for (int i = failing; i < users.size(); i++) {
                    made.add(interactiveRec(t, users.get(i), World.BACKGROUND_APPS[6], ip, 0, ua,
                            window + SECOND + r.nextLong(10 * MINUTE - 2 * SECOND)));
                }
                made.add(interactiveRec(t, users.get(0), World.BACKGROUND_APPS[6], ip, 0, ua, windowEnd + 30 * MINUTE));
                descr = "near miss: 5 users fail and 5 other users sign in from " + ip.address + " in one window (failed == valid:"
                        + " a shared address, not a spray source); one of the failed users signs in later. Must NOT raise D.";
            }
            default -> {
                long reachEnd = windowEnd + 24 * HOUR;
                made.add(interactiveRec(t, users.get(0), World.BACKGROUND_APPS[6], ip, 0, ua, reachEnd));
                descr = "near miss: a spray source (6 users fail from " + ip.address + ") whose only valid password comes at "
                        + instant(reachEnd) + ", the window's end + 24 h: 1 ms after the reach [w.start, w.end + 24 h)."
                        + " Must NOT raise D.";
            }
        }
        finish(kind, idx, t, window, windowEnd, 50126, made, ips, false, app, descr);
    }

    private Rec interactiveRec(World.Tenant t, World.User u, World.App app, World.Ip ip, int code, String ua, long at) {
        Rec rec = baseRec(Rec.SIGN_IN, t, u, u.upnStored, app, ip, false, code, at);
        rec.interactive = true;
        rec.userAgent = ua;
        rec.clientAppUsed = "Browser";
        return rec;
    }

    // ------------------------------------------------------------------ helpers

    private Rec sprayRec(World.Tenant t, World.User u, String upn, World.App app, World.Ip ip, boolean omitAsn, int code,
            String ua, long at) {
        Rec rec = baseRec(Rec.NON_INTERACTIVE, t, u, upn, app, ip, omitAsn, code, at);
        rec.userAgent = ua;
        return rec;
    }

    private Rec baseRec(byte category, World.Tenant t, World.User u, String upn, World.App app, World.Ip ip, boolean omitAsn,
            int code, long at) {
        Rec rec = new Rec();
        rec.category = category;
        rec.tenant = t;
        rec.user = u;
        rec.upn = upn;
        rec.app = app;
        rec.resource = r.nextInt(app.resourceIds.length);
        rec.ip = ip;
        rec.omitAsn = omitAsn;
        rec.errorCode = code;
        rec.interactive = false;
        rec.multiFactor = false;
        rec.eventTicks = at;
        rec.timeTicks = at + 2_000_000L + r.nextLong(90 * SECOND);
        rec.renderSeed = r.nextLong();
        rec.planted = true;
        rec.seq = records.size();
        return rec;
    }

    private void finish(AttackKind kind, int idx, World.Tenant t, long windowStart, long windowEnd, int code, List<Rec> made,
            List<World.Ip> ips, boolean omitAsn, World.App app, String descr) {
        TreeSet<String> users = new TreeSet<>();
        TreeSet<String> written = new TreeSet<>();
        for (Rec rec : made) {
            rec.plantIndex = idx;
            rec.seq = records.size();
            records.add(rec);
            if (rec.errorCode == code) {
                users.add(rec.upn.toLowerCase(Locale.ROOT));
                written.add(rec.upn);
            }
        }
        List<World.Ip> sorted = new ArrayList<>(ips);
        sorted.sort(Comparator.comparing(ip -> ip.address));
        List<String> ipList = sorted.stream().map(ip -> ip.address).toList();
        List<Integer> asns = new ArrayList<>();
        for (World.Ip ip : sorted) asns.add(omitAsn ? null : ip.asn);
        attacks.add(new PlantedAttack(idx, kind, kind.alertExpected(), t.id, instant(windowStart), instant(windowEnd), code,
                List.copyOf(users), List.copyOf(written), ipList, java.util.Collections.unmodifiableList(asns), app.id, app.name,
                made.size(), descr));
    }

    private List<World.User> pickUsers(World.Tenant t, int n, AttackKind kind) {
        Set<Integer> used = usedUsers.computeIfAbsent(t.index, k -> new HashSet<>());
        List<World.User> eligible = new ArrayList<>();
        List<World.User> fresh = new ArrayList<>();
        for (World.User u : t.users) {
            if (u.guest || u.stale || u.ssoBroken) continue;
            eligible.add(u);
            if (!used.contains(u.index)) fresh.add(u);
        }
        if (eligible.size() < n) {
            throw new IllegalArgumentException("planting " + kind.cliName() + " needs " + n + " ordinary users in a tenant but "
                    + eligible.size() + " are available: raise usersPerTenant");
        }
        List<World.User> pool = fresh.size() >= n ? fresh : eligible;
        List<World.User> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) { // partial Fisher-Yates
            int j = i + r.nextInt(pool.size() - i);
            World.User tmp = pool.get(i);
            pool.set(i, pool.get(j));
            pool.set(j, tmp);
            out.add(pool.get(i));
            used.add(pool.get(i).index);
        }
        return out;
    }

    private List<World.Ip> attackerIps(int n, World.Isp[] isps) {
        List<World.Ip> out = new ArrayList<>(n);
        while (out.size() < n) {
            World.Ip ip = World.ipFrom(isps[r.nextInt(isps.length)], r, false);
            if (usedIps.add(ip.address)) out.add(ip);
        }
        return out;
    }

    /** Another spelling of the same UPN (differs from {@code upn} but is equal ignoring case). */
    static String caseVariant(String upn, int which) {
        int at = upn.indexOf('@');
        String local = upn.substring(0, at);
        String domain = upn.substring(at + 1);
        String v = switch (which % 3) {
            case 0 -> upn.toUpperCase(Locale.ROOT);
            case 1 -> capitaliseParts(local) + "@" + domain.toUpperCase(Locale.ROOT);
            default -> local.toLowerCase(Locale.ROOT) + "@" + capitaliseParts(domain);
        };
        if (v.equals(upn)) v = upn.toUpperCase(Locale.ROOT);
        if (v.equals(upn)) v = upn.toLowerCase(Locale.ROOT);
        return v;
    }

    private static String capitaliseParts(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean up = true;
        for (char c : s.toCharArray()) {
            sb.append(up ? Character.toUpperCase(c) : Character.toLowerCase(c));
            up = c == '.' || c == '-' || c == '_';
        }
        return sb.toString();
    }
}
