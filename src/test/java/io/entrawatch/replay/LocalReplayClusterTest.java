package io.entrawatch.replay;

import org.apache.flink.configuration.MemorySize;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LocalReplayClusterTest {
    /** 8 MB a slot (twice what a replay of a folder needs at parallelism 4, docs/replay.md), Flink's 64 MB from 8 on. */
    @Test
    void networkMemoryGrowsWithTheParallelismUpToFlinksLocalDefault() {
        assertEquals(MemorySize.ofMebiBytes(8), LocalReplayCluster.networkMemory(1));
        assertEquals(MemorySize.ofMebiBytes(16), LocalReplayCluster.networkMemory(2));
        assertEquals(MemorySize.ofMebiBytes(32), LocalReplayCluster.networkMemory(4));
        assertEquals(MemorySize.ofMebiBytes(64), LocalReplayCluster.networkMemory(8));
        assertEquals(MemorySize.ofMebiBytes(64), LocalReplayCluster.networkMemory(32));
    }
}
