package io.entrawatch.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/kibana/load against a stand-in for Kibana's two import endpoints (a local HTTP server answering as
 * Kibana's import APIs do): the saved objects go to {@code POST /api/saved_objects/_import?overwrite=true}
 * and the Security rule to {@code POST /api/detection_engine/rules/_import?overwrite=true}, each file as
 * the multipart field {@code file}, with {@code kbn-xsrf}, the credentials and the space; a refused import
 * fails the script.
 */
class KibanaLoadScriptTest {
    private HttpServer server;
    private final List<String> requests = new ArrayList<>();
    private final Map<String, String> bodies = new ConcurrentHashMap<>();
    private final Map<String, String> answers = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
        answers.put("/s/secops/api/saved_objects/_import", "{\"success\":true,\"successCount\":14,\"successResults\":[]}");
        answers.put("/s/secops/api/detection_engine/rules/_import", "{\"success\":true,\"success_count\":1,\"rules_count\":1,"
                + "\"errors\":[],\"exceptions_success\":true,\"exceptions_success_count\":0,\"exceptions_errors\":[]}");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private synchronized void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String auth = x.getRequestHeaders().getFirst("Authorization");
        requests.add(x.getRequestMethod() + " " + x.getRequestURI() + " kbn-xsrf=" + x.getRequestHeaders().getFirst("kbn-xsrf")
                + " auth=" + (auth == null ? null : new String(Base64.getDecoder().decode(auth.substring("Basic ".length())),
                StandardCharsets.UTF_8)) + " " + x.getRequestHeaders().getFirst("Content-Type").split(";")[0]);
        bodies.put(path, new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        byte[] answer = answers.getOrDefault(path, "{\"statusCode\":404}").getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(answers.containsKey(path) ? 200 : 404, answer.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(answer);
        }
    }

    private String[] run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(KibanaSavedObjectsTest.root().resolve("deploy/kibana/load").toString(),
                "--url", "http://127.0.0.1:" + server.getAddress().getPort() + "/", "--user", "elastic", "--space", "secops"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("KIBANA_PASSWORD", "pa55 word");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "load did not finish");
        return new String[] {Integer.toString(p.exitValue()), out};
    }

    @Test
    void importsTheSavedObjectsThenTheSecurityRule() throws Exception {
        String[] r = run();
        assertEquals("0", r[0], r[1]);
        assertEquals(List.of(
                "POST /s/secops/api/saved_objects/_import?overwrite=true kbn-xsrf=entrawatch auth=elastic:pa55 word multipart/form-data",
                "POST /s/secops/api/detection_engine/rules/_import?overwrite=true kbn-xsrf=entrawatch auth=elastic:pa55 word multipart/form-data"),
                requests);
        assertTrue(bodies.get("/s/secops/api/saved_objects/_import").contains("name=\"file\"; filename=\"entrawatch.ndjson\""));
        assertTrue(bodies.get("/s/secops/api/saved_objects/_import").contains(
                Files.readString(KibanaSavedObjectsTest.root().resolve("deploy/kibana/entrawatch.ndjson")).strip()));
        String ruleBody = bodies.get("/s/secops/api/detection_engine/rules/_import");
        assertTrue(ruleBody.contains("name=\"file\"; filename=\"security-rule.ndjson\""), ruleBody);
        assertTrue(ruleBody.contains(Files.readString(KibanaSavedObjectsTest.root().resolve(KibanaSecurityRuleTest.FILE)).strip()));
        assertTrue(r[1].contains("load: imported 14 saved objects into"), r[1]);
        assertTrue(r[1].contains("load: imported 1 Elastic Security detection rule(s) into"), r[1]);
    }

    @Test
    void importsOnlyWhatItIsAskedTo() throws Exception {
        assertEquals("0", run("--rule-only")[0]);
        assertEquals(1, requests.size());
        assertTrue(requests.get(0).startsWith("POST /s/secops/api/detection_engine/rules/_import?overwrite=true "), requests.toString());
        requests.clear();
        assertEquals("0", run("--no-rule")[0]);
        assertEquals(1, requests.size());
        assertTrue(requests.get(0).startsWith("POST /s/secops/api/saved_objects/_import?overwrite=true "), requests.toString());
    }

    /** The rule import answers 200 with success false when a rule is refused: the script says why and fails. */
    @Test
    void failsWhenKibanaRefusesTheRule() throws Exception {
        answers.put("/s/secops/api/detection_engine/rules/_import", "{\"success\":false,\"success_count\":0,\"rules_count\":1,"
                + "\"errors\":[{\"rule_id\":\"x\",\"error\":{\"status_code\":400,\"message\":\"invalid severity_mapping\"}}]}");
        String[] r = run();
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].contains("load: importing Elastic Security detection rule(s) failed (HTTP 200)")
                && r[1].contains("invalid severity_mapping"), r[1]);
    }
}
