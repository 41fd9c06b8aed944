package io.entrawatch.e2e;

import io.entrawatch.EntraWatchJob;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.Secrets;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * the production wiring runs with a real Event Hubs connection string and
 * Elasticsearch password (from the environment map, as on a cluster); the job configuration the REST
 * API and web UI show ({@code /jobs/{id}/config}, {@code /jobmanager/config}) contains neither.
 * Logs are not searched here.
 */
class SecretsNotExposedITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @Test
    void theRestConfigurationShowsNoSecret(@InjectClusterRESTAddress URI rest) throws Exception {
        LocalKafka kafka = LocalKafka.shared();
        LocalElasticsearch es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        String suffix = "secrets-" + System.nanoTime();
        kafka.createTopic(suffix, 1);
        JobOptions options = JobOptions.parse(new String[] {
                "--source.bootstrap-servers", kafka.getBootstrapServers(), "--source.topic", suffix,
                "--source.group-id", suffix, "--source.ssl.ca-file", kafka.getCaFile().toString(),
                "--es.hosts", es.getUrl(), "--es.username", es.getUsername(), "--es.ca-file", es.getCaFile().toString(),
                "--es.index", "alerts-" + suffix, "--dead-letter.index", "dead-letters-" + suffix,
                "--checkpoint.interval", "2 s", "--parallelism", "1"}, null);
        Map<String, String> environment = new HashMap<>();
        environment.put(Secrets.EVENTHUBS_ENV, kafka.getConnectionString());
        environment.put(Secrets.ES_PASSWORD_ENV, es.getPassword());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        EntraWatchJob.defineJob(env, options, environment);
        JobClient job = env.executeAsync("secrets " + suffix);
        HttpClient http = HttpClient.newHttpClient();
        try {
            String key = kafka.getConnectionString().replaceAll(".*SharedAccessKey=([^;]+).*", "$1");
            List<String> secrets = List.of(kafka.getConnectionString(), key, es.getPassword());
            // until the job is initialised the REST API shows an empty placeholder configuration and plan
            long deadline = System.currentTimeMillis() + 120_000;
            String state = "";
            while (!state.contains("\"state\":\"RUNNING\"") && System.currentTimeMillis() < deadline) {
                state = http.send(HttpRequest.newBuilder(rest.resolve("/jobs/" + job.getJobID())).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (!state.contains("\"state\":\"RUNNING\"")) Thread.sleep(200);
            }
            assertTrue(state.contains("\"state\":\"RUNNING\""), "the job runs: " + state);
            for (String path : List.of("/jobs/" + job.getJobID() + "/config", "/jobmanager/config",
                    "/jobs/" + job.getJobID(), "/jobs/" + job.getJobID() + "/plan")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(30))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), path + ": " + r.body());
                assertTrue(r.body().length() > 2, path);
                if (path.endsWith("/plan")) assertTrue(r.body().contains("Event Hubs"), "the real plan: " + r.body());
                for (String s : secrets) assertFalse(r.body().contains(s), path + " shows a secret");
            }
        } finally {
            job.cancel().get();
        }
    }
}
