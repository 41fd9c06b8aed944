package io.entrawatch.sink.elasticsearch;

import io.entrawatch.config.JobOptions;
import io.entrawatch.model.Alert;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElasticsearchSinkBuilderTest {
    private static final ConnectionSettings LOCAL = ConnectionSettings.builder().hosts("http://127.0.0.1:9200").build();

    @Test
    void shouldTakeBatchingAndIndicesFromTheJobOptions() throws Exception {
        JobOptions options = JobOptions.parse(new String[] {"--es.bulk.max-actions", "500", "--es.bulk.max-bytes", "2mb",
                "--es.bulk.max-in-flight", "2", "--es.bulk.max-buffered", "4000", "--es.bulk.flush-interval", "250 ms",
                "--es.request-timeout", "20 s", "--es.index", "prod-alerts", "--dead-letter.index", "prod-dlq",
                "--es.install-template", "false", "--es.retry.initial-backoff", "250 ms", "--es.retry.max-backoff", "2 min"}, null);
        ElasticsearchSink<Alert> sink = ElasticsearchSink.forAlerts(options, LOCAL);
        ElasticsearchSinkWriter.Settings s = sink.writerConfiguration();
        assertEquals(500, s.maxBatchSize);
        assertEquals(2L * 1024 * 1024, s.maxBatchSizeInBytes);
        assertEquals(2, s.maxInFlightRequests);
        assertEquals(4000, s.maxBufferedRequests);
        assertEquals(250, s.maxTimeInBufferMs);
        assertEquals(20_000, s.httpTimeoutMs);
        assertEquals("prod-alerts", s.alertIndex);
        assertEquals("prod-dlq", s.deadLetterIndex);
        assertEquals(false, s.installTemplates);
        assertEquals(250, s.initialBackoffMs);
        assertEquals(120_000, s.maxBackoffMs);
        assertTrue(s.writerTimeoutMs > s.httpTimeoutMs + s.maxBackoffMs, "the base writer's timeout is only a safety net");
        // The sink travels to the TaskManagers by Java serialization.
        ElasticsearchSink<Alert> copy = InstantiationUtil.clone(sink);
        assertEquals(500, copy.writerConfiguration().maxBatchSize);
    }

    @Test
    void defaultsShouldBeTheJobOptionDefaults() {
        ElasticsearchSinkWriter.Settings s = ElasticsearchSink.forAlerts(JobOptions.defaults(), LOCAL).writerConfiguration();
        assertEquals(1000, s.maxBatchSize);
        assertEquals(5L * 1024 * 1024, s.maxBatchSizeInBytes);
        assertEquals(4, s.maxInFlightRequests);
        assertEquals(10_000, s.maxBufferedRequests);
        assertEquals(1000, s.maxTimeInBufferMs);
        assertEquals(100, s.initialBackoffMs);
        assertEquals(30_000, s.maxBackoffMs);
        assertEquals("entrawatch-alerts", s.alertIndex);
        assertEquals("entrawatch-dead-letters", s.deadLetterIndex);
        assertEquals(256 * 1024, s.maxDeadLetterPayloadBytes);
    }

    @Test
    void shouldRefuseInconsistentSettings() {
        assertThrows(IllegalArgumentException.class, () -> ElasticsearchSink.<Alert>builder()
                .setElementConverter(IndexRequests.alertConverter("a")).build(), "no connection");
        assertThrows(IllegalArgumentException.class, () -> ElasticsearchSink.<Alert>builder().setConnection(LOCAL)
                .setElementConverter(IndexRequests.alertConverter("a")).setMaxBatchSize(100).setMaxBufferedRequests(100)
                .build(), "buffer must exceed a batch");
        assertThrows(IllegalArgumentException.class, () -> ElasticsearchSink.<Alert>builder().setConnection(LOCAL)
                .setElementConverter(IndexRequests.alertConverter("a")).setAlertIndex("same").setDeadLetterIndex("same")
                .build(), "dead letters need their own index");
    }
}
