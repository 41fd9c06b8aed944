package io.entrawatch.sink.elasticsearch;

import io.entrawatch.model.Alert;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElasticsearchSinkBuilderTest {
    private static final ConnectionSettings LOCAL = ConnectionSettings.builder().hosts("http://127.0.0.1:9200").build();

    private static ElasticsearchSinkBuilder<Alert> minimal() {
        return ElasticsearchSink.<Alert>builder().setConnection(LOCAL)
                .setDeadLetterRouting(DeadLetterRouting.toIndex("dlq"))
                .setElementConverter(IndexRequests.alertConverter("alerts"));
    }

    @Test
    void shouldCarryTheGroupedSettingsToTheWriter() throws Exception {
        ConnectionSettings connection = ConnectionSettings.builder().hosts("http://127.0.0.1:9200")
                .requestTimeout(Duration.ofSeconds(20)).build();
        ElasticsearchSink<Alert> sink = minimal().setConnection(connection)
                .setBulk(BulkSettings.builder().maxActions(500).maxBytes(2L * 1024 * 1024).maxInFlight(2).maxBuffered(4000)
                        .flushInterval(Duration.ofMillis(250)).build())
                .setRetry(RetrySettings.of(Duration.ofMillis(250), Duration.ofMinutes(2)))
                .setDeadLetterRouting(DeadLetterRouting.builder().index("prod-dlq").maxPayloadBytes(64 * 1024).build())
                .setIndexTemplates(IndexTemplateSettings.of("prod-alerts", false))
                .build();
        ElasticsearchSinkSettings s = sink.settings();
        assertEquals(500, s.bulk().maxActions());
        assertEquals(2L * 1024 * 1024, s.bulk().maxBytes());
        assertEquals(2, s.bulk().maxInFlight());
        assertEquals(4000, s.bulk().maxBuffered());
        assertEquals(250, s.bulk().flushIntervalMs());
        assertEquals(2L * 1024 * 1024, s.bulk().maxDocumentBytes(), "a document may take a whole bulk");
        assertEquals(Duration.ofSeconds(20), s.connection().requestTimeout());
        assertEquals("prod-alerts", s.templates().alertIndex());
        assertFalse(s.templates().installs());
        assertEquals("prod-dlq", s.deadLetters().index());
        assertEquals(64 * 1024, s.deadLetterPayloadBytes());
        assertEquals(Duration.ofMillis(250), s.retry().initialBackoff());
        assertEquals(Duration.ofMinutes(2), s.retry().maxBackoff());
        assertTrue(s.writerTimeoutMs() > 20_000 + 120_000, "the base writer's timeout is only a safety net");

        AsyncSinkWriterConfiguration writer = ElasticsearchSinkWriter.writerConfiguration(s);
        assertEquals(500, writer.getMaxBatchSize());
        assertEquals(2L * 1024 * 1024, writer.getMaxBatchSizeInBytes());
        assertEquals(2, writer.getMaxInFlightRequests());
        assertEquals(4000, writer.getMaxBufferedRequests());
        assertEquals(250, writer.getMaxTimeInBufferMS());
        assertEquals(s.writerTimeoutMs(), writer.getRequestTimeoutMS());

        // The sink travels to the TaskManagers by Java serialization.
        ElasticsearchSink<Alert> copy = InstantiationUtil.clone(sink);
        assertEquals(s.toString(), copy.settings().toString());
    }

    @Test
    void shouldHaveDefaults() {
        ElasticsearchSinkSettings s = minimal().build().settings();
        assertEquals(1000, s.bulk().maxActions());
        assertEquals(5L * 1024 * 1024, s.bulk().maxBytes());
        assertEquals(4, s.bulk().maxInFlight());
        assertEquals(10_000, s.bulk().maxBuffered());
        assertEquals(1000, s.bulk().flushIntervalMs());
        assertEquals(Duration.ofMillis(100), s.retry().initialBackoff());
        assertEquals(Duration.ofSeconds(30), s.retry().maxBackoff());
        assertEquals(Duration.ofSeconds(60), s.connection().requestTimeout());
        assertEquals(256 * 1024, s.deadLetterPayloadBytes());
        assertNull(s.templates().alertIndex());
        assertFalse(s.templates().installs(), "templates only when asked for");
    }

    @Test
    void shouldKeepTheDeadLetterPayloadWithinHalfADocument() {
        ElasticsearchSinkSettings s = minimal().setBulk(BulkSettings.builder().maxBytes(100_000).build()).build().settings();
        assertEquals(50_000, s.deadLetterPayloadBytes());
        s = minimal().setBulk(BulkSettings.builder().maxBytes(1000).maxDocumentBytes(1000).build()).build().settings();
        assertEquals(1024, s.deadLetterPayloadBytes(), "1 KiB at least");
    }

    @Test
    void shouldRefuseInconsistentSettings() {
        assertThrows(IllegalArgumentException.class, () -> minimal().setConnection(null).build(), "no connection");
        assertThrows(IllegalArgumentException.class, () -> minimal().setDeadLetterRouting(null).build(), "no dead-letter index");
        assertThrows(IllegalArgumentException.class, () -> ElasticsearchSink.<Alert>builder().setConnection(LOCAL)
                .setDeadLetterRouting(DeadLetterRouting.toIndex("dlq")).build(), "no converter");
        assertThrows(IllegalArgumentException.class, () -> minimal().setDeadLetterRouting(DeadLetterRouting.toIndex("same"))
                .setIndexTemplates(IndexTemplateSettings.of("same", false)).build(), "dead letters need their own index");
        IllegalArgumentException buffer = assertThrows(IllegalArgumentException.class,
                () -> BulkSettings.builder().maxActions(100).maxBuffered(100).build(), "buffer must exceed a batch");
        assertEquals("es.bulk.max-buffered (100) must be greater than es.bulk.max-actions (100)", buffer.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BulkSettings.builder().maxBytes(10).maxDocumentBytes(11).build());
        assertThrows(IllegalArgumentException.class, () -> BulkSettings.builder().maxInFlight(0).build());
        assertThrows(IllegalArgumentException.class, () -> RetrySettings.of(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> RetrySettings.of(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> DeadLetterRouting.toIndex(""));
        assertThrows(IllegalArgumentException.class, () -> ConnectionSettings.builder().requestTimeout(Duration.ZERO));
    }
}
