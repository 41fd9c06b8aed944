package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrawatch.TestRecords;
import io.entrawatch.TestRecords.Record;
import io.entrawatch.config.ElasticsearchOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.PreflightOptions;
import io.entrawatch.config.Secrets;
import io.entrawatch.config.SourceOptions;
import io.entrawatch.preflight.Preflight;
import io.entrawatch.testing.ApiVersionsResetProxy;
import io.entrawatch.testing.ApiVersionsResetProxy.Request;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.entrawatch.TestRecords.MIN;
import static io.entrawatch.TestRecords.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the job does against a Kafka endpoint that resets the connection at ApiVersions v4, as Azure
 * Event Hubs has been reported to: an {@link ApiVersionsResetProxy} in front of a {@link LocalKafka}
 * that advertises the proxy, so that every connection of a client bootstrapped through it goes through
 * it, as every connection to Event Hubs goes to the namespace's endpoint.
 *
 * <p>kafka-clients (the version the job ships) logs in with ApiVersions v0, SaslHandshake v1,
 * SaslAuthenticate v2, then sends ApiVersions v4; after the reset it connects again and sends v4 again,
 * never a lower version. The start-up check says so and names {@code --source.api-versions-v3}; with
 * it the same connections send v3 and the job reads, alerts and writes dead letters through the proxy.
 */
class EventHubsApiVersionsITCase {
    private static final List<Request> LOGIN_THEN_V4 = List.of(new Request(18, 0), new Request(17, 1),
            new Request(36, 2), new Request(18, 4));

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    private static ApiVersionsResetProxy proxy;
    private static LocalKafka kafka;
    private static LocalElasticsearch es;

