package io.entrawatch.generate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A plain, batch re-statement of docs/detections.md sections 2-4 and 8 used to compute the expected alerts of
 * the planted records. It is the generator's oracle, written independently of the streaming job and
 * kept deliberately simple (everything in memory, everything sorted).
 */
final class ReferenceDetections {
    static final long MS_MINUTE = 60_000L;
    static final long MS_HOUR = 60 * MS_MINUTE;
    static final long LOOKBACK_MS = 14 * 24 * MS_HOUR;
    static final int MAX_LIST = 100;

    /** A normalised sign-in (docs/detections.md section 1) of a planted record. */
    record Norm(long ts, String tenantId, byte category, String upn, int errorCode, boolean interactive,
            boolean singleFactor, String ip, boolean excludedAsOrg, String appId, String appName, int plant) {
        String resultType() {
            return Integer.toString(errorCode);
        }
    }

    static Norm normalise(Rec r) {
        long ts = Math.floorDiv(r.eventTicks, Json.TICKS_PER_MS);
        boolean excluded = !r.omitAsn && r.ip != null && r.ip.asn == 8075;
        String upn = r.upn == null || r.upn.isEmpty() ? null : r.upn.toLowerCase(Locale.ROOT);
        boolean userSignIn = r.category == Rec.SIGN_IN || r.category == Rec.NON_INTERACTIVE;
        return new Norm(ts, r.tenant.id, r.category, upn, r.errorCode, r.interactive, userSignIn && !r.multiFactor,
                r.ip == null ? null : r.ip.address.toLowerCase(Locale.ROOT), excluded, r.app == null ? null : r.app.id,
                r.app == null ? null : r.app.name, r.plantIndex);
    }

    static List<ExpectedAlert> compute(List<Rec> planted) {
        List<Norm> in = new ArrayList<>();
        for (Rec r : planted) if (r.isSignIn()) in.add(normalise(r));
        in.sort(Comparator.comparingLong(Norm::ts));
        List<ExpectedAlert> out = new ArrayList<>();
        out.addAll(detectionA(in));
        out.addAll(detectionB(in));
        out.addAll(detectionC(in));
        out.addAll(detectionD(in));
        return out;
    }

    private static boolean userCategory(Norm n) {
        return n.category == Rec.SIGN_IN || n.category == Rec.NON_INTERACTIVE;
    }

    private static <T> List<T> firstN(TreeSet<T> s) {
        List<T> l = new ArrayList<>(Math.min(s.size(), MAX_LIST));
        for (T t : s) {
            if (l.size() == MAX_LIST) break;
            l.add(t);
        }
        return l;
    }

    static List<ExpectedAlert> detectionA(List<Norm> in) {
        record Acc(TreeSet<String> users, TreeSet<String> ips, TreeSet<Integer> plants) {}
        Map<String, Acc> groups = new TreeMap<>();
        for (Norm n : in) {
            if (n.interactive || !n.singleFactor || n.errorCode == 0 || !ErrorCatalog.isFailureCode(n.errorCode)
                    || n.excludedAsOrg) continue;
            long w = Math.floorDiv(n.ts, 10 * MS_MINUTE) * 10 * MS_MINUTE;
            String key = n.tenantId + "|" + n.errorCode + "|" + String.format(Locale.ROOT, "%015d", w);
            Acc acc = groups.computeIfAbsent(key, k -> new Acc(new TreeSet<>(), new TreeSet<>(), new TreeSet<>()));
            if (n.upn != null) acc.users.add(n.upn);
            if (n.ip != null) acc.ips.add(n.ip);
            acc.plants.add(n.plant);
        }
        List<ExpectedAlert> out = new ArrayList<>();
        for (var e : groups.entrySet()) {
            Acc acc = e.getValue();
            if (acc.users.size() < 30) continue;
            String[] k = e.getKey().split("\\|");
            long w = Long.parseLong(k[2]);
            out.add(new ExpectedAlert("A", ExpectedAlert.RULE_A, k[0], Instant.ofEpochMilli(w),
                    Instant.ofEpochMilli(w + 10 * MS_MINUTE), Integer.parseInt(k[1]), (long) acc.users.size(), null, null,
                    null, null, null, null, firstN(acc.users), firstN(acc.ips), List.copyOf(acc.plants), null, null, null));
        }
        return out;
    }

