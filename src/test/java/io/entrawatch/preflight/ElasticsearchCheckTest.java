package io.entrawatch.preflight;

import com.sun.net.httpserver.HttpServer;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.Secrets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The answers of Elasticsearch that the real test node does not give (PreflightITCase covers the ones
 * it does): a 403 to the privileges check, a cluster without security (no such endpoint: 400 "no
 * handler found", as a 9.2 node with {@code xpack.security.enabled=false} answers), and a URL that is
 * not Elasticsearch. A JDK HTTP server on loopback stands in and records what the check asked.
 */
class ElasticsearchCheckTest {
    private static final String PASSWORD = "pre-flight-Secret-42";
    private HttpServer server;
    private final AtomicReference<String> asked = new AtomicReference<>();

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    private JobOptions serving(int status, String body) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            asked.set(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, b.length);
            exchange.getResponseBody().write(b);
            exchange.close();
        });
        server.start();
        return JobOptions.defaults().with(JobOptions.ES_HOSTS, "http://127.0.0.1:" + server.getAddress().getPort())
                .with(JobOptions.ES_USERNAME, "writer");
    }

    private static List<String> check(JobOptions options) {
        List<String> problems = ElasticsearchCheck.run(options, Map.of(Secrets.ES_PASSWORD_ENV, PASSWORD), Duration.ofSeconds(5));
        problems.forEach(p -> assertFalse(p.contains(PASSWORD), p));
        return problems;
    }

    @Test
    void asksForThePrivilegesTheJobUses() throws Exception {
        JobOptions options = serving(200, "{\"username\":\"writer\",\"has_all_requested\":true}");
        assertEquals(List.of(), check(options));
        assertEquals("POST /_security/user/_has_privileges {\"cluster\":[\"manage_index_templates\"],\"index\":[{\"names\":"
                + "[\"entrawatch-alerts\",\"entrawatch-dead-letters\"],\"privileges\":[\"index\",\"create_index\",\"view_index_metadata\"]}]}",
                asked.get());
        check(options.with(JobOptions.ES_INSTALL_TEMPLATE, "false"));
        assertTrue(asked.get().endsWith("{\"cluster\":[],\"index\":[{\"names\":[\"entrawatch-alerts\",\"entrawatch-dead-letters\"],"
                + "\"privileges\":[\"index\",\"create_index\"]}]}"), asked.get());
    }

    @Test
    void aForbiddenCheckNamesTheRole() throws Exception {
        List<String> problems = check(serving(403, "{\"error\":{\"type\":\"security_exception\"},\"status\":403}"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("refused the privileges check of user 'writer' (HTTP 403): give it the role "
                + "entrawatch_writer (deploy/elasticsearch/role-entrawatch-writer.json)"), problems.get(0));
    }

    @Test
    void aClusterWithoutSecurityOnlyNeedsToAnswer() throws Exception {
        assertEquals(List.of(), check(serving(400,
                "{\"error\":\"no handler found for uri [/_security/user/_has_privileges] and method [POST]\"}")));
    }

    @Test
    void somethingElseThanElasticsearchNamesTheHostsOption() throws Exception {
        List<String> problems = check(serving(404, "<html>\n<body>Not Found</body>\n</html>"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("answered HTTP 404 to the privileges check [<html> <body>Not Found</body> </html>]: "
                + "check --es.hosts"), problems.get(0));
    }
}
