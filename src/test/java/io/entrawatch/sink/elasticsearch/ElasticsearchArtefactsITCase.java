package io.entrawatch.sink.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.ExceptionsTool;
import io.entrawatch.JobSinks;
import io.entrawatch.config.DeadLetterOptions;
import io.entrawatch.config.ElasticsearchOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.Secrets;
import io.entrawatch.exceptions.ExceptionsIndex;
import io.entrawatch.exceptions.ExceptionsSource;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Elasticsearch artefacts of deploy/elasticsearch on a real node (9.2, HTTPS, basic auth): the
 * install script, the job's own idempotent install of templates, write aliases and the exceptions
 * index, and the roles of deploy/elasticsearch/roles.yml given to file-realm users:
 * entrawatch_installer, which runs the install script and touches no document; the job's
 * entrawatch_writer, which writes alerts and dead letters through the job's own sinks (and the bulk
 * API) into the aliases the installer made and reads exceptions, but may not install templates or ILM
 * policies, create or delete indices, read alerts, write exceptions or touch other indices; and
 * entrawatch_analyst, which may read alerts and manage exceptions with jobs/exceptions, and nothing else.
 *
 * <p>This Elasticsearch distribution (integ-test-zip) has no ILM module, so the script runs with
 * {@code --no-ilm} here; the ILM policies are checked for shape in {@code DeploymentArtefactsTest}.
 */
class ElasticsearchArtefactsITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.twoSlots();
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
        return runInstallAs(es.getUsername(), es.getPassword(), args);
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

    /** File-realm users with the roles of deploy/elasticsearch/roles.yml, for index names of their own. */
    private record ShippedRoles(String prefix, String installer, String writer, String analyst, String password) {
        String alerts() {
            return prefix + "-alerts";
        }

        String dead() {
            return prefix + "-dead";
        }

        String exceptions() {
            return prefix + "-exceptions";
        }
    }

    /** The three roles as shipped, renamed to this prefix's index names, each with a user of its own. */
    private static ShippedRoles shippedRoles(HttpClient http) throws Exception {
        String prefix = "rolecheck" + System.nanoTime();
        String roles = Files.readString(deploy("deploy/elasticsearch/roles.yml"))
                .replace("entrawatch-alerts", prefix + "-alerts").replace("entrawatch-dead-letters", prefix + "-dead")
                .replace("entrawatch-exceptions", prefix + "-exceptions");
        ShippedRoles r = new ShippedRoles(prefix, prefix + "-installer", prefix + "-writer", prefix + "-analyst",
                "pw-" + Long.toHexString(new SecureRandom().nextLong()));
        Path config = es.getRunDir().resolve("es/config");
        StringBuilder users = new StringBuilder();
        StringBuilder usersRoles = new StringBuilder();
        for (String role : List.of("installer", "writer", "analyst")) {
            roles = roles.replace("entrawatch_" + role + ":", prefix + "_" + role + ":");
            users.append(prefix).append('-').append(role).append(':').append(pbkdf2(r.password())).append('\n');
            usersRoles.append(prefix).append('_').append(role).append(':').append(prefix).append('-').append(role).append('\n');
        }
        Files.writeString(config.resolve("roles.yml"), "\n" + roles, StandardOpenOption.APPEND);
        Files.writeString(config.resolve("users"), users.toString(), StandardOpenOption.APPEND);
        Files.writeString(config.resolve("users_roles"), usersRoles.toString(), StandardOpenOption.APPEND);
        // the file realm reloads its files within seconds; each user has its role, not a leftover
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (String role : List.of("installer", "writer", "analyst")) {
            String user = prefix + "-" + role;
            while (as(http, user, r.password(), "GET", "/_security/_authenticate", null).statusCode() != 200) {
                assertTrue(System.nanoTime() < deadline, "the file realm did not pick up user " + user);
                Thread.sleep(500);
            }
            JsonNode me = JSON.readTree(as(http, user, r.password(), "GET", "/_security/_authenticate", null).body());
            assertEquals(List.of(prefix + "_" + role), JSON.convertValue(me.path("roles"), List.class), me.toString());
        }
        return r;
    }

    /** {privilege: granted} of the user for the cluster privileges asked. */
    private static JsonNode clusterPrivileges(HttpClient http, String user, String password, String... privileges) throws Exception {
        HttpResponse<String> r = as(http, user, password, "POST", "/_security/user/_has_privileges",
                JSON.writeValueAsString(java.util.Map.of("cluster", List.of(privileges))));
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("cluster");
    }

    @Test
    void installerInstallsTheWriterOnlyWritesItsAliasesAndReadsExceptions() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(es.getSslContext()).build();
        ShippedRoles r = shippedRoles(http);
        String alerts = r.alerts();
        String dead = r.dead();
        String exceptions = r.exceptions();

        // ---- the installer runs the install script (twice: it is idempotent), and touches no document
        for (int run = 0; run < 2; run++) {
            runInstallAs(r.installer(), r.password(), "--no-ilm", "--alerts-index", alerts, "--dead-letter-index", dead,
                    "--exceptions-index", exceptions);
        }
        for (String name : List.of(alerts, dead)) {
            assertTrue(aliasOf(name).path(name + "-000001").path("aliases").path(name).path("is_write_index").asBoolean(), name);
            assertEquals(200, es.request("GET", "/_index_template/" + name, null).status(), name);
        }
        assertEquals(200, es.request("HEAD", "/" + exceptions, null).status());
        // this node has no ILM module, so the script ran with --no-ilm; the installer may write the policies
        assertTrue(clusterPrivileges(http, r.installer(), r.password(), "manage_ilm", "manage_index_templates")
                .path("manage_ilm").asBoolean(), "the installer may manage ILM");
        assertEquals(403, as(http, r.installer(), r.password(), "PUT", "/" + alerts + "/_doc/i1", "{}").statusCode(),
                "the installer writes no document");
        assertEquals(403, as(http, r.installer(), r.password(), "POST", "/" + alerts + "/_search", "{}").statusCode(),
                "the installer reads no document");

        // ---- the writer, through the job's own sinks with --es.install-template false
        JobOptions options = JobOptions.defaults().with(ElasticsearchOptions.HOSTS, es.getUrl())
                .with(ElasticsearchOptions.USERNAME, r.writer()).with(ElasticsearchOptions.CA_FILE, es.getCaFile().toString())
                .with(ElasticsearchOptions.INDEX, alerts).with(DeadLetterOptions.INDEX, dead)
                .with(ElasticsearchOptions.INSTALL_TEMPLATE, "false");
        ConnectionSettings writer = ElasticsearchOptions.connection(options, java.util.Map.of(Secrets.ES_PASSWORD_ENV, r.password()));
        List<io.entrawatch.model.Alert> alertsIn = java.util.stream.LongStream.range(0, 20)
                .mapToObj(n -> TestAlerts.alert(n, "medium")).toList();
        List<DeadLetter> deadIn = java.util.stream.IntStream.range(0, 5).mapToObj(i -> new DeadLetter(DeadLetter.MALFORMED,
                "not JSON", "{oops " + i, 6, "insights-logs-signinlogs", 0, i, -1, System.currentTimeMillis())).toList();
        for (int run = 0; run < 2; run++) { // twice: the same _ids overwrite, nothing is created
            StreamExecutionEnvironment env = TestClusters.environment(2);
            env.fromData(alertsIn).sinkTo(JobSinks.alerts(options, writer));
            env.fromData(deadIn).sinkTo(JobSinks.deadLettersToElasticsearch(options, writer));
            env.execute("the job's sinks as entrawatch_writer");
        }
        es.awaitCount(alerts, 20, 30_000);
        es.awaitCount(dead, 5, 30_000);
        assertEquals(1, aliasOf(alerts).size(), "written through the alias into its write index, no index created");
        assertEquals("ip", JSON.readTree(es.get("/" + alerts + "-000001/_mapping"))
                .at("/" + alerts + "-000001/mappings/properties/source/properties/ip/type").asText(), "the installer's template");

        // the bulk API to the aliases works too
        String bulk = "{\"index\":{\"_index\":\"" + alerts + "\",\"_id\":\"b1\"}}\n{\"message\":\"x\"}\n"
                + "{\"index\":{\"_index\":\"" + dead + "\",\"_id\":\"b2\"}}\n{\"kind\":\"late\"}\n";
        HttpResponse<String> bulkAnswer = asNdjson(http, r.writer(), r.password(), "/_bulk", bulk);
        assertEquals(200, bulkAnswer.statusCode(), bulkAnswer.body());
        assertFalse(JSON.readTree(bulkAnswer.body()).path("errors").asBoolean(true), bulkAnswer.body());

        // the job's exceptions source reads (and, with --es.install-template false, creates nothing)
        es.putJson("/" + exceptions + "/_doc/seed?refresh=true", "{\"id\":\"seed\",\"rules\":[\"*\"],\"asn\":64496,\"comment\":\"seed\"}");
        ExceptionsSource.Reader reader = ExceptionsSource.index(writer, exceptions, false);
        reader.open();
        try {
            List<io.entrawatch.exceptions.ExceptionDocuments.Document> read = reader.read();
            assertEquals(1, read.size(), read.toString());
            assertTrue(read.get(0).json().contains("64496"), read.toString());
        } finally {
            reader.close();
        }

        // and nothing else: no template, no ILM policy, no other index, no index creation, no read, no delete
        String template = "{\"index_patterns\":[\"" + r.prefix() + "-x*\"],\"template\":{}}";
        assertEquals(403, as(http, r.writer(), r.password(), "PUT", "/_index_template/" + r.prefix() + "-x", template).statusCode(),
                "index template");
        assertEquals(403, as(http, r.writer(), r.password(), "PUT", "/_component_template/" + r.prefix() + "-x",
                "{\"template\":{}}").statusCode(), "component template");
        HttpResponse<String> ilm = as(http, r.writer(), r.password(), "PUT", "/_ilm/policy/" + r.prefix(),
                Files.readString(deploy("deploy/elasticsearch/ilm-alerts.json")));
        System.out.println("PUT /_ilm/policy as the writer: HTTP " + ilm.statusCode());
        if (ilm.statusCode() != 403) {
            // no ILM module on this node, so no endpoint to refuse it: Elasticsearch's own answer to whether it would
            assertTrue(ilm.statusCode() == 400 && ilm.body().contains("no handler"), ilm.statusCode() + " " + ilm.body());
            assertFalse(clusterPrivileges(http, r.writer(), r.password(), "manage_ilm").path("manage_ilm").asBoolean(true),
                    "the writer may not manage ILM");
        }
        JsonNode none = clusterPrivileges(http, r.writer(), r.password(), "manage_index_templates", "manage_ilm", "monitor");
        none.fields().forEachRemaining(p -> assertFalse(p.getValue().asBoolean(), "cluster privilege " + p.getKey()));
        assertEquals(403, as(http, r.writer(), r.password(), "PUT", "/other-" + r.prefix() + "/_doc/1", "{}").statusCode(),
                "another index");
        assertEquals(403, as(http, r.writer(), r.password(), "PUT", "/" + alerts + "-000099", "{}").statusCode(),
                "an index under its own names");
        assertEquals(403, as(http, r.writer(), r.password(), "PUT", "/" + alerts + "-unbootstrapped/_doc/1", "{}").statusCode(),
                "a missing name it may write: auto-creating it is refused");
        assertEquals(403, as(http, r.writer(), r.password(), "POST", "/" + alerts + "/_search", "{}").statusCode(), "read alerts");
        assertEquals(403, as(http, r.writer(), r.password(), "DELETE", "/" + alerts + "/_doc/b1", null).statusCode(), "delete doc");
        assertEquals(403, as(http, r.writer(), r.password(), "DELETE", "/" + alerts + "-000001", null).statusCode(), "delete index");
        assertEquals(403, as(http, r.writer(), r.password(), "GET", "/_cluster/settings", null).statusCode(), "cluster admin");
        assertEquals(403, as(http, r.writer(), r.password(), "PUT", "/" + exceptions + "/_doc/x",
                "{\"id\":\"x\",\"rules\":[\"*\"],\"asn\":1,\"comment\":\"x\"}").statusCode(), "the job writes no exception");
        // the job's own template install (--es.install-template true) is refused, with what to do instead
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> IndexTemplateInstaller.install(writer, alerts, dead));
        assertTrue(refused.getMessage().contains("HTTP 403") && refused.getMessage().contains("--es.install-template false"),
                refused.getMessage());
        try (org.elasticsearch.client.RestClient client = writer.createClient(Duration.ofSeconds(30))) {
            java.util.concurrent.CompletionException noAlias = assertThrows(java.util.concurrent.CompletionException.class,
                    () -> new IndexTemplateInstaller(client, null, null).bootstrapWriteAlias(alerts + "-unbootstrapped").join());
            String message = noAlias.getCause().getMessage();
            assertTrue(message.contains("HTTP 403") && message.contains("entrawatch_installer"), message);
        }

        // ---- the analyst manages exceptions with jobs/exceptions, reads alerts, and nothing else
        String future = java.time.Instant.now().plus(java.time.Duration.ofDays(7)).toString();
        for (String[] command : List.of(
                new String[] {"add", "{\"id\":\"lab\",\"rules\":[\"*\"],\"source.ip\":\"192.0.2.0/24\",\"comment\":\"lab\"}"},
                new String[] {"add", "{\"id\":\"later\",\"rules\":[\"*\"],\"asn\":64496,\"valid_from\":\"" + future + "\",\"comment\":\"later\"}"},
                new String[] {"list"}, new String[] {"export"}, new String[] {"expire", "lab"}, new String[] {"expire", "later"})) {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(List.of("--es.hosts", es.getUrl(), "--es.username", r.analyst(), "--es.ca-file", es.getCaFile().toString(),
                    "--exceptions.index", exceptions));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = ExceptionsTool.run(args.toArray(new String[0]), java.util.Map.of(Secrets.ES_PASSWORD_ENV, r.password()),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, status, String.join(" ", command) + ": " + out.toString(StandardCharsets.UTF_8));
        }
        reader = ExceptionsSource.index(writer, exceptions, false);
        reader.open();
        try {
            List<io.entrawatch.exceptions.ExceptionDocuments.Document> read = reader.read();
            assertEquals(2, read.size(), "the job reads what the analyst wrote (lab expired, later withdrawn) and the seed: " + read);
        } finally {
            reader.close();
        }
        assertEquals(200, as(http, r.analyst(), r.password(), "POST", "/" + alerts + "/_search", "{}").statusCode(), "read alerts");
        assertEquals(403, as(http, r.analyst(), r.password(), "PUT", "/" + alerts + "/_doc/a2", "{\"message\":\"x\"}").statusCode(),
                "write alerts");
        assertEquals(403, as(http, r.analyst(), r.password(), "POST", "/" + dead + "/_search", "{}").statusCode(), "read dead letters");
        assertEquals(403, as(http, r.analyst(), r.password(), "DELETE", "/" + exceptions, null).statusCode(), "delete the index");
        // (Elasticsearch's `index` privilege includes adding fields to the mapping, so that is not refused)
        assertEquals(403, as(http, r.analyst(), r.password(), "PUT", "/other-" + r.prefix() + "/_doc/1", "{}").statusCode(), "other index");
    }

    /** deploy/elasticsearch/install as {@code user}; fails the test unless it succeeds. */
    private static String runInstallAs(String user, String password, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(deploy("deploy/elasticsearch/install").toString(),
                "--url", es.getUrl(), "--user", user, "--ca-file", es.getCaFile().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("ES_PASSWORD", password);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "install did not finish");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static HttpResponse<String> asNdjson(HttpClient http, String user, String password, String path, String body)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(es.getUrl() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                        .getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
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
