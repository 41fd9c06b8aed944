package io.entrawatch.sink.elasticsearch;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IndexRequestEntrySerializerTest {
    @Test
    void bufferedEntriesShouldSurviveACheckpoint() throws IOException {
        byte[] large = ("{\"x\":\"" + "ü".repeat(50_000) + "\"}").getBytes(StandardCharsets.UTF_8); // > 64 KB
        List<IndexRequestEntry> entries = List.of(
                IndexRequestEntry.of("alerts", "a-1", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
                IndexRequestEntry.of("alerts", null, "{}".getBytes(StandardCharsets.UTF_8)),
                IndexRequestEntry.deadLetter("dlq", "rejected:alerts:ß", large));
        IndexRequestEntrySerializer serializer = new IndexRequestEntrySerializer();
        BufferedRequestState<IndexRequestEntry> state = new BufferedRequestState<>(entries.stream()
                .map(e -> new RequestEntryWrapper<>(e, BulkRequests.sizeInBytes(e))).toList());

        BufferedRequestState<IndexRequestEntry> restored =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(state));

        assertEquals(entries, restored.getBufferedRequestEntries().stream().map(RequestEntryWrapper::getRequestEntry).toList());
        assertEquals(state.getBufferedRequestEntries().stream().map(RequestEntryWrapper::getSize).toList(),
                restored.getBufferedRequestEntries().stream().map(RequestEntryWrapper::getSize).toList());
    }
}