    static List<ExpectedAlert> detectionB(List<Norm> in) {
        Map<String, List<Norm>> groups = new TreeMap<>();
        for (Norm n : in) {
            if (!userCategory(n) || n.upn == null || n.errorCode == 0 || !ErrorCatalog.isFailureCode(n.errorCode)
                    || n.excludedAsOrg) continue;
            groups.computeIfAbsent(n.tenantId + "|" + n.upn + "|" + n.appId, k -> new ArrayList<>()).add(n);
        }
        List<ExpectedAlert> out = new ArrayList<>();
        for (List<Norm> g : groups.values()) {
            TreeSet<Long> ends = new TreeSet<>();
            for (Norm n : g) ends.add(Math.floorDiv(n.ts, MS_HOUR) * MS_HOUR + MS_HOUR);
            Long lastAlert = null;
            for (long t : ends) {
                long count = 0;
                Norm latest = null;
                TreeSet<Integer> plants = new TreeSet<>();
                for (Norm n : g) {
                    if (n.ts >= t - LOOKBACK_MS && n.ts < t) {
                        count++;
                        plants.add(n.plant);
                        if (latest == null || n.ts >= latest.ts) latest = n;
                    }
                }
                if (count > 3) continue;
                if (lastAlert != null && t < lastAlert + LOOKBACK_MS) continue; // suppression S = L
                lastAlert = t;
                out.add(new ExpectedAlert("B", ExpectedAlert.RULE_B, latest.tenantId, Instant.ofEpochMilli(t - LOOKBACK_MS),
                        Instant.ofEpochMilli(t), null, count, latest.upn, latest.appId, latest.appName, null, null, null, null,
                        null, List.copyOf(plants), null, null, null));
            }
        }
        return out;
    }

    static List<ExpectedAlert> detectionC(List<Norm> in) {
        record Stage1(TreeSet<String> accounts, TreeSet<String> ips) {}
        Map<String, Stage1> stage1 = new TreeMap<>();
        for (Norm n : in) {
            if (n.category != Rec.NON_INTERACTIVE || !n.resultType().startsWith("81")) continue;
            long w = Math.floorDiv(n.ts, MS_HOUR) * MS_HOUR;
            Stage1 s = stage1.computeIfAbsent(n.tenantId + "|" + n.resultType() + "|" + String.format(Locale.ROOT, "%015d", w),
                    k -> new Stage1(new TreeSet<>(), new TreeSet<>()));
            if (n.upn != null) s.accounts.add(n.upn);
            if (n.ip != null) s.ips.add(n.ip);
        }
        List<ExpectedAlert> out = new ArrayList<>();
        for (var e : stage1.entrySet()) {
            Stage1 s = e.getValue();
            if (s.accounts.size() <= 5) continue;
            String[] k = e.getKey().split("\\|");
            String tenant = k[0];
            long w = Long.parseLong(k[2]);
            for (String ip : firstN(s.ips)) {
                for (byte table : new byte[] {Rec.SIGN_IN, Rec.NON_INTERACTIVE}) {
                    TreeSet<String> users = new TreeSet<>();
                    TreeSet<Integer> plants = new TreeSet<>();
                    int seen = 0;
                    for (Norm n : in) {
                        if (n.category != table || !n.tenantId.equals(tenant) || !ip.equals(n.ip) || n.ts < w
                                || n.ts >= w + MS_HOUR) continue;
                        seen++;
                        if (n.upn != null) users.add(n.upn);
                        plants.add(n.plant);
                    }
                    if (seen == 0) continue;
                    out.add(new ExpectedAlert("C", ExpectedAlert.RULE_C, tenant, Instant.ofEpochMilli(w),
                            Instant.ofEpochMilli(w + MS_HOUR), null, (long) s.accounts.size(), null, null, null, k[1], ip,
                            Rec.TABLE_NAMES[table], firstN(users), null, List.copyOf(plants), null, null, null));
                }
            }
        }
        return out;
    }

    static final long D_WINDOW_MS = 10 * MS_MINUTE;
    static final long D_REACH_MS = 24 * MS_HOUR;
    static final long D_SUPPRESSION_MS = 24 * MS_HOUR;
    static final java.util.Set<Integer> GUESS_FAILURE_CODES = java.util.Set.of(50126, 50053, 50056);
    static final java.util.Set<Integer> VALID_CREDENTIAL_CODES = java.util.Set.of(0, 50055, 50057, 50155, 50105, 50133, 50005,
            50076, 50079, 50173, 50158, 50072, 50074, 53003, 53000, 53001, 50129);

