package io.entrawatch.sink.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.ExceptionsTool;
import io.entrawatch.config.Secrets;
import io.entrawatch.exceptions.ExceptionsIndex;
import io.entrawatch.testing.LocalElasticsearch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
 * install script, the job's own idempotent install of templates, write aliases and the exceptions
 * index, and the roles of deploy/elasticsearch/roles.yml given to file-realm users: the job's
 * least-privilege entrawatch_writer, which may install templates, write alerts and read exceptions but
 * not create aliases, read alerts, write exceptions, delete or touch other indices; and
 * entrawatch_analyst, which may read alerts and manage exceptions with jobs/exceptions, and nothing else.
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
        String exceptions = "install-exceptions-" + System.nanoTime();
        runInstall("--no-ilm", "--alerts-index", alerts, "--dead-letter-index", dead, "--exceptions-index", exceptions);
        es.putJson("/" + exceptions + "/_doc/kept?refresh=true",
                "{\"id\":\"kept\",\"rules\":[\"*\"],\"asn\":64496,\"comment\":\"test\"}");
        String again = runInstall("--no-ilm", "--alerts-index", alerts, "--dead-letter-index", dead, "--exceptions-index", exceptions);
        assertTrue(again.contains(alerts + " exists: left as it is"), again);
        assertTrue(again.contains("exceptions index " + exceptions + " exists"), again);

        // the exceptions index has the job's mapping, and keeps its documents when the script runs again
        JsonNode exceptionsMapping = JSON.readTree(es.get("/" + exceptions + "/_mapping")).path(exceptions).path("mappings");
        JsonNode shipped = JSON.readTree(ExceptionsIndex.mapping()).path("mappings");
        assertEquals(shipped.path("_meta"), exceptionsMapping.path("_meta"), exceptionsMapping.toString());
        shipped.path("properties").fieldNames().forEachRemaining(f -> assertEquals(
                shipped.path("properties").path(f).path("type"), exceptionsMapping.path("properties").path(f).path("type"), f));
        assertEquals("keyword", exceptionsMapping.at("/properties/source/properties/ip/type").asText());
        assertEquals(1, JSON.readTree(es.get("/" + exceptions + "/_count")).path("count").asInt());

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
        try (org.elasticsearch.client.RestClient client = settings(es.getUsername(), es.getPassword()).createClient(Duration.ofSeconds(30))) {
            assertTrue(!new ExceptionsIndex(client, exceptions).install(), "the exceptions index exists");
        }
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
        // the roles as shipped, for index names of this test; a file-realm user with each
        String prefix = "rolecheck" + System.nanoTime();
        String role = Files.readString(deploy("deploy/elasticsearch/roles.yml"))
                .replace("entrawatch-alerts", prefix + "-alerts").replace("entrawatch-dead-letters", prefix + "-dead")
                .replace("entrawatch-exceptions", prefix + "-exceptions");
        Path config = es.getRunDir().resolve("es/config");
        String user = prefix;
        String password = "pw-" + Long.toHexString(new SecureRandom().nextLong());
        String analyst = prefix + "-analyst";
        String analystPassword = "pw-" + Long.toHexString(new SecureRandom().nextLong());
        Files.writeString(config.resolve("roles.yml"), "\n" + role.replace("entrawatch_writer:", prefix + "_writer:")
                .replace("entrawatch_analyst:", prefix + "_analyst:"), StandardOpenOption.APPEND);
        Files.writeString(config.resolve("users"), user + ":" + pbkdf2(password) + "\n" + analyst + ":" + pbkdf2(analystPassword) + "\n",
                StandardOpenOption.APPEND);
        Files.writeString(config.resolve("users_roles"), prefix + "_writer:" + user + "\n" + prefix + "_analyst:" + analyst + "\n",
                StandardOpenOption.APPEND);

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
        String exceptions = prefix + "-exceptions";
        // the job may create the exceptions index with its mapping (es.install-template true), and read it
        try (org.elasticsearch.client.RestClient client = settings(user, password).createClient(Duration.ofSeconds(30))) {
            ExceptionsIndex index = new ExceptionsIndex(client, exceptions);
            assertTrue(index.install(), "the writer creates the exceptions index");
            assertTrue(!index.install());
            assertEquals(List.of(), index.readAll());
        }
        // an administrator bootstraps the write aliases once (creating an index with an alias needs
        // `manage` on the index); the job's start-up install is then a no-op the writer may do
        runInstall("--no-ilm", "--alerts-index", alerts, "--dead-letter-index", dead, "--exceptions-index", exceptions);
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
        assertEquals(403, as(http, user, password, "PUT", "/" + exceptions + "/_doc/x",
                "{\"id\":\"x\",\"rules\":[\"*\"],\"asn\":1,\"comment\":\"x\"}").statusCode(), "the job writes no exception");

        // the analyst manages exceptions with jobs/exceptions, reads alerts, and nothing else
        while (as(http, analyst, analystPassword, "GET", "/_security/_authenticate", null).statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "the file realm did not pick up user " + analyst);
            Thread.sleep(500);
        }
        String future = java.time.Instant.now().plus(java.time.Duration.ofDays(7)).toString();
        for (String[] command : List.of(
                new String[] {"add", "{\"id\":\"lab\",\"rules\":[\"*\"],\"source.ip\":\"192.0.2.0/24\",\"comment\":\"lab\"}"},
                new String[] {"add", "{\"id\":\"later\",\"rules\":[\"*\"],\"asn\":64496,\"valid_from\":\"" + future + "\",\"comment\":\"later\"}"},
                new String[] {"list"}, new String[] {"export"}, new String[] {"expire", "lab"}, new String[] {"expire", "later"})) {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(List.of("--es.hosts", es.getUrl(), "--es.username", analyst, "--es.ca-file", es.getCaFile().toString(),
                    "--exceptions.index", exceptions));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = ExceptionsTool.run(args.toArray(new String[0]), java.util.Map.of(Secrets.ES_PASSWORD_ENV, analystPassword),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, status, String.join(" ", command) + ": " + out.toString(StandardCharsets.UTF_8));
        }
        try (org.elasticsearch.client.RestClient client = settings(user, password).createClient(Duration.ofSeconds(30))) {
            assertEquals(1, new ExceptionsIndex(client, exceptions).readAll().size(), "the job reads what the analyst wrote");
        }
        assertEquals(200, as(http, analyst, analystPassword, "POST", "/" + alerts + "/_search", "{}").statusCode(), "read alerts");
        assertEquals(403, as(http, analyst, analystPassword, "PUT", "/" + alerts + "/_doc/a2", "{\"message\":\"x\"}").statusCode(),
                "write alerts");
        assertEquals(403, as(http, analyst, analystPassword, "POST", "/" + dead + "/_search", "{}").statusCode(), "read dead letters");
        assertEquals(403, as(http, analyst, analystPassword, "DELETE", "/" + exceptions, null).statusCode(), "delete the index");
        // (Elasticsearch's `index` privilege includes adding fields to the mapping, so that is not refused)
        assertEquals(403, as(http, analyst, analystPassword, "PUT", "/other-" + prefix + "/_doc/1", "{}").statusCode(), "other index");
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
