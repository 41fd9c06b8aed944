package io.entrawatch.ingest;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.SourceOptions;
import io.entrawatch.pipeline.DetectionPipeline;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventHubsSourceTest {
    private static final String SECRET = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=abc\"def=";

    @Test
    void clientSettingsAreTheOnesAzureDocumentsForEventHubs() {
        Properties p = EventHubsSource.clientProperties(JobOptions.defaults(), SECRET);
        assertEquals("SASL_SSL", p.getProperty("security.protocol"));
        assertEquals("PLAIN", p.getProperty("sasl.mechanism"));
        assertEquals("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$ConnectionString\" "
                + "password=\"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=abc\\\"def=\";",
                p.getProperty("sasl.jaas.config"), "the password is quoted for JAAS");
        assertEquals("180000", p.getProperty("metadata.max.age.ms"));
        assertEquals("180000", p.getProperty("connections.max.idle.ms"));
        assertEquals("60000", p.getProperty("request.timeout.ms"));
        assertEquals("30000", p.getProperty("session.timeout.ms"));
        assertEquals("300000", p.getProperty("max.poll.interval.ms"));
        assertFalse(p.containsKey("ssl.truststore.location"), "public CA by default");
        Properties local = EventHubsSource.clientProperties(JobOptions.defaults().with(SourceOptions.CA_FILE, "/ca.pem"), SECRET);
        assertEquals("PEM", local.getProperty("ssl.truststore.type"));
        assertEquals("/ca.pem", local.getProperty("ssl.truststore.location"));
    }

    @Test
    void apiVersionsV3InstallsTheTlsEngineFactoryThatRewritesIt() {
        JobOptions base = JobOptions.defaults().with(SourceOptions.BOOTSTRAP_SERVERS, "ns.servicebus.windows.net:9093");
        assertFalse(EventHubsSource.clientProperties(base, "cs").containsKey("ssl.engine.factory.class"), "off by default");
        Properties p = EventHubsSource.clientProperties(base.with(SourceOptions.API_VERSIONS_V3, "true"), "cs");
        assertEquals(ApiVersionsV3SslEngineFactory.class.getName(), p.getProperty("ssl.engine.factory.class"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventHubsSource.clientProperties(
                base.with(SourceOptions.API_VERSIONS_V3, "true").with(SourceOptions.SECURITY_PROTOCOL, "SASL_PLAINTEXT"), "cs"));
        assertEquals("--source.api-versions-v3 works on TLS only: it needs --source.security-protocol SASL_SSL "
                + "(now: SASL_PLAINTEXT)", e.getMessage());
    }

    @Test
    void startingPositions() {
        assertNotNull(EventHubsSource.startingOffsets("committed"));
        assertNotNull(EventHubsSource.startingOffsets("EARLIEST"));
        assertNotNull(EventHubsSource.startingOffsets("latest"));
        assertNotNull(EventHubsSource.startingOffsets("timestamp:2025-11-14T00:00:00Z"));
        assertNotNull(EventHubsSource.startingOffsets("timestamp:1763078400000"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EventHubsSource.startingOffsets("timestamp:yesterday"));
        assertTrue(e.getMessage().contains("neither epoch millis nor an ISO-8601 instant"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EventHubsSource.startingOffsets("beginning"));
    }

    @Test
    void missingSettingsFailWithWhatToFix() {
        SignInParser parser = DetectionPipeline.parser(JobOptions.defaults());
        IllegalArgumentException noHost = assertThrows(IllegalArgumentException.class,
                () -> EventHubsSource.create(JobOptions.defaults(), SECRET, parser));
        assertTrue(noHost.getMessage().startsWith("--source.bootstrap-servers is required"), noHost.getMessage());
        IllegalArgumentException noSecret = assertThrows(IllegalArgumentException.class, () -> EventHubsSource.create(
                JobOptions.defaults().with(SourceOptions.BOOTSTRAP_SERVERS, "ns.servicebus.windows.net:9093"), null, parser));
        assertTrue(noSecret.getMessage().contains("EVENTHUBS_CONNECTION_STRING"), noSecret.getMessage());
        assertFalse(noSecret.getMessage().contains("SharedAccessKey"));
    }
}
