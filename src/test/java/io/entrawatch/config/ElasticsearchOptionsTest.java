package io.entrawatch.config;

import io.entrawatch.model.Alert;
import io.entrawatch.sink.elasticsearch.ConnectionSettings;
import io.entrawatch.sink.elasticsearch.ElasticsearchSink;
import io.entrawatch.sink.elasticsearch.ElasticsearchSinkSettings;
import io.entrawatch.sink.elasticsearch.IndexRequests;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElasticsearchOptionsTest {
    private static final String PASSWORD = "s3cr3t-Pa55word";
    private static final ConnectionSettings LOCAL = ConnectionSettings.builder().hosts("http://127.0.0.1:9200").build();

    private static ElasticsearchSinkSettings sinkSettings(JobOptions options) {
        ElasticsearchSink<Alert> sink = ElasticsearchOptions.<Alert>sink(options, LOCAL)
                .setElementConverter(IndexRequests.alertConverter(options.get(ElasticsearchOptions.INDEX))).build();
        return sink.settings();
    }

    @Test
    void shouldTakeBatchingRetryIndicesAndTemplatesFromTheOptions() {
        JobOptions options = JobOptions.parse(new String[] {"--es.bulk.max-actions", "500", "--es.bulk.max-bytes", "2mb",
                "--es.bulk.max-in-flight", "2", "--es.bulk.max-buffered", "4000", "--es.bulk.flush-interval", "250 ms",
                "--es.index", "prod-alerts", "--dead-letter.index", "prod-dlq", "--dead-letter.max-payload-bytes", "64kb",
                "--es.install-template", "false", "--es.retry.initial-backoff", "250 ms", "--es.retry.max-backoff", "2 min"}, null);
        ElasticsearchSinkSettings s = sinkSettings(options);
        assertEquals(500, s.bulk().maxActions());
        assertEquals(2L * 1024 * 1024, s.bulk().maxBytes());
        assertEquals(2, s.bulk().maxInFlight());
        assertEquals(4000, s.bulk().maxBuffered());
        assertEquals(250, s.bulk().flushIntervalMs());
        assertEquals("prod-alerts", s.templates().alertIndex());
        assertFalse(s.templates().installs());
        assertEquals("prod-dlq", s.deadLetters().index());
        assertEquals(64 * 1024, s.deadLetters().maxPayloadBytes());
        assertEquals(Duration.ofMillis(250), s.retry().initialBackoff());
        assertEquals(Duration.ofMinutes(2), s.retry().maxBackoff());
    }

    /** The option defaults and the sink's own defaults are the same numbers. */
    @Test
    void optionDefaultsShouldBeTheSinkDefaults() {
        ElasticsearchSinkSettings fromOptions = sinkSettings(JobOptions.defaults());
        ElasticsearchSinkSettings sinkDefaults = ElasticsearchSink.<Alert>builder().setConnection(LOCAL)
                .setDeadLetterRouting(io.entrawatch.sink.elasticsearch.DeadLetterRouting.toIndex("entrawatch-dead-letters"))
                .setElementConverter(IndexRequests.alertConverter("entrawatch-alerts")).build().settings();
        assertEquals(sinkDefaults.bulk().toString(), fromOptions.bulk().toString());
        assertEquals(sinkDefaults.retry().toString(), fromOptions.retry().toString());
        assertEquals(sinkDefaults.deadLetters().toString(), fromOptions.deadLetters().toString());
        assertEquals(ConnectionSettings.builder().build().requestTimeout(),
                ElasticsearchOptions.connection(JobOptions.defaults(), Map.of()).requestTimeout());
        assertEquals("entrawatch-alerts", fromOptions.templates().alertIndex());
        assertTrue(fromOptions.templates().installs());
    }

    /** Alerts get the time the sink sends them (event.created, event.ingested); dead letters keep their own @timestamp only. */
    @Test
    void theAlertSinkSendsEventTimesAndTheDeadLetterSinkDoesNot() {
        assertTrue(io.entrawatch.JobSinks.alerts(JobOptions.defaults(), LOCAL).settings().eventTimes());
        assertFalse(io.entrawatch.JobSinks.deadLettersToElasticsearch(JobOptions.defaults(), LOCAL).settings().eventTimes());
        assertFalse(sinkSettings(JobOptions.defaults()).eventTimes(), "the sink's default: documents as they are");
    }

    @Test
    void shouldRefuseTheAlertIndexAsDeadLetterIndex() {
        JobOptions options = JobOptions.parse(new String[] {"--es.index", "same", "--dead-letter.index", "same",
                "--es.install-template", "false"}, null);
        assertThrows(IllegalArgumentException.class, () -> sinkSettings(options));
    }

    @Test
    void shouldReadSecretsFromTheEnvironmentNotFromOptions() {
        JobOptions options = JobOptions.parse(new String[] {"--es.hosts", "https://a:9200,https://b:9200", "--es.username", "writer",
                "--es.request-timeout", "20 s"}, null);
        ConnectionSettings s = ElasticsearchOptions.connection(options, Map.of("ES_PASSWORD", PASSWORD));
        assertEquals(List.of("https://a:9200", "https://b:9200"), s.hosts());
        assertEquals("writer", s.username());
        assertEquals(Duration.ofSeconds(20), s.requestTimeout());
        assertFalse(s.toString().contains(PASSWORD));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ElasticsearchOptions.connection(options, Map.of()));
        assertTrue(missing.getMessage().contains("ES_PASSWORD"));
        ConnectionSettings key = ElasticsearchOptions.connection(JobOptions.defaults(), Map.of("ES_API_KEY", "a2V5"));
        assertTrue(key.hasCredentials());
    }
}
