package io.entrawatch.generate;

import io.entrawatch.config.Durations;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Command line: writes generated Event Hubs message bodies, one per line (NDJSON), and optionally
 * the ground truth. Run {@code GenerateMain --help} for the options.
 */
public final class GenerateMain {
    static final String USAGE = String.join("\n",
            "usage: generate --out FILE.ndjson [--records N | --duration 1d --rate R] [options]",
            "",
            "  --out FILE         output file, one Event Hubs message body per line ('-' = stdout)",
            "  --records N        exactly N distinct records (planted ones included) spread over --duration",
            "  --duration D       event-time span, e.g. 1d, 12h, 90min (default 1d)",
            "  --rate R           average records per second of event time (default 10; ignored with --records)",
            "  --seed S           PRNG seed (default 42); same options and seed => identical bytes",
            "  --tenants T        number of tenants (default 3)",
            "  --users U          users per tenant (default 500)",
            "  --start ISO        event time of the start, e.g. 2025-11-14T00:00:00Z (default)",
            "  --attacks LIST     all | none | comma list of: a, b, c, d, spray, spray-29, spray-split, spray-ms-asn,",
            "                     spray-no-asn, rare-app, rare-app-4, sso-spray, sso-spray-5, valid-creds,",
            "                     valid-creds-4, valid-creds-equal, valid-creds-reach (default all)",
            "  --truth FILE       write the ground truth (planted attacks, expected alerts) as JSON",
            "  --batch MIN-MAX    records per message (default 1-100)",
            "  --out-of-order F   fraction of records delivered late (default 0.03)",
            "  --max-delay D      largest delivery delay, at most 4min (default 4min)",
            "  --duplicates F     fraction of records delivered twice (default 0.005)",
            "  --other F          fraction of non-sign-in records, e.g. AuditLogs (default 0.03)",
            "  --quiet            no progress on stderr");

    private GenerateMain() {}

