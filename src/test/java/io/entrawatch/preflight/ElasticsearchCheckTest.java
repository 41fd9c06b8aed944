package io.entrawatch.preflight;

import io.entrawatch.config.ElasticsearchOptions;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --es.hosts} pointing at a web server that is not Elasticsearch (a JDK HTTP server on loopback,
 * which is exactly that): the problem names the option. Every answer of Elasticsearch itself is checked
 * against real nodes in PreflightITCase.
 */
class ElasticsearchCheckTest {
    private static final String PASSWORD = "pre-flight-Secret-42";
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    private JobOptions serving(int status, String body) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, b.length);
            exchange.getResponseBody().write(b);
            exchange.close();
        });
        server.start();
        return JobOptions.defaults().with(ElasticsearchOptions.HOSTS, "http://127.0.0.1:" + server.getAddress().getPort())
                .with(ElasticsearchOptions.USERNAME, "writer");
    }

    private static List<String> check(JobOptions options) {
        List<String> problems = ElasticsearchCheck.run(options, Map.of(Secrets.ES_PASSWORD_ENV, PASSWORD), Duration.ofSeconds(5));
        problems.forEach(p -> assertFalse(p.contains(PASSWORD), p));
        return problems;
    }

    @Test
    void somethingElseThanElasticsearchNamesTheHostsOption() throws Exception {
        List<String> problems = check(serving(404, "<html>\n<body>Not Found</body>\n</html>"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("answered HTTP 404 to the privileges check [<html> <body>Not Found</body> </html>]: "
                + "check --es.hosts"), problems.get(0));
    }
}
