package io.entrawatch.sink.elasticsearch;

import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.TestClusters;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.model.Alert;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.net.ssl.SSLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sink against an Elasticsearch node that requires https (own CA) and basic auth. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ElasticsearchSinkSecuredITCase {
    private static String USER;
    private static String PASSWORD;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.twoSlots();

    private static LocalElasticsearch elasticsearch;

    @BeforeAll
    static void startElasticsearch() throws Exception {
        elasticsearch = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        USER = elasticsearch.getUsername();
        PASSWORD = elasticsearch.getPassword();
    }

    @AfterAll
    static void stopElasticsearch() throws Exception {
        // shared node: stopped once at JVM exit
    }

    @Test
    void shouldWriteOverHttpsWithBasicAuthTrustingTheConfiguredCa() throws Exception {
        ConnectionSettings connection = ConnectionSettings.builder().hosts(elasticsearch.getUrl()).basicAuth(USER, PASSWORD)
                .caCertificatesFile(elasticsearch.getCaFile()).build();
        String alerts = "it-secured-alerts";
        List<Alert> input = LongStream.range(0, 40).mapToObj(n -> TestAlerts.alert(n, "low")).collect(Collectors.toList());
        ElasticsearchSink<Alert> sink = ElasticsearchSink.<Alert>builder().setConnection(connection)
                .setIndexTemplates(IndexTemplateSettings.install(alerts))
                .setDeadLetterRouting(DeadLetterRouting.toIndex("it-secured-dlq"))
                .setElementConverter(IndexRequests.alertConverter(alerts)).build();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.fromData(input).rebalance().sinkTo(sink);
        env.execute("alerts over https");

        try (RestClient client = connection.createClient(Duration.ofSeconds(30))) {
            client.performRequest(new Request("POST", "/" + alerts + "/_refresh"));
            String body = EntityUtils.toString(client.performRequest(new Request("GET", "/" + alerts + "/_count")).getEntity());
            assertEquals(40, new ObjectMapper().readTree(body).path("count").asLong());
        }
    }

    @Test
    void wrongPasswordShouldBeReportedWithoutShowingIt() {
        String wrong = "not-the-Pa55word-xyz";
        ConnectionSettings connection = ConnectionSettings.builder().hosts(elasticsearch.getUrl()).basicAuth(USER, wrong)
                .caCertificatesFile(elasticsearch.getCaFile()).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> IndexTemplateInstaller.install(connection, "it-secured-alerts", "it-secured-dlq"));
        assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
        assertFalse(e.getMessage().contains(wrong), e.getMessage());
    }

    @Test
    void withoutTheCaTheServerCertificateShouldNotBeTrusted() {
        ConnectionSettings connection = ConnectionSettings.builder().hosts(elasticsearch.getUrl()).basicAuth(USER, PASSWORD).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> IndexTemplateInstaller.install(connection, "it-secured-alerts", "it-secured-dlq"));
        assertTrue(e.getCause() instanceof SSLException, String.valueOf(e.getCause()));
        assertFalse(e.getMessage().contains(PASSWORD));
    }
}