    public static void main(String[] args) {
        try {
            System.exit(run(args, System.out, System.err));
        } catch (IllegalArgumentException e) {
            System.err.println("generate: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        } catch (IOException e) {
            System.err.println("generate: " + e);
            System.exit(1);
        }
    }

    /** Runs the command; returns the exit code. Bad options throw IllegalArgumentException. */
    static int run(String[] args, PrintStream stdout, PrintStream err) throws IOException {
        GeneratorConfig.Builder b = GeneratorConfig.builder();
        String out = null;
        String truthFile = null;
        boolean quiet = false;
        boolean rateGiven = false;
        long records = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                stdout.println(USAGE);
                return 0;
            }
            if (a.equals("--quiet")) {
                quiet = true;
                continue;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException("option " + a + " needs a value");
            String v = args[++i];
            switch (a) {
                case "--out" -> out = v;
                case "--records" -> records = parseLong(a, v);
                case "--duration" -> b.duration(Durations.parse(v));
                case "--rate" -> {
                    b.ratePerSecond(parseDouble(a, v));
                    rateGiven = true;
                }
                case "--seed" -> b.seed(parseLong(a, v));
                case "--tenants" -> b.tenants((int) parseLong(a, v));
                case "--users" -> b.usersPerTenant((int) parseLong(a, v));
                case "--start" -> b.start(Instant.parse(v));
                case "--attacks" -> b.attacks(AttackKind.parseList(v));
                case "--truth" -> truthFile = v;
                case "--batch" -> {
                    String[] p = v.split("-");
                    if (p.length != 2) throw new IllegalArgumentException("--batch wants MIN-MAX, e.g. 1-100");
                    b.recordsPerMessage((int) parseLong(a, p[0]), (int) parseLong(a, p[1]));
                }
                case "--out-of-order" -> b.outOfOrderFraction(parseDouble(a, v));
                case "--max-delay" -> b.maxDelay(Durations.parse(v));
                case "--duplicates" -> b.duplicateFraction(parseDouble(a, v));
                case "--other" -> b.nonSignInFraction(parseDouble(a, v));
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (out == null) throw new IllegalArgumentException("--out is required");
        if (records > 0 && rateGiven) throw new IllegalArgumentException("give --records or --rate, not both");
        if (records > 0) b.totalRecords(records);
        GeneratorConfig cfg = b.build();

        long t0 = System.nanoTime();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
        TrafficGenerator gen = new TrafficGenerator(cfg);
        GroundTruth truth = gen.groundTruth();
        if (truthFile != null) Files.writeString(Path.of(truthFile), truth.toJson() + "\n", StandardCharsets.UTF_8);
        if (!quiet) {
            err.printf(Locale.ROOT, "generate: seed %d, %d tenants x %d users, %s from %s, %s, %d attacks planted%n",
                    cfg.seed(), cfg.tenants(), cfg.usersPerTenant(), Durations.format(cfg.duration()), cfg.start(),
                    cfg.totalRecords() > 0 ? cfg.totalRecords() + " records" : cfg.ratePerSecond() + " records/s",
                    truth.attacks().size());
        }
        Consumer<GeneratorStats> progress = quiet ? null : new Consumer<>() {
            long last = System.nanoTime();

            @Override
            public void accept(GeneratorStats s) {
                long now = System.nanoTime();
                if (now - last < 2_000_000_000L) return;
                last = now;
                double secs = (now - t0) / 1e9;
                err.printf(Locale.ROOT, "generate: %,d records, %,d messages, %.1f MB, event time %s (%.0f records/s)%n",
                        s.records(), s.messages(), s.bytes() / 1e6, s.lastEvent(), s.records() / secs);
            }
        };
        GeneratorStats s;
        boolean toStdout = out.equals("-");
        try (OutputStream os = new BufferedOutputStream(toStdout ? stdout : new FileOutputStream(out), 1 << 20)) {
            s = gen.writeNdjson(os, progress);
            if (toStdout) os.flush();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpuSecs = cpu0 < 0 ? -1 : (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
        PrintStream summary = err;
        summary.printf(Locale.ROOT, "generate: wrote %s: %,d records (+%,d duplicates) in %,d messages, %,d bytes (%.1f MB),"
                        + " avg %,d bytes/record, in %.1f s (%,.0f records/s, %.1f MB/s)%n",
                toStdout ? "stdout" : out, s.records(), s.duplicates(), s.messages(), s.bytes(), s.bytes() / 1e6,
                s.deliveries() == 0 ? 0 : s.bytes() / s.deliveries(), secs, s.records() / secs, s.bytes() / 1e6 / secs);
        if (cpuSecs > 0) {
            summary.printf(Locale.ROOT, "generate: generating thread used %.1f s of CPU: %,.0f records/s, %.1f MB/s per core%n",
                    cpuSecs, s.records() / cpuSecs, s.bytes() / 1e6 / cpuSecs);
        }
        summary.printf(Locale.ROOT, "generate: categories %s; %,d delayed, %,d planted; event time %s .. %s%n",
                s.byCategory(), s.delayed(), s.planted(), s.firstEvent(), s.lastEvent());
        for (PlantedAttack a : truth.attacks()) {
            summary.printf(Locale.ROOT, "generate: planted #%d %-13s %s tenant %s %s..%s users=%d ips=%d code=%d records=%d%n",
                    a.index(), a.kind().cliName(), a.alertExpected() ? "ALERT   " : "no-alert", a.tenantId(), a.windowStart(),
                    a.windowEnd(), a.users().size(), a.ips().size(), a.errorCode(), a.records());
        }
        summary.printf(Locale.ROOT, "generate: expected alerts A=%d B=%d C=%d D=%d%s%n", truth.expected("A").size(),
                truth.expected("B").size(), truth.expected("C").size(), truth.expected("D").size(), truthFile == null ? "" : " (ground truth in " + truthFile + ")");
        return 0;
    }

    private static long parseLong(String opt, String v) {
        try {
            return Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " wants an integer, not '" + v + "'");
        }
    }

    private static double parseDouble(String opt, String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " wants a number, not '" + v + "'");
        }
    }
}
