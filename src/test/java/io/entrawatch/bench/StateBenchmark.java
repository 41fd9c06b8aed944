package io.entrawatch.bench;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.RareAppOptions;
import io.entrawatch.detect.rareapp.RareAppDetection;
import io.entrawatch.detect.rareapp.RareAppEvaluator;
import io.entrawatch.detect.rareapp.RareAppKey;
import io.entrawatch.detect.spray.PasswordSprayDetection;
import io.entrawatch.detect.spray.SprayKey;
import io.entrawatch.detect.spray.SprayWindowCounter;
import io.entrawatch.detect.sso.SeamlessSsoSprayDetection;
import io.entrawatch.detect.sso.SsoFlag;
import io.entrawatch.detect.sso.SsoHourKey;
import io.entrawatch.detect.sso.SsoIpKey;
import io.entrawatch.detect.sso.SsoStage1Counter;
import io.entrawatch.detect.sso.SsoStage2Joiner;
import io.entrawatch.detect.validcreds.AddressKey;
import io.entrawatch.detect.validcreds.SpraySource;
import io.entrawatch.detect.validcreds.SpraySourceCounter;
import io.entrawatch.detect.validcreds.SprayWindowKey;
import io.entrawatch.detect.validcreds.ValidCredentialsDetection;
import io.entrawatch.detect.validcreds.ValidCredentialsEvaluator;
import io.entrawatch.model.Alert;
import io.entrawatch.model.Categories;
import io.entrawatch.model.SignIn;
import io.entrawatch.pipeline.DetectionPipeline;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keyed state per detection, for jobs/bench and jobs/bench-rareapp (a measurement, not a test). Each
 * detection's operator runs in a test harness on the heap backend and on RocksDB (incremental), is fed
 * a load shaped like production, and its heap and checkpoint size per key are taken
 * ({@link StateMeasurement}):
 *
 * <ul>
 *   <li>B (rare app), the long-lived state: N distinct (user, app) pairs fail once each in one hour; the
 *       hour is evaluated (warm-up, so no alert documents pile up) and what every pair then keeps for
 *       the 14-day lookback is measured.</li>
 *   <li>A (spray), per (tenant, error code, 10-minute window): windows of 50 distinct users from 50 IPs,
 *       measured at their fullest, just before they fire.</li>
 *   <li>C stage 1, per (tenant, 81xxx result type, hour): 50 distinct accounts from 50 IPs each.</li>
 *   <li>C stage 2, per (tenant, IP, hour): each address seen by 3 sign-ins in one table, the common case
 *       (an address seen a million times costs about 33 KB, SsoStateCostTest).</li>
 *   <li>D stage 1, per (tenant, IP, 10-minute window): a spraying address, 50 failed users, before the
 *       window fires.</li>
 *   <li>D stage 2, per (tenant, IP) with an open window: an ordinary address, one user's 3 successes in
 *       the window (the common case: every address with a valid-credential sign-in, until its window fires).</li>
 *   <li>D stages 1 and 2 for one corporate egress address: 100,000 sign-ins of 10,000 users in one window.</li>
 *   <li>D stage 2, per (tenant, IP) that sprayed: one spray-source window of 50 failed users, kept for
 *       its 24-hour reach (a spraying address keeps one per spraying window, at most 144).</li>
 * </ul>
 *
 * <p>Usage: {@code StateBenchmark [rare-app|spray|sso|valid-credentials|all] [pairs] [work-dir]}.
 */
public final class StateBenchmark {
    private static final long T0 = Instant.parse("2025-11-14T01:00:00Z").toEpochMilli();
    private static final String[] APPS = new String[20];
    static final int USERS_PER_WINDOW = 50;

    static {
        for (int i = 0; i < APPS.length; i++) APPS[i] = String.format(Locale.ROOT, "%08x-0000-0ff1-ce00-000000000000", i);
    }

    /** One measured operator: what a key is, and the figures per backend. */
    record Result(String detection, String unit, List<StateMeasurement.Figures> figures) {}

