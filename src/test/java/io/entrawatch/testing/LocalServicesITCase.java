package io.entrawatch.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proves the local real-service tooling: a Kafka broker that authenticates like Azure Event Hubs,
 * and Elasticsearch 9.2.0 (HTTPS + basic auth) and 8.19.0 (plain HTTP). Each test starts and
 * stops its own service, so at most one big JVM runs at a time besides this one.
 */
class LocalServicesITCase {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void kafkaAuthenticatesLikeEventHubs() throws Exception {
        String bootstrap;
        Path runDir;
        try (LocalKafka kafka = LocalKafka.start()) {
            bootstrap = kafka.getBootstrapServers();
            runDir = kafka.getRunDir();
            assertTrue(bootstrap.startsWith("127.0.0.1:"), bootstrap);
            assertTrue(kafka.getConnectionString().matches(
                    "Endpoint=sb://localhost/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=\\S{20,}"),
                    kafka.getConnectionString());
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(runDir.resolve("eventhubs-connection-string")));
            assertTrue(Files.readString(kafka.getCaFile()).startsWith("-----BEGIN CERTIFICATE-----"));

            Properties props = kafka.clientProperties();
            assertEquals("SASL_SSL", props.getProperty("security.protocol"));
            assertEquals("PLAIN", props.getProperty("sasl.mechanism"));
            assertEquals("PEM", props.getProperty("ssl.truststore.type"));
            assertTrue(props.getProperty("sasl.jaas.config").contains("username=\"$ConnectionString\""));

            kafka.createTopic("signins", 2);
            assertTrue(kafka.listTopics().contains("signins"));
            List<byte[]> values = List.of(
                    "{\"id\":\"1\",\"userPrincipalName\":\"a@contoso.com\"}".getBytes(StandardCharsets.UTF_8),
                    "{\"id\":\"2\",\"userPrincipalName\":\"b@contoso.com\"}".getBytes(StandardCharsets.UTF_8));
            kafka.produce("signins", values);
            List<ConsumerRecord<byte[], byte[]>> records = kafka.consume("signins", 2, Duration.ofSeconds(60));
            assertEquals(2, records.size());
            assertEquals(Set.of(new String(values.get(0), StandardCharsets.UTF_8),
                            new String(values.get(1), StandardCharsets.UTF_8)),
                    Set.of(new String(records.get(0).value(), StandardCharsets.UTF_8),
                            new String(records.get(1).value(), StandardCharsets.UTF_8)));

            // A wrong SharedAccessKey is refused with SaslAuthenticationException, promptly, not by a hang.
            String wrong = kafka.getConnectionString().replaceFirst("SharedAccessKey=.*",
                    "SharedAccessKey=d3JvbmcgYnV0IHdlbGwtZm9ybWVkIGtleQ==");
            Properties bad = kafka.clientProperties(wrong);
            bad.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
            bad.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
            assertTimeoutPreemptively(Duration.ofSeconds(45), () -> {
                try (Admin admin = Admin.create(bad)) {
                    ExecutionException e = assertThrows(ExecutionException.class,
                            () -> admin.describeCluster().nodes().get(40, TimeUnit.SECONDS));
                    assertInstanceOfCause(SaslAuthenticationException.class, e);
                }
            });
            Properties badProducer = kafka.clientProperties(wrong);
            badProducer.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
            assertTimeoutPreemptively(Duration.ofSeconds(45), () -> {
                try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(badProducer, new ByteArraySerializer(), new ByteArraySerializer())) {
                    Exception e = assertThrows(Exception.class,
                            () -> producer.send(new ProducerRecord<>("signins", new byte[] {1})).get(40, TimeUnit.SECONDS));
                    assertInstanceOfCause(SaslAuthenticationException.class, e);
                }
            });
        }
        // close() stopped the broker and removed its run dir
        if (!Boolean.getBoolean("entrawatch.keepRunDirs")) {
            assertFalse(Files.exists(runDir), "run dir removed");
        }
        assertPortClosed(bootstrap);
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void elasticsearch9SecuredWithHttpsAndBasicAuth() throws Exception {
        String url;
        try (LocalElasticsearch es = LocalElasticsearch.start(LocalElasticsearch.V9, true)) {
            url = es.getUrl();
            assertEquals("9.2.0", es.getVersion());
            assertTrue(es.isSecure());
            assertTrue(url.startsWith("https://127.0.0.1:"), url);
            assertEquals("entrawatch", es.getUsername());
            assertNotNull(es.getPassword());
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(es.getRunDir().resolve("es-password")));

            String health = es.get("/_cluster/health");
            assertTrue(health.contains("\"status\":\"green\"") || health.contains("\"status\":\"yellow\""), health);
            assertEquals(401, es.requestAs(es.getUsername(), "wrong-password", "GET", "/_cluster/health", null).status());
            assertEquals(401, es.requestAs(null, null, "GET", "/_cluster/health", null).status());

            // HTTPS for real: a client that does not trust the local CA cannot connect
            HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            IOException tls = assertThrows(IOException.class, () -> untrusting.send(
                    HttpRequest.newBuilder(URI.create(url + "/_cluster/health")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()));
            assertInstanceOfCause(SSLException.class, tls);

            roundTrip(es);
        }
        assertPortClosed(url.replaceFirst("^https?://", ""));
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void elasticsearch8PlainHttp() {
        try (LocalElasticsearch es = LocalElasticsearch.start(LocalElasticsearch.V8, false)) {
            assertEquals("8.19.0", es.getVersion());
            assertTrue(es.getUrl().startsWith("http://127.0.0.1:"), es.getUrl());
            assertNull(es.getUsername());
            assertNull(es.getCaFile());
            String health = es.get("/_cluster/health");
            assertTrue(health.contains("\"number_of_nodes\":1"), health);
            roundTrip(es);
        }
    }

    private static void roundTrip(LocalElasticsearch es) {
        es.putJson("/entrawatch-alerts-it", "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0}}");
        es.postJson("/entrawatch-alerts-it/_doc/a1",
                "{\"rule\":\"impossible-travel\",\"user\":\"a@contoso.com\",\"severity\":\"high\"}");
        es.postJson("/entrawatch-alerts-it/_doc/a2",
                "{\"rule\":\"password-spray\",\"user\":\"b@contoso.com\",\"severity\":\"medium\"}");
        es.refresh("entrawatch-alerts-it");
        assertEquals(2, es.count("entrawatch-alerts-it"));
        String hits = es.search("entrawatch-alerts-it", "{\"query\":{\"term\":{\"rule.keyword\":\"password-spray\"}}}");
        assertTrue(hits.contains("b@contoso.com") && !hits.contains("a@contoso.com"), hits);
    }

    private static void assertInstanceOfCause(Class<? extends Throwable> expected, Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (expected.isInstance(c)) {
                return;
            }
        }
        throw new AssertionError("expected a " + expected.getSimpleName() + " in the causes of " + t, t);
    }

    private static void assertPortClosed(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
                    2000);
            throw new AssertionError(hostPort + " still accepts connections after close()");
        } catch (IOException expected) {
            // refused: the server is gone
        }
    }
}
