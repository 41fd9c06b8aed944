package io.entrawatch.sink.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.testing.LocalElasticsearch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Elasticsearch artefacts of deploy/elasticsearch on a real node (9.2, HTTPS, basic auth): the
 * install script, the job's own idempotent install of templates and write aliases, and the
 * least-privilege role entrawatch_writer (deploy/elasticsearch/roles.yml, given to a file-realm
 * user), which may install templates and write but not create aliases, read, delete or touch other
 * indices.
 *
 * <p>This Elasticsearch distribution (integ-test-zip) has no ILM module, so the script runs with
 * {@code --no-ilm} here; the ILM policies are checked for shape in {@code DeploymentArtefactsTest}.
 */
class ElasticsearchArtefactsITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalElasticsearch es;

    @BeforeAll
    static void node() {
        es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
    }

    private static ConnectionSettings settings(String user, String password) {
        return ConnectionSettings.builder().hosts(es.getUrl()).basicAuth(user, password)
                .caCertificatesFile(es.getCaFile()).build();
    }

    private static Path deploy(String path) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("deploy/elasticsearch/install"))) return d.resolve(path);
        }
        throw new IllegalStateException("deploy/elasticsearch not found");
    }

    private static String runInstall(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(deploy("deploy/elasticsearch/install").toString(),
                "--url", es.getUrl(), "--user", es.getUsername(), "--ca-file", es.getCaFile().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("ES_PASSWORD", es.getPassword());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "install did not finish");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** {name: is_write_index} of the indices behind an alias. */
    private static JsonNode aliasOf(String alias) throws Exception {
        return JSON.readTree(es.get("/_alias/" + alias));
    }

    @Test
    void installScriptIsIdempotentAndBootstrapsWriteAliases() throws Exception {
        String alerts = "install-alerts-" + System.nanoTime();
        String dead = "install-dead-" + System.nanoTime();
        runInstall("--no-ilm", "--alerts-index", alerts, "--dead-letter-index", dead);
        String again = runInstall("--no-ilm", "--alerts-index", alerts, "--dead-letter-index", dead);
        assertTrue(again.contains(alerts + " exists: left as it is"), again);

        for (String name : List.of(alerts, dead)) {
            JsonNode alias = aliasOf(name);
            assertEquals(1, alias.size(), "one backing index: " + alias);
            assertTrue(alias.path(name + "-000001").path("aliases").path(name).path("is_write_index").asBoolean(), alias.toString());
            JsonNode t = JSON.readTree(es.get("/_index_template/" + name)).path("index_templates").get(0).path("index_template");
            assertEquals(List.of(name, name + "-*"), List.of(t.path("index_patterns").get(0).asText(), t.path("index_patterns").get(1).asText()));
        }
        // the template the script installs is the one the job installs: the mapping is the ECS one
        JsonNode mapping = JSON.readTree(es.get("/" + alerts + "-000001/_mapping"));
        assertEquals("ip", mapping.at("/" + alerts + "-000001/mappings/properties/source/properties/ip/type").asText());

        // the job's own install on the same names changes nothing
        IndexTemplateInstaller.install(settings(es.getUsername(), es.getPassword()), alerts, dead);
        assertEquals(1, aliasOf(alerts).size());
    }

    @Test
    void jobInstallBootstrapsAWriteAliasOnceAndLeavesAConcreteIndexAlone() throws Exception {
        String alerts = "job-alerts-" + System.nanoTime();
        String dead = "job-dead-" + System.nanoTime();
        ConnectionSettings s = settings(es.getUsername(), es.getPassword());
        IndexTemplateInstaller.install(s, alerts, dead);
        IndexTemplateInstaller.install(s, alerts, dead);
        assertEquals(1, aliasOf(alerts).size());
        assertTrue(aliasOf(dead).path(dead + "-000001").path("aliases").path(dead).path("is_write_index").asBoolean());

        String legacy = "legacy-alerts-" + System.nanoTime();
        es.putJson("/" + legacy, "{}");
        IndexTemplateInstaller.install(s, legacy, null);
        assertEquals(404, es.request("GET", "/_alias/" + legacy, null).status(), "a concrete index stays a concrete index");
    }

    @Test
    void writerRoleMayInstallAndWriteButNotReadDeleteOrWriteElsewhere() throws Exception {
        // the role as shipped, for index names of this test; a file-realm user with it
        String prefix = "rolecheck" + System.nanoTime();
        String role = Files.readString(deploy("deploy/elasticsearch/roles.yml"))
                .replace("entrawatch-alerts", prefix + "-alerts").replace("entrawatch-dead-letters", prefix + "-dead");
        Path config = es.getRunDir().resolve("es/config");
        String user = prefix;
        String password = "pw-" + Long.toHexString(new SecureRandom().nextLong());
        Files.writeString(config.resolve("roles.yml"), "\n" + role.replace("entrawatch_writer:", prefix + "_writer:"),
                StandardOpenOption.APPEND);
        Files.writeString(config.resolve("users"), user + ":" + pbkdf2(password) + "\n", StandardOpenOption.APPEND);
        Files.writeString(config.resolve("users_roles"), prefix + "_writer:" + user + "\n", StandardOpenOption.APPEND);

        HttpClient http = HttpClient.newBuilder().sslContext(es.getSslContext()).build();
        // the file realm reloads its files within seconds
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (as(http, user, password, "GET", "/_security/_authenticate", null).statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "the file realm did not pick up user " + user);
            Thread.sleep(500);
        }
        // the role, not a leftover, is what the user has
        JsonNode me = JSON.readTree(as(http, user, password, "GET", "/_security/_authenticate", null).body());
        assertEquals(prefix + "_writer", me.path("roles").get(0).asText(), me.toString());

        String alerts = prefix + "-alerts";
        String dead = prefix + "-dead";
        // an administrator bootstraps the write aliases once (creating an index with an alias needs
        // `manage` on the index); the job's start-up install is then a no-op the writer may do
        runInstall("--no-ilm", "--alerts-index", alerts, "--dead-letter-index", dead);
        IndexTemplateInstaller.install(settings(user, password), alerts, dead);
        // without the script, the writer may not create the alias (a name its role covers)
        try (org.elasticsearch.client.RestClient client = settings(user, password).createClient(Duration.ofSeconds(30))) {
            java.util.concurrent.CompletionException noAlias = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.CompletionException.class,
                    () -> new IndexTemplateInstaller(client, null, null).bootstrapWriteAlias(alerts + "-unbootstrapped").join());
            String message = noAlias.getCause().getMessage();
            assertTrue(message.contains("HTTP 403") && message.contains("deploy/elasticsearch/install"), message);
        }
        assertEquals(201, as(http, user, password, "PUT", "/" + alerts + "/_doc/a1", "{\"message\":\"x\"}").statusCode());
        assertEquals(200, as(http, user, password, "PUT", "/" + alerts + "/_doc/a1", "{\"message\":\"y\"}").statusCode(),
                "overwrite by deterministic _id");
        assertEquals(201, as(http, user, password, "PUT", "/" + dead + "/_doc/d1", "{\"kind\":\"late\"}").statusCode());

        assertEquals(403, as(http, user, password, "PUT", "/other-" + prefix + "/_doc/1", "{}").statusCode(), "other index");
        assertEquals(403, as(http, user, password, "POST", "/" + alerts + "/_search", "{}").statusCode(), "read");
        assertEquals(403, as(http, user, password, "DELETE", "/" + alerts + "/_doc/a1", null).statusCode(), "delete doc");
        assertEquals(403, as(http, user, password, "DELETE", "/" + alerts + "-000001", null).statusCode(), "delete index");
        assertEquals(403, as(http, user, password, "GET", "/_cluster/settings", null).statusCode(), "cluster admin");
    }

    private static HttpResponse<String> as(HttpClient http, String user, String password, String method, String path,
            String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(es.getUrl() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                        .getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Elasticsearch's {PBKDF2} hash (10000 rounds of HMAC-SHA512, 32-byte salt, 256-bit key). */
    private static String pbkdf2(String password) throws Exception {
        byte[] salt = new byte[32];
        new SecureRandom().nextBytes(salt);
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, 10000, 256);
        byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        return "{PBKDF2}10000$" + Base64.getEncoder().encodeToString(salt) + "$" + Base64.getEncoder().encodeToString(hash);
    }
}
