package io.entrawatch.bench;

import io.entrawatch.config.JobOptions;
import io.entrawatch.detect.rareapp.RareAppDetection;
import io.entrawatch.detect.rareapp.RareAppEvaluator;
import io.entrawatch.detect.rareapp.RareAppKey;
import io.entrawatch.model.Alert;
import io.entrawatch.model.Categories;
import io.entrawatch.model.SignIn;
import io.entrawatch.pipeline.DetectionPipeline;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * State size of detection B per (user, app) pair, for jobs/bench-rareapp (a measurement, not a test):
 * N distinct pairs fail once each in one hour, the hour is evaluated (warm-up, so no alert documents
 * pile up in the harness), and what every pair then keeps for the 14-day lookback is measured: JVM heap
 * with the heap state backend (HashMap), and the size of a checkpoint with the heap backend and with
 * RocksDB (incremental), timers included.
 *
 * <p>Usage: {@code RareAppStateBenchmark [pairs] [work-dir]}.
 */
public final class RareAppStateBenchmark {
    private static final long T0 = Instant.parse("2025-11-14T01:00:00Z").toEpochMilli();
    private static final String TENANT = "11111111-1111-1111-1111-111111111111";
    private static final String[] APPS = new String[20];

    static {
        for (int i = 0; i < APPS.length; i++) APPS[i] = String.format(Locale.ROOT, "%08x-0000-0ff1-ce00-000000000000", i);
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path work = Files.createDirectories(Path.of(args.length > 1 ? args[1] : "target/bench-rareapp"));
        RareAppDetection detection = DetectionPipeline.rareApp(JobOptions.defaults()
                .with(JobOptions.RARE_APP_ALERT_FROM, "2100-01-01T00:00:00Z"));
        System.out.printf(Locale.ROOT, "detection B state for %,d distinct (user, app) pairs, one failure each, after the "
                + "hour's evaluation (what a pair keeps for 14 days):%n", pairs);
        run("heap (HashMapStateBackend)", new HashMapStateBackend(), detection, pairs, work.resolve("hashmap"), true);
        EmbeddedRocksDBStateBackend rocksDb = new EmbeddedRocksDBStateBackend(true);
        // the harness's managed memory is a few MB: RocksDB would flush and compact all the time; a TaskManager
        // gives it its share of managed memory, here RocksDB's own defaults stand in for that
        rocksDb.getMemoryConfiguration().setUseManagedMemory(false);
        run("RocksDB (incremental)", rocksDb, detection, pairs, work.resolve("rocksdb"), false);
    }

    private static void run(String name, StateBackend backend, RareAppDetection detection, int pairs, Path dir,
            boolean measureHeap) throws Exception {
        Files.createDirectories(dir);
        long heapBefore = usedHeap();
        long started = System.nanoTime();
        try (KeyedOneInputStreamOperatorTestHarness<RareAppKey, SignIn, Alert> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new RareAppEvaluator(detection)), detection::keyOf,
                TypeInformation.of(RareAppKey.class))) {
            h.setStateBackend(backend);
            h.setCheckpointStorage(new FileSystemCheckpointStorage(dir.toUri()));
            h.open();
            for (int i = 0; i < pairs; i++) {
                SignIn s = new SignIn();
                s.timestamp = T0 + 10 * 60_000L + (i % 2_000_000);
                s.tenantId = TENANT;
                s.category = Categories.SIGN_IN_LOGS;
                s.id = "a7c3f1e2-" + i;
                s.userPrincipalName = "user" + i + "@contoso.com";
                s.appId = APPS[i % APPS.length];
                s.appDisplayName = "App " + (i % APPS.length);
                s.errorCode = 50126;
                h.processElement(s, s.timestamp);
                if ((i + 1) % 200_000 == 0) System.err.printf(Locale.ROOT, "  %s: %,d pairs fed%n", name, i + 1);
            }
            long fed = System.nanoTime();
            h.processWatermark(new Watermark(T0 + 3_600_000L)); // evaluates every pair's hour
            long entries;
            try (var keys = ((org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>) h.getOperator())
                    .getKeyedStateBackend().getKeys("history", org.apache.flink.runtime.state.VoidNamespace.INSTANCE)) {
                entries = keys.count();
            }
            int timers = h.numEventTimeTimers();
            long heapAfter = measureHeap ? usedHeap() : 0;
            OperatorSubtaskState snapshot = h.snapshot(1, System.currentTimeMillis());
            long checkpointBytes = snapshot.getStateSize();
            long onDisk = du(dir);
            System.out.printf(Locale.ROOT, "%-28s fed %,d sign-ins in %.1f s (%,.0f/s); %,d pairs in state, %,d timers%n", name,
                    pairs, (fed - started) / 1e9, pairs / ((fed - started) / 1e9), entries, timers);
            if (measureHeap) {
                System.out.printf(Locale.ROOT, "%-28s JVM heap: %,.1f MB = %,.0f bytes per pair (state objects, keys, timers)%n",
                        "", (heapAfter - heapBefore) / 1e6, (heapAfter - heapBefore) / (double) pairs);
            }
            System.out.printf(Locale.ROOT, "%-28s checkpoint: %,.1f MB = %,.0f bytes per pair (files on disk %,.1f MB)%n", "",
                    checkpointBytes / 1e6, checkpointBytes / (double) pairs, onDisk / 1e6);
        }
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long du(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