    @BeforeAll
    static void services() throws Exception {
        proxy = new ApiVersionsResetProxy(4);
        kafka = LocalKafka.startBehindProxy(proxy.port());
        proxy.forwardTo(kafka);
        es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) proxy.close();
        if (kafka != null) kafka.close();
    }

    private static JobOptions checkOptions(String topic) {
        return JobOptions.defaults()
                .with(SourceOptions.BOOTSTRAP_SERVERS, proxy.bootstrapServers())
                .with(SourceOptions.TOPICS, topic)
                .with(SourceOptions.CA_FILE, kafka.getCaFile().toString())
                .with(ElasticsearchOptions.HOSTS, es.getUrl())
                .with(ElasticsearchOptions.USERNAME, es.getUsername())
                .with(ElasticsearchOptions.CA_FILE, es.getCaFile().toString())
                .with(PreflightOptions.TIMEOUT, "10 s");
    }

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put(Secrets.EVENTHUBS_ENV, kafka.getConnectionString());
        env.put(Secrets.ES_PASSWORD_ENV, es.getPassword());
        return env;
    }

    /** The job's options for a topic read through the proxy. */
    private static List<String> jobArgs(String topic, String suffix) {
        List<String> args = EndToEnd.jobArgs(kafka, topic, es, "alerts-" + suffix, "dead-letters-" + suffix);
        args.set(args.indexOf("--source.bootstrap-servers") + 1, proxy.bootstrapServers());
        args.addAll(List.of("--checkpoint.interval", "2 s", "--rare-app.enabled", "false", "--parallelism", "2"));
        return args;
    }

    /** 300,000 control characters: its dead letter, 256 KiB of them, would be 1.5 MB of JSON. */
    private static final String CONTROL_CHARACTERS = "\u0001".repeat(300_000);

    /**
     * A password spray over 31 users (one alert), a message that is not JSON and one of control characters
     * (two dead letters), and a flush.
     */
    private static void sendScenario(String topic) {
        List<Record> users = IntStream.range(0, 31)
                .mapToObj(i -> TestRecords.sprayFailure("spray" + i + "@contoso.com", T0 + MIN + i * 1000L))
                .collect(Collectors.toList());
        EndToEnd.send(kafka, topic, List.of(TestRecords.envelope(users), "not json at all", CONTROL_CHARACTERS), 1);
        EndToEnd.sendToEveryPartition(kafka, topic, TestRecords.watermarkFlush(T0 + 120 * MIN), 2);
    }

    /** The connections the proxy saw from {@code from} on. */
    private static List<List<Request>> connectionsSince(int from) {
        List<List<Request>> all = proxy.connections();
        return all.subList(from, all.size());
    }

    private static List<Integer> apiVersionsAfterLogin(List<List<Request>> connections) {
        List<Integer> out = new ArrayList<>();
        for (List<Request> c : connections) {
            boolean loggedIn = false;
            for (Request r : c) {
                if (r.apiKey() == ApiVersionsResetProxy.SASL_AUTHENTICATE) loggedIn = true;
                else if (r.apiKey() == ApiVersionsResetProxy.API_VERSIONS && loggedIn) out.add(r.apiVersion());
            }
        }
        return out;
    }

    @Test
    void theStartUpCheckStopsTheStartAndNamesTheResetAtApiVersions() {
        String topic = "check-" + System.nanoTime();
        kafka.createTopic(topic, 2);
        int from = proxy.connections().size();

        List<String> problems = Preflight.problems(checkOptions(topic), env());

        assertEquals(1, problems.size(), problems.toString());
        String line = problems.get(0);
        System.out.println("api-versions v4: start-up check: " + line);
        assertTrue(line.startsWith("the Event Hubs endpoint " + proxy.bootstrapServers() + " accepted the login, then closed "
                + "the connection without answering the client's first request (ApiVersions), on all "), line);
        assertTrue(line.contains("kafka-clients " + org.apache.kafka.common.utils.AppInfoParser.getVersion()
                + " does not fall back on a reset: set --source.api-versions-v3 true"), line);
        assertFalse(Preflight.isUnreachable(line), "a refusal, not an outage: the start stops");
        // every connection: the login with ApiVersions v0, then ApiVersions v4, reset; again and again, never lower
        // (the last one may have been cut short by the end of the check)
        List<List<Request>> connections = connectionsSince(from);
        assertTrue(connections.stream().filter(LOGIN_THEN_V4::equals).count() >= 3, connections.toString());
        connections.forEach(c -> assertEquals(LOGIN_THEN_V4.subList(0, c.size()), c, connections.toString()));
    }

    @Test
    void theJobsSourceRetriesV4AndReadsNothing() throws Exception {
        String topic = "v4-" + System.nanoTime();
        kafka.createTopic(topic, 2);
        sendScenario(topic);
        int from = proxy.connections().size();
        int resetsBefore = proxy.resets();

        JobClient job = EndToEnd.startJob(jobArgs(topic, topic), env(), "api-versions v4");
        JobStatus status;
        try {
            Thread.sleep(40_000);
            status = job.getJobStatus().get(30, TimeUnit.SECONDS);
            // nothing read: the alert index was never even created
            assertEquals(404, es.request("GET", "/alerts-" + topic + "/_count", null).status(),
                    "nothing read through an endpoint that resets at ApiVersions v4");
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        System.out.println("api-versions v4: job " + status + " after 40 s, " + (proxy.resets() - resetsBefore) + " resets");
        assertNotEquals(JobStatus.FAILED, status);
        List<List<Request>> connections = connectionsSince(from);
        assertTrue(proxy.resets() - resetsBefore >= 10, "resets: " + (proxy.resets() - resetsBefore));
        List<Integer> versions = apiVersionsAfterLogin(connections);
        assertFalse(versions.isEmpty());
        assertTrue(versions.stream().allMatch(v -> v == 4), "no fall-back to a lower version: " + versions);
        connections.forEach(c -> assertEquals(LOGIN_THEN_V4.subList(0, c.size()), c, connections.toString()));
    }

    @Test
    void withApiVersionsV3TheCheckPassesAndTheJobReadsAlertsAndWritesDeadLettersThroughTheEndpoint() throws Exception {
        String topic = "v3-" + System.nanoTime();
        String deadLetterTopic = "dead-letters-" + topic;
        kafka.createTopic(topic, 2);
        kafka.createTopic(deadLetterTopic, 1);
        sendScenario(topic);
        int from = proxy.connections().size();
        int resetsBefore = proxy.resets();

        List<String> problems = Preflight.problems(checkOptions(topic)
                .with(SourceOptions.API_VERSIONS_V3, "true"), env());
        assertEquals(List.of(), problems);

        List<String> args = jobArgs(topic, topic);
        args.addAll(List.of("--source.api-versions-v3", "true",
                "--dead-letter.target", "kafka", "--dead-letter.topic", deadLetterTopic));
        JobClient job = EndToEnd.startJob(args, env(), "api-versions v3");
        List<ConsumerRecord<byte[], byte[]>> deadLetters;
        try {
            es.awaitCount("alerts-" + topic, 1, 120_000);
            deadLetters = kafka.consume(deadLetterTopic, 2, Duration.ofSeconds(60));
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        JsonNode alert = EndToEnd.documents(es, "alerts-" + topic).values().iterator().next();
        assertEquals(31, alert.at("/detection/unique_user_count").asInt());
        assertEquals(2, deadLetters.size());
        deadLetters.sort(java.util.Comparator.comparingInt(r -> r.value().length));
        assertEquals("malformed", EndToEnd.JSON.readTree(deadLetters.get(0).value()).get("kind").asText());
        // the control characters' dead letter: cut to fit in an Event Hubs request (1,046,528 bytes), original size kept
        JsonNode large = EndToEnd.JSON.readTree(deadLetters.get(1).value());
        assertTrue(deadLetters.get(1).value().length <= 1_046_528 - 16 * 1024, deadLetters.get(1).value().length + " bytes");
        assertEquals(300_000, large.get("payload_bytes").asLong());
        assertTrue(CONTROL_CHARACTERS.startsWith(large.get("payload").asText()));

        assertEquals(resetsBefore, proxy.resets(), "no connection reset");
        List<List<Request>> connections = connectionsSince(from);
        List<Integer> versions = apiVersionsAfterLogin(connections);
        assertTrue(versions.size() >= 3, "the check's, the source's and the dead-letter producer's connections: " + versions);
        assertTrue(versions.stream().allMatch(v -> v == 3), "ApiVersions v3 after every login: " + versions);
    }
}
