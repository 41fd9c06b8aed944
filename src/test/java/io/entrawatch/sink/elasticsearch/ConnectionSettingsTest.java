package io.entrawatch.sink.elasticsearch;

import org.apache.flink.util.InstantiationUtil;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionSettingsTest {
    private static final String PASSWORD = "s3cr3t-Pa55word";
    private static final String API_KEY = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==";

    @Test
    void toStringShouldNeverShowSecrets() {
        ConnectionSettings basic = ConnectionSettings.builder().hosts("https://es:9200").basicAuth("writer", PASSWORD).build();
        ConnectionSettings key = ConnectionSettings.builder().hosts("https://es:9200").apiKey(API_KEY).build();
        assertFalse(basic.toString().contains(PASSWORD), basic.toString());
        assertTrue(basic.toString().contains("writer"));
        assertFalse(key.toString().contains(API_KEY), key.toString());
        ElasticsearchSink<String> sink = ElasticsearchSink.<String>builder().setConnection(key)
                .setDeadLetterRouting(DeadLetterRouting.toIndex("dlq"))
                .setElementConverter((s, c) -> IndexRequestEntry.of("a", s, new byte[0])).build();
        assertFalse(sink.toString().contains(API_KEY));
    }

    @Test
    void redactRemovesThePasswordTheApiKeyAndTheBasicToken() {
        ConnectionSettings basic = ConnectionSettings.builder().hosts("https://es:9200").basicAuth("writer", PASSWORD).build();
        String token = java.util.Base64.getEncoder().encodeToString(("writer:" + PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("user writer, password ***, header Basic ***",
                basic.redact("user writer, password " + PASSWORD + ", header Basic " + token));
        ConnectionSettings key = ConnectionSettings.builder().hosts("https://es:9200").apiKey(API_KEY).build();
        assertEquals("ApiKey ***", key.redact("ApiKey " + API_KEY));
        assertTrue(basic.hasCredentials() && key.hasCredentials());
        assertFalse(ConnectionSettings.builder().hosts("https://es:9200").build().hasCredentials());
    }

    @Test
    void shouldRefuseBothAuthMethodsAndCredentialsInUrls() {
        assertThrows(IllegalArgumentException.class,
                () -> ConnectionSettings.builder().basicAuth("u", PASSWORD).apiKey(API_KEY).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConnectionSettings.builder().hosts("https://u:" + PASSWORD + "@es:9200"));
        assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConnectionSettings.builder().hosts("es:9200"));
    }

    @Test
    void shouldSurviveJavaSerializationAndBuildAClientWithTheCa() throws Exception {
        Path ca = Path.of(getClass().getResource("/elasticsearch/test-ca.pem").toURI());
        ConnectionSettings s = ConnectionSettings.builder().hosts("https://127.0.0.1:9200").basicAuth("u", PASSWORD)
                .caCertificatesFile(ca).build();
        ConnectionSettings copy = InstantiationUtil.clone(s);
        assertEquals(s.toString(), copy.toString());
        try (RestClient client = copy.createClient(Duration.ofSeconds(5))) {
            assertNotNull(client);
        }
        assertNotNull(PemTrust.sslContext(new String(java.nio.file.Files.readAllBytes(ca)), "test"));
    }

    @Test
    void shouldExplainAFileThatIsNoCertificate() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConnectionSettings.builder().caCertificatesPem("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n"));
        assertTrue(e.getMessage().contains("no PEM certificate"), e.getMessage());
    }
}