    private StateBenchmark() {}

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "all";
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        Path work = Files.createDirectories(Path.of(args.length > 2 ? args[2] : "target/bench-state"));
        for (Result r : run(which, pairs, work)) print(r);
    }

    static List<Result> run(String which, int pairs, Path work) throws Exception {
        List<Result> results = new ArrayList<>();
        boolean all = which.equals("all");
        if (all || which.equals("rare-app")) results.add(rareApp(pairs, work.resolve("b")));
        if (all || which.equals("spray")) results.add(spray(pairs / 10, work.resolve("a")));
        if (all || which.equals("sso")) {
            results.add(ssoStage1(pairs / 100, work.resolve("c1")));
            results.add(ssoStage2(pairs, work.resolve("c2")));
        }
        if (all || which.equals("valid-credentials")) {
            results.add(validCredentialsStage1(pairs / 100, work.resolve("d1")));
            results.add(validCredentialsOpenWindows(pairs, work.resolve("d2")));
            results.add(validCredentialsSpraySources(pairs / 100, work.resolve("d3")));
            results.add(validCredentialsEgressStage1(work.resolve("d4")));
            results.add(validCredentialsEgressStage2(work.resolve("d5")));
        }
        return results;
    }

    static void print(Result r) {
        System.out.printf(Locale.ROOT, "%s, per %s:%n", r.detection(), r.unit());
        for (StateMeasurement.Figures f : r.figures()) System.out.println("  " + f.describe(r.unit()));
    }

    /** The figures as JSON-ready maps for jobs/bench. */
    static Map<String, Object> json(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", r.unit());
        for (StateMeasurement.Figures f : r.figures()) {
            String prefix = f.backend().equals(StateMeasurement.HEAP) ? "heap" : "rocksDb";
            m.put("keys", f.keys());
            if (f.heapBytes() >= 0) m.put("heapBytesPerKey", Math.round(f.heapPerKey()));
            m.put(prefix + "CheckpointBytesPerKey", Math.round(f.checkpointPerKey()));
            m.put(prefix + "CheckpointMB", f.checkpointBytes() / 1e6);
        }
        return m;
    }

    private static List<StateMeasurement.Figures> both(Path dir, Measure m) throws Exception {
        return List.of(m.on(StateMeasurement.HEAP, dir.resolve("heap")), m.on(StateMeasurement.ROCKSDB, dir.resolve("rocksdb")));
    }

    private interface Measure {
        StateMeasurement.Figures on(String backend, Path dir) throws Exception;
    }

    private static SignIn signIn(long ts, String category, String upn, String ip) {
        SignIn s = new SignIn();
        s.timestamp = ts;
        s.tenantId = "11111111-1111-1111-1111-111111111111";
        s.category = category;
        s.userPrincipalName = upn;
        s.ipAddress = ip;
        s.errorCode = 50126;
        s.resultType = "50126";
        return s;
    }

    private static String ip(long i) {
        return "10." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255);
    }

    static Result rareApp(int pairs, Path dir) throws Exception {
        RareAppDetection detection = RareAppDetection.FACTORY.create(JobOptions.defaults()
                .with(RareAppOptions.ALERT_FROM, "2100-01-01T00:00:00Z"));
        return new Result("B rare app (14-day history, after the hour's evaluation)", "pair", both(dir, (backend, d) ->
                StateMeasurement.measure(backend, d, () -> new KeyedOneInputStreamOperatorTestHarness<RareAppKey, SignIn, Alert>(
                        new KeyedProcessOperator<>(new RareAppEvaluator(detection)), detection::keyOf,
                        TypeInformation.of(RareAppKey.class)), h -> {
                    for (int i = 0; i < pairs; i++) {
                        SignIn s = signIn(T0 + 10 * 60_000L + (i % 2_000_000), Categories.SIGN_IN_LOGS,
                                "user" + i + "@contoso.com", null);
                        s.id = "a7c3f1e2-" + i;
                        s.appId = APPS[i % APPS.length];
                        s.appDisplayName = "App " + (i % APPS.length);
                        h.processElement(s, s.timestamp);
                    }
                    h.processWatermark(new Watermark(T0 + 3_600_000L)); // evaluates every pair's hour
                    return pairs;
                })));
    }

    /** Windows of detection A at their fullest: each of {@code windows} keys holds 50 users and 50 IPs. */
    static Result spray(int windows, Path dir) throws Exception {
        PasswordSprayDetection detection = PasswordSprayDetection.FACTORY.create(JobOptions.defaults());
        return new Result("A spray (" + USERS_PER_WINDOW + " users and IPs per window, before it fires)", "window", both(dir, (backend, d) ->
                StateMeasurement.measure(backend, d, () -> new KeyedOneInputStreamOperatorTestHarness<SprayKey, SignIn, Alert>(
                        new KeyedProcessOperator<>(new SprayWindowCounter(detection)), detection::keyOf,
                        TypeInformation.of(SprayKey.class)), h -> {
                    feedWindows(windows, (w, u) -> {
                        SignIn s = signIn(T0 + u, Categories.NON_INTERACTIVE, "user" + u + "@tenant" + w + ".com",
                                ip((long) w * USERS_PER_WINDOW + u));
                        s.tenantId = "tenant-" + w;
                        h.processElement(s, s.timestamp);
                    });
                    return windows;
                })));
    }

    /** Detection C stage 1: each (tenant, 81xxx, hour) key holds 50 accounts and 50 IPs. */
    static Result ssoStage1(int hours, Path dir) throws Exception {
        SeamlessSsoSprayDetection detection = SeamlessSsoSprayDetection.FACTORY.create(JobOptions.defaults());
        return new Result("C stage 1 (" + USERS_PER_WINDOW + " accounts and IPs per key, before the hour fires)", "tenant-hour",
                both(dir, (backend, d) -> StateMeasurement.measure(backend, d,
                        () -> new KeyedOneInputStreamOperatorTestHarness<SsoHourKey, SignIn, SsoFlag>(
                                new KeyedProcessOperator<>(new SsoStage1Counter(detection)), detection::stage1KeyOf,
                                TypeInformation.of(SsoHourKey.class)), h -> {
                            feedWindows(hours, (w, u) -> {
                                SignIn s = ssoSignIn(w, u);
                                h.processElement(s, s.timestamp);
                            });
                            return hours;
                        })));
    }

    /** Detection C stage 2: {@code addresses} (tenant, IP, hour) keys, each seen by 3 sign-ins in one table. */
    static Result ssoStage2(int addresses, Path dir) throws Exception {
        SeamlessSsoSprayDetection detection = SeamlessSsoSprayDetection.FACTORY.create(JobOptions.defaults());
        return new Result("C stage 2 (3 sign-ins per address, before the hour fires)", "IP-hour", both(dir, (backend, d) ->
                StateMeasurement.measure(backend, d,
                        () -> new KeyedTwoInputStreamOperatorTestHarness<SsoIpKey, SsoFlag, SignIn, Alert>(
                                new KeyedCoProcessOperator<>(new SsoStage2Joiner(detection)), SsoFlag::key,
                                detection::stage2KeyOf, TypeInformation.of(SsoIpKey.class)), h -> {
                            for (int a = 0; a < addresses; a++) {
                                for (int k = 0; k < 3; k++) {
                                    SignIn s = ssoSignIn(a / USERS_PER_WINDOW, a % USERS_PER_WINDOW);
                                    s.ipAddress = ip(a);
                                    s.userAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)";
                                    s.timestamp += k;
                                    h.processElement2(s, s.timestamp);
                                }
                            }
                            return addresses;
                        })));
    }

    /** Detection D stage 1: each (tenant, IP, window) key holds 50 failed users of a spraying address. */
    static Result validCredentialsStage1(int windows, Path dir) throws Exception {
        ValidCredentialsDetection detection = ValidCredentialsDetection.FACTORY.create(JobOptions.defaults());
        return new Result("D stage 1 (" + USERS_PER_WINDOW + " failed users per key, before the window fires)", "IP-window",
                both(dir, (backend, d) -> StateMeasurement.measure(backend, d,
                        () -> new KeyedOneInputStreamOperatorTestHarness<SprayWindowKey, SignIn, SpraySource>(
                                new KeyedProcessOperator<>(new SpraySourceCounter(detection)), detection::stage1KeyOf,
                                TypeInformation.of(SprayWindowKey.class)), h -> {
                            feedWindows(windows, (w, u) -> {
                                SignIn s = signIn(T0 + u, Categories.SIGN_IN_LOGS, "user" + u + "@tenant" + w + ".com", ip(w));
                                s.tenantId = "tenant-" + w;
                                h.processElement(s, s.timestamp);
                            });
                            return windows;
                        })));
    }

    /** Detection D stage 2: {@code addresses} ordinary addresses, each with one user's 3 successes in the open window. */
    static Result validCredentialsOpenWindows(int addresses, Path dir) throws Exception {
        ValidCredentialsDetection detection = ValidCredentialsDetection.FACTORY.create(JobOptions.defaults());
        return new Result("D stage 2 (an address with one user's 3 successes, before the window fires)", "IP",
                both(dir, (backend, d) -> StateMeasurement.measure(backend, d, () -> stage2(detection), h -> {
                    for (int a = 0; a < addresses; a++) {
                        for (int k = 0; k < 3; k++) {
                            SignIn s = signIn(T0 + k, Categories.SIGN_IN_LOGS, "user" + (a % 1000) + "@tenant.com", ip(a));
                            s.id = "00000000-0000-0000-0000-" + String.format(Locale.ROOT, "%012d", (long) a * 3 + k);
                            s.errorCode = 0;
                            s.resultType = "0";
                            s.success = true;
                            s.appDisplayName = "Office 365 Exchange Online";
                            h.processElement2(detection.forStage2(s), s.timestamp);
                        }
                    }
                    return addresses;
                })));
    }

    /** Detection D stage 2: {@code addresses} spraying addresses, each keeping one spray-source window of 50 users. */
    static Result validCredentialsSpraySources(int addresses, Path dir) throws Exception {
        ValidCredentialsDetection detection = ValidCredentialsDetection.FACTORY.create(JobOptions.defaults());
        String[] users = new String[USERS_PER_WINDOW];
        for (int u = 0; u < users.length; u++) users[u] = "firstname.lastname" + u + "@tenant.com";
        java.util.Arrays.sort(users);
        return new Result("D stage 2 (a spraying address: one spray-source window of " + USERS_PER_WINDOW
                + " users, kept for its reach)", "spraying IP", both(dir, (backend, d) ->
                StateMeasurement.measure(backend, d, () -> stage2(detection), h -> {
                    for (int a = 0; a < addresses; a++) {
                        String[] own = new String[users.length]; // as deserialized from the network: one copy each
                        for (int u = 0; u < users.length; u++) own[u] = new String(users[u]);
                        SpraySource f = new SpraySource("11111111-1111-1111-1111-111111111111", ip(a), T0,
                                USERS_PER_WINDOW, 0, own);
                        h.processElement1(f, f.windowStart);
                    }
                    return addresses;
                })));
    }

    /** A corporate egress address: 100,000 sign-ins in one window, of 10,000 users; 1 in 10 a wrong password. */
    static final int EGRESS_SIGN_INS = 100_000, EGRESS_USERS = 10_000;

    private static SignIn egressSignIn(int i) {
        SignIn s = signIn(T0 + (i % 600_000), Categories.SIGN_IN_LOGS, "employee" + (i % EGRESS_USERS) + "@corp.example", "203.0.113.1");
        s.id = "00000000-0000-0000-0000-" + String.format(Locale.ROOT, "%012d", (long) i);
        s.appDisplayName = "Office 365 Exchange Online";
        if (i % 10 != 0) { // a success; every tenth sign-in a wrong password
            s.errorCode = 0;
            s.resultType = "0";
            s.success = true;
        }
        return s;
    }

    /** Detection D stage 1 for the egress address: its one (tenant, IP, window) key, just before the window fires. */
    static Result validCredentialsEgressStage1(Path dir) throws Exception {
        ValidCredentialsDetection detection = ValidCredentialsDetection.FACTORY.create(JobOptions.defaults());
        return new Result("D stage 1, corporate egress address (" + EGRESS_SIGN_INS + " sign-ins of " + EGRESS_USERS
                + " users in one window, before it fires)", "egress IP", both(dir, (backend, d) ->
                StateMeasurement.measure(backend, d, () -> new KeyedOneInputStreamOperatorTestHarness<SprayWindowKey, SignIn, SpraySource>(
                        new KeyedProcessOperator<>(new SpraySourceCounter(detection)), detection::stage1KeyOf,
                        TypeInformation.of(SprayWindowKey.class)), h -> {
                    for (int i = 0; i < EGRESS_SIGN_INS; i++) {
                        SignIn s = egressSignIn(i);
                        h.processElement(s, s.timestamp);
                    }
                    return 1;
                })));
    }

    /** Detection D stage 2 for the egress address: its valid-credential sign-ins of the open window, before it fires. */
    static Result validCredentialsEgressStage2(Path dir) throws Exception {
        ValidCredentialsDetection detection = ValidCredentialsDetection.FACTORY.create(JobOptions.defaults());
        return new Result("D stage 2, corporate egress address (its " + EGRESS_SIGN_INS * 9 / 10
                + " successes of one window, before it fires)", "egress IP", both(dir, (backend, d) ->
                StateMeasurement.measure(backend, d, () -> stage2(detection), h -> {
                    for (int i = 0; i < EGRESS_SIGN_INS; i++) {
                        SignIn s = egressSignIn(i);
                        if (detection.isValidCredential(s)) h.processElement2(detection.forStage2(s), s.timestamp);
                    }
                    return 1;
                })));
    }

    private static KeyedTwoInputStreamOperatorTestHarness<AddressKey, SpraySource, SignIn, Alert> stage2(
            ValidCredentialsDetection detection) throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new ValidCredentialsEvaluator(detection)),
                SpraySource::key, detection::stage2KeyOf, TypeInformation.of(AddressKey.class));
    }

    private static SignIn ssoSignIn(int tenant, int account) {
        SignIn s = signIn(T0 + account, Categories.NON_INTERACTIVE, "user" + account + "@tenant" + tenant + ".com",
                ip((long) tenant * USERS_PER_WINDOW + account));
        s.tenantId = "tenant-" + tenant;
        s.resultType = "81016";
        s.errorCode = 81016;
        s.resultDescription = "DesktopSSO: Kerberos ticket is invalid or expired";
        return s;
    }

    private interface PerSignIn {
        void accept(int window, int user) throws Exception;
    }

    private static void feedWindows(int windows, PerSignIn each) throws Exception {
        for (int w = 0; w < windows; w++) {
            for (int u = 0; u < USERS_PER_WINDOW; u++) each.accept(w, u);
        }
    }
}