    /**
     * Section 8, literally: spray sources per (tenant, address, 10-minute window), hits against every
     * spray-source window's reach, one evaluation per (tenant, address, user, window) in time order with
     * the 24-hour suppression. Every planted record is a distinct record (re-deliveries are copies of it),
     * so counting records counts distinct (category, properties.id).
     */
    static List<ExpectedAlert> detectionD(List<Norm> in) {
        record Sets(TreeSet<String> failed, TreeSet<String> valid) {}
        Map<String, TreeMap<Long, Sets>> windows = new TreeMap<>(); // tenant|ip -> window start -> user sets
        List<Norm> validSignIns = new ArrayList<>();
        for (Norm n : in) {
            if (!userCategory(n) || n.upn == null || n.ip == null || n.excludedAsOrg) continue;
            boolean guess = GUESS_FAILURE_CODES.contains(n.errorCode);
            boolean valid = n.errorCode == 0 || VALID_CREDENTIAL_CODES.contains(n.errorCode);
            if (!guess && !valid) continue;
            long w = Math.floorDiv(n.ts, D_WINDOW_MS) * D_WINDOW_MS;
            Sets sets = windows.computeIfAbsent(n.tenantId + "|" + n.ip, k -> new TreeMap<>())
                    .computeIfAbsent(w, k -> new Sets(new TreeSet<>(), new TreeSet<>()));
            if (guess) sets.failed.add(n.upn);
            if (valid) {
                sets.valid.add(n.upn);
                validSignIns.add(n);
            }
        }
        // spray sources: failedUsers >= 5 AND failedUsers > validUsers
        Map<String, TreeMap<Long, Sets>> sources = new TreeMap<>();
        windows.forEach((address, byWindow) -> byWindow.forEach((w, sets) -> {
            if (sets.failed.size() >= 5 && sets.failed.size() > sets.valid.size()) {
                sources.computeIfAbsent(address, k -> new TreeMap<>()).put(w, sets);
            }
        }));
        // hits, grouped per (tenant, address, user) and window v
        Map<String, TreeMap<Long, List<Norm>>> hits = new TreeMap<>();
        for (Norm n : validSignIns) {
            TreeMap<Long, Sets> src = sources.get(n.tenantId + "|" + n.ip);
            if (src == null) continue;
            boolean hit = false;
            for (long w : src.keySet()) {
                if (w <= n.ts && n.ts < w + D_WINDOW_MS + D_REACH_MS) hit = true;
            }
            if (!hit) continue;
            long v = Math.floorDiv(n.ts, D_WINDOW_MS) * D_WINDOW_MS;
            hits.computeIfAbsent(n.tenantId + "|" + n.ip + "|" + n.upn, k -> new TreeMap<>())
                    .computeIfAbsent(v, k -> new ArrayList<>()).add(n);
        }
        List<ExpectedAlert> out = new ArrayList<>();
        for (var triple : hits.entrySet()) {
            String[] k = triple.getKey().split("\\|");
            Long lastAlert = null;
            for (var e : triple.getValue().entrySet()) {
                long v = e.getKey();
                long t = v + D_WINDOW_MS;
                if (lastAlert != null && t < lastAlert + D_SUPPRESSION_MS) continue; // suppressed: does not extend
                lastAlert = t;
                List<Norm> h = e.getValue();
                boolean fullSuccess = h.stream().anyMatch(n -> n.errorCode == 0);
                TreeSet<Long> codes = new TreeSet<>();
                TreeSet<Integer> plants = new TreeSet<>();
                for (Norm n : h) {
                    codes.add((long) n.errorCode);
                    plants.add(n.plant);
                }
                long w = sources.get(k[0] + "|" + k[1]).floorKey(v);
                Sets spray = sources.get(k[0] + "|" + k[1]).get(w);
                out.add(new ExpectedAlert("D", ExpectedAlert.RULE_D, k[0], Instant.ofEpochMilli(v), Instant.ofEpochMilli(t), null,
                        (long) h.size(), k[2], null, null, null, k[1], null, firstN(spray.failed), null, List.copyOf(plants),
                        fullSuccess ? "critical" : "high", List.copyOf(codes), Instant.ofEpochMilli(w)));
            }
        }
        return out;
    }
}
