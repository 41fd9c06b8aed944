package io.entrawatch.e2e;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.SourceOptions;
import io.entrawatch.ingest.EventHubsSource;
import io.entrawatch.testing.LocalKafka;
import io.entrawatch.testing.TestCertificates;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS verification is on for the Event Hubs (Kafka) endpoint. With the job's own
 * client properties ({@link EventHubsSource#clientProperties}) and a CA that did not sign the broker's
 * certificate, the connection fails with an error that names the TLS/certificate problem and does
 * not contain the connection string. The same properties with the right CA connect (so the test can fail).
 */
class KafkaWrongCaITCase {
    @TempDir
    Path dir;

    private static Properties properties(LocalKafka kafka, Path ca) {
        JobOptions options = JobOptions.defaults().with(SourceOptions.CA_FILE, ca.toString());
        Properties p = EventHubsSource.clientProperties(options, kafka.getConnectionString());
        p.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
        p.setProperty(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        p.setProperty(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        return p;
    }

    @Test
    void aWrongCaFailsWithATlsErrorAndTheRightOneConnects() throws Exception {
        LocalKafka kafka = LocalKafka.shared();
        try (Admin admin = Admin.create(properties(kafka, kafka.getCaFile()))) {
            assertNotNull(admin.describeCluster(new DescribeClusterOptions().timeoutMs(30_000)).clusterId()
                    .get(60, TimeUnit.SECONDS), "the right CA connects");
        }
        Path wrong = TestCertificates.unrelatedCa(dir, "Not The Broker CA");
        String chain;
        try (Admin admin = Admin.create(properties(kafka, wrong))) {
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> admin.describeCluster(new DescribeClusterOptions().timeoutMs(30_000)).clusterId()
                            .get(60, TimeUnit.SECONDS));
            StringBuilder b = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) b.append(t).append(" | ");
            chain = b.toString();
        }
        assertTrue(chain.contains("SslAuthenticationException") && chain.contains("SSL handshake failed"), chain);
        assertTrue(chain.contains("PKIX") || chain.contains("certification path") || chain.contains("certificate"), chain);
        assertFalse(chain.contains(kafka.getConnectionString()), "the connection string is not in the error");
        String key = kafka.getConnectionString().replaceAll(".*SharedAccessKey=([^;]+).*", "$1");
        assertFalse(chain.contains(key), "the key is not in the error");
    }
}
