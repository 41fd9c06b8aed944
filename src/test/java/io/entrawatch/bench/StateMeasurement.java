package io.entrawatch.bench;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Measures what an operator's keyed state costs (a measurement for the benchmarks, not a test): the
 * operator runs in a test harness on a state backend, is fed, and then the JVM heap it holds (heap
 * backend only), the size of a checkpoint (timers included) and the checkpoint files on disk are taken.
 */
final class StateMeasurement {

    /** Creates the harness (not yet opened). */
    interface HarnessFactory<H extends AbstractStreamOperatorTestHarness<?>> {
        H create() throws Exception;
    }

    /** Feeds the opened harness; returns the number of keys it put into state. */
    interface Feed<H extends AbstractStreamOperatorTestHarness<?>> {
        long into(H harness) throws Exception;
    }

    /** The figures of one run; heapBytes is -1 where not measured (RocksDB keeps state off the heap). */
    record Figures(String backend, long keys, double feedSeconds, long heapBytes, long checkpointBytes, long filesOnDisk) {
        double heapPerKey() {
            return heapBytes < 0 ? -1 : heapBytes / (double) keys;
        }

        double checkpointPerKey() {
            return checkpointBytes / (double) keys;
        }

        String describe(String unit) {
            return String.format(Locale.ROOT, "%-22s %,d %s fed in %.1f s; %scheckpoint %,.1f MB = %,.0f B per %s (files %,.1f MB)",
                    backend, keys, unit + "s", feedSeconds,
                    heapBytes < 0 ? "" : String.format(Locale.ROOT, "heap %,.1f MB = %,.0f B per %s; ", heapBytes / 1e6, heapPerKey(), unit),
                    checkpointBytes / 1e6, checkpointPerKey(), unit, filesOnDisk / 1e6);
        }
    }

    private StateMeasurement() {}

    static final String HEAP = "heap (HashMap)";
    static final String ROCKSDB = "RocksDB (incremental)";

    /** The heap backend, and RocksDB with incremental checkpoints as in production. */
    static StateBackend backend(String name) {
        if (name.equals(HEAP)) return new HashMapStateBackend();
        EmbeddedRocksDBStateBackend rocksDb = new EmbeddedRocksDBStateBackend(true);
        // the harness's managed memory is a few MB: RocksDB would flush and compact all the time; a TaskManager
        // gives it its share of managed memory, here RocksDB's own defaults stand in for that
        rocksDb.getMemoryConfiguration().setUseManagedMemory(false);
        return rocksDb;
    }

    static <H extends AbstractStreamOperatorTestHarness<?>> Figures measure(String backendName, Path dir,
            HarnessFactory<H> factory, Feed<H> feed) throws Exception {
        Files.createDirectories(dir);
        boolean heap = backendName.equals(HEAP);
        long heapBefore = heap ? usedHeap() : 0;
        try (H h = factory.create()) {
            h.setStateBackend(backend(backendName));
            h.setCheckpointStorage(new FileSystemCheckpointStorage(dir.toUri()));
            h.open();
            long started = System.nanoTime();
            long keys = feed.into(h);
            double seconds = (System.nanoTime() - started) / 1e9;
            long heapBytes = heap ? usedHeap() - heapBefore : -1;
            OperatorSubtaskState snapshot = h.snapshot(1, System.currentTimeMillis());
            return new Figures(backendName, keys, seconds, heapBytes, snapshot.getStateSize(), du(dir));
        }
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200); // lets the collector finish; a measurement, not a test
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long du(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
