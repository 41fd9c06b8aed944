package io.entrawatch.preflight;

import io.entrawatch.EntraWatchJob;
import io.entrawatch.config.DeadLetterOptions;
import io.entrawatch.config.ElasticsearchOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.PreflightOptions;
import io.entrawatch.config.Secrets;
import io.entrawatch.config.SourceOptions;
import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.LocalKafka;
import io.entrawatch.testing.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start-up check against a real Kafka broker that logs in like Event Hubs (SASL_SSL, PLAIN,
 * {@code $ConnectionString}) and a real Elasticsearch 9.2 (HTTPS, basic auth): the right settings
 * pass; each wrong one (CA, connection string, Event Hub name, bootstrap server, Elasticsearch CA,
 * password, API key, role, host) gives one line naming the option to fix and holding no secret; all
 * problems are listed together, and {@code EntraWatchJob.main} stops with them before submitting.
 */
class PreflightITCase {
    private static final String TOPIC = "preflight-signins";
    private static final String DLQ_TOPIC = "preflight-dead-letters";

    private static LocalKafka kafka;
    private static LocalElasticsearch es;

    @TempDir
    Path dir;

    @BeforeAll
    static void services() {
        kafka = LocalKafka.shared();
        es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        if (!kafka.listTopics().contains(TOPIC)) kafka.createTopic(TOPIC, 2);
        if (!kafka.listTopics().contains(DLQ_TOPIC)) kafka.createTopic(DLQ_TOPIC, 1);
    }

    /** Settings that work: the job's options for the local services. */
    private static JobOptions good() {
        return JobOptions.defaults()
                .with(SourceOptions.BOOTSTRAP_SERVERS, kafka.getBootstrapServers())
                .with(SourceOptions.TOPICS, TOPIC)
                .with(SourceOptions.CA_FILE, kafka.getCaFile().toString())
                .with(ElasticsearchOptions.HOSTS, es.getUrl())
                .with(ElasticsearchOptions.USERNAME, es.getUsername())
                .with(ElasticsearchOptions.CA_FILE, es.getCaFile().toString())
                .with(PreflightOptions.TIMEOUT, "20 s");
    }

    private static Map<String, String> goodEnv() {
        Map<String, String> env = new HashMap<>();
        env.put(Secrets.EVENTHUBS_ENV, kafka.getConnectionString());
        env.put(Secrets.ES_PASSWORD_ENV, es.getPassword());
        return env;
    }

    /** The problems, after checking that none holds a secret of the services (or {@code moreSecrets}). */
    private static List<String> problems(JobOptions options, Map<String, String> env, String... moreSecrets) {
        List<String> problems = Preflight.problems(options, env);
        List<String> secrets = new ArrayList<>(List.of(kafka.getConnectionString(), sharedAccessKey(kafka.getConnectionString()),
                es.getPassword(), basicToken(es.getUsername(), es.getPassword())));
        secrets.addAll(List.of(moreSecrets));
        for (String p : problems) {
            assertFalse(p.contains("\n"), "one line per problem: " + p);
            for (String s : secrets) assertFalse(p.contains(s), "a secret is in the message: " + p.replace(s, "<SECRET>"));
        }
        System.out.println("preflight problems: " + problems);
        return problems;
    }

    private static String only(List<String> problems) {
        assertEquals(1, problems.size(), problems.toString());
        return problems.get(0);
    }

    private static String sharedAccessKey(String connectionString) {
        String key = connectionString.replaceAll(".*SharedAccessKey=([^;]+).*", "$1");
        assertTrue(key.length() >= 16 && !key.equals(connectionString), "the connection string has a key");
        return key;
    }

    private static String basicToken(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A local port nothing listens on: connections are refused at once. */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void assertContains(String text, String... parts) {
        for (String p : parts) assertTrue(text.contains(p), "expected '" + p + "' in: " + text);
    }

    // ------------------------------------------------------------------ right settings

    @Test
    void theRightSettingsPass() {
        assertEquals(List.of(), problems(good(), goodEnv()));
        // dead letters to Kafka: the dead-letter Event Hub is checked too, and exists
        assertEquals(List.of(), problems(good().with(DeadLetterOptions.TARGET, "kafka").with(DeadLetterOptions.TOPIC, DLQ_TOPIC),
                goodEnv()));
        Preflight.check(good(), goodEnv()); // does not throw
    }

    // ------------------------------------------------------------------ Event Hubs

    @Test
    void anUntrustedEventHubsCertificateNamesTheCaOption() throws Exception {
        Path wrongCa = TestCertificates.unrelatedCa(dir, "Not The Broker CA");
        String p = only(problems(good().with(SourceOptions.CA_FILE, wrongCa.toString()), goodEnv()));
        assertContains(p, "the Event Hubs endpoint's certificate is not trusted", "--source.ssl.ca-file", wrongCa.toString());
    }

    @Test
    void aRefusedConnectionStringNamesWhereItComesFrom() {
        String good = kafka.getConnectionString();
        String wrongKey = "WrongKey" + Long.toHexString(new SecureRandom().nextLong()) + "Zz9=";
        String wrong = good.replace(sharedAccessKey(good), wrongKey);
        Map<String, String> env = goodEnv();
        env.put(Secrets.EVENTHUBS_ENV, wrong);
        String p = only(problems(good(), env, wrong, wrongKey));
        assertContains(p, "the Event Hubs connection string was refused", "EVENTHUBS_CONNECTION_STRING",
                "--source.connection-string-file", "Listen");
    }

    @Test
    void everyMissingEventHubIsNamedWithItsOption() {
        JobOptions options = good().with(SourceOptions.TOPICS, TOPIC + ",Preflight-Signins,preflight-nonexistent")
                .with(DeadLetterOptions.TARGET, "kafka").with(DeadLetterOptions.TOPIC, "preflight-no-dead-letters");
        List<String> problems = problems(options, goodEnv());
        assertEquals(3, problems.size(), problems.toString());
        assertContains(problems.get(0), "Event Hub 'Preflight-Signins' not found in namespace " + kafka.getBootstrapServers(),
                "case-sensitive", "check --source.topic");
        assertContains(problems.get(1), "Event Hub 'preflight-nonexistent' not found", "check --source.topic");
        assertContains(problems.get(2), "dead-letter Event Hub 'preflight-no-dead-letters' not found", "check --dead-letter.topic");
        assertTrue(problems.stream().noneMatch(p -> p.contains("'" + TOPIC + "'")), "the existing Event Hub is fine");
    }

    @Test
    void anUnreachableBootstrapServerNamesItsOptionWithinTheTimeout() throws Exception {
        String bootstrap = "127.0.0.1:" + closedPort();
        long started = System.nanoTime();
        String p = only(problems(good().with(SourceOptions.BOOTSTRAP_SERVERS, bootstrap).with(PreflightOptions.TIMEOUT, "3 s"),
                goodEnv()));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertContains(p, "no answer from the Event Hubs endpoint " + bootstrap + " within 3 s", "check --source.bootstrap-servers");
        assertTrue(seconds < 20, "the check gives up after its timeout, took " + seconds + " s");
    }

    // ------------------------------------------------------------------ Elasticsearch

    @Test
    void anUntrustedElasticsearchCertificateNamesTheCaOption() throws Exception {
        Path wrongCa = TestCertificates.unrelatedCa(dir, "Not The Node CA");
        String p = only(problems(good().with(ElasticsearchOptions.CA_FILE, wrongCa.toString()), goodEnv()));
        assertContains(p, "the Elasticsearch certificate of " + es.getUrl() + " is not trusted", "--es.ca-file", wrongCa.toString());
    }

    @Test
    void aRefusedPasswordNamesTheUserAndWhereThePasswordComesFrom() throws Exception {
        String wrong = "wrong-" + Long.toHexString(new SecureRandom().nextLong());
        Map<String, String> env = goodEnv();
        env.put(Secrets.ES_PASSWORD_ENV, wrong);
        String p = only(problems(good(), env, wrong, basicToken(es.getUsername(), wrong)));
        assertContains(p, "refused the password of user '" + es.getUsername() + "' (HTTP 401)", "--es.username", "ES_PASSWORD",
                "--es.password-file", "now: the environment variable ES_PASSWORD");

        Path file = Files.writeString(dir.resolve("es-password"), wrong + "\n");
        p = only(problems(good().with(ElasticsearchOptions.PASSWORD_FILE, file.toString()), goodEnv(), wrong));
        assertContains(p, "(HTTP 401)", "now: the file " + file);
    }

    @Test
    void aRefusedApiKeyNamesItsSource() {
        String wrongKey = Base64.getEncoder().encodeToString(("preflightid:" + Long.toHexString(new SecureRandom().nextLong()))
                .getBytes(StandardCharsets.UTF_8));
        Map<String, String> env = goodEnv();
        env.remove(Secrets.ES_PASSWORD_ENV);
        env.put(Secrets.ES_API_KEY_ENV, wrongKey);
        JobOptions options = JobOptions.parse(new String[] {"--source.bootstrap-servers", kafka.getBootstrapServers(),
                "--source.topic", TOPIC, "--source.ssl.ca-file", kafka.getCaFile().toString(), "--es.hosts", es.getUrl(),
                "--es.ca-file", es.getCaFile().toString()}, null);
        String p = only(problems(options, env, wrongKey));
        assertContains(p, "refused the API key (HTTP 401)", "ES_API_KEY", "--es.api-key-file");
    }

    @Test
    void missingPrivilegesNameTheLeastPrivilegeRole() throws Exception {
        // a file-realm user whose role may index into the job's names but not create indices or install templates
        String prefix = "preflight" + System.nanoTime();
        String password = "pw-" + Long.toHexString(new SecureRandom().nextLong());
        Path config = es.getRunDir().resolve("es/config");
        Files.writeString(config.resolve("roles.yml"), "\n" + prefix + "_partial:\n  indices:\n    - names: [ \""
                + prefix + "-alerts\", \"" + prefix + "-dead\" ]\n      privileges: [ \"index\" ]\n", StandardOpenOption.APPEND);
        Files.writeString(config.resolve("users"), prefix + ":" + pbkdf2(password) + "\n", StandardOpenOption.APPEND);
        Files.writeString(config.resolve("users_roles"), prefix + "_partial:" + prefix + "\n", StandardOpenOption.APPEND);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (es.requestAs(prefix, password, "GET", "/_security/_authenticate", null).status() != 200) {
            assertTrue(System.nanoTime() < deadline, "the file realm did not pick up user " + prefix);
            Thread.sleep(250);
        }
        Map<String, String> env = goodEnv();
        env.put(Secrets.ES_PASSWORD_ENV, password);
        JobOptions options = good().with(ElasticsearchOptions.USERNAME, prefix)
                .with(ElasticsearchOptions.INDEX, prefix + "-alerts").with(DeadLetterOptions.INDEX, prefix + "-dead");
        String p = only(problems(options, env, password));
        assertContains(p, "Elasticsearch user '" + prefix + "' lacks privileges the job needs", "cluster: manage_index_templates",
                "'" + prefix + "-alerts': create_index, view_index_metadata", "'" + prefix + "-dead': create_index, view_index_metadata",
                "role entrawatch_writer", "deploy/elasticsearch/role-entrawatch-writer.json");

        assertContains(p, "entrawatch_installer", "--es.install-template false");

        // without the template install, the job needs neither manage_index_templates nor create_index
        p = only(problems(options.with(ElasticsearchOptions.INSTALL_TEMPLATE, "false"), env, password));
        assertFalse(p.contains("manage_index_templates") || p.contains("create_index"), p);
        assertContains(p, "'" + prefix + "-alerts': view_index_metadata", "give it the role entrawatch_writer");
    }

    @Test
    void theShippedWriterRoleIsEnoughWithoutTheTemplateInstallOnceTheAliasesExist() throws Exception {
        // the job's role as shipped in deploy/elasticsearch/roles.yml, for index names of this test
        String prefix = "prewriter" + System.nanoTime();
        String password = "pw-" + Long.toHexString(new SecureRandom().nextLong());
        Path roles = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && roles == null; d = d.getParent()) {
            if (Files.exists(d.resolve("deploy/elasticsearch/roles.yml"))) roles = d.resolve("deploy/elasticsearch/roles.yml");
        }
        String shipped = Files.readString(roles);
        String writer = shipped.substring(shipped.indexOf("entrawatch_writer:"), shipped.indexOf("\n# an analyst"))
                .replace("entrawatch_writer:", prefix + "_writer:").replace("entrawatch-alerts", prefix + "-alerts")
                .replace("entrawatch-dead-letters", prefix + "-dead").replace("entrawatch-exceptions", prefix + "-exceptions");
        Path config = es.getRunDir().resolve("es/config");
        Files.writeString(config.resolve("roles.yml"), "\n" + writer + "\n", StandardOpenOption.APPEND);
        Files.writeString(config.resolve("users"), prefix + ":" + pbkdf2(password) + "\n", StandardOpenOption.APPEND);
        Files.writeString(config.resolve("users_roles"), prefix + "_writer:" + prefix + "\n", StandardOpenOption.APPEND);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (es.requestAs(prefix, password, "GET", "/_security/_authenticate", null).status() != 200) {
            assertTrue(System.nanoTime() < deadline, "the file realm did not pick up user " + prefix);
            Thread.sleep(250);
        }
        Map<String, String> env = goodEnv();
        env.put(Secrets.ES_PASSWORD_ENV, password);
        JobOptions options = good().with(ElasticsearchOptions.USERNAME, prefix).with(ElasticsearchOptions.INSTALL_TEMPLATE, "false")
                .with(ElasticsearchOptions.INDEX, prefix + "-alerts").with(DeadLetterOptions.INDEX, prefix + "-dead");

        // before the installer ran: the privileges are there, the aliases are not, and the job would create none
        List<String> missing = problems(options, env, password);
        assertEquals(2, missing.size(), missing.toString());
        assertContains(missing.get(0), "Elasticsearch has no index or alias '" + prefix + "-alerts' (--es.index)",
                "--es.install-template is false", "deploy/elasticsearch/install", "entrawatch_installer");
        assertContains(missing.get(1), "'" + prefix + "-dead' (--dead-letter.index)");

        // after it (the write aliases, as deploy/elasticsearch/install makes them): nothing to fix
        for (String name : List.of(prefix + "-alerts", prefix + "-dead")) {
            es.putJson("/" + name + "-000001", "{\"aliases\":{\"" + name + "\":{\"is_write_index\":true}}}");
        }
        assertEquals(List.of(), problems(options, env, password));
        Preflight.check(options, env); // does not throw

        // installing the templates itself is not what this role is for, and the advice says what to do
        String p = only(problems(options.with(ElasticsearchOptions.INSTALL_TEMPLATE, "true"), env, password));
        assertContains(p, "lacks privileges the job needs (cluster: manage_index_templates; ", "'" + prefix + "-alerts': create_index",
                "run deploy/elasticsearch/install as a user with entrawatch_installer, then start the job with --es.install-template false");
    }

    @Test
    void aPerCategoryEventHubAzureHasNotCreatedYetIsAWarningWhileAnotherIsRead() {
        String interactive = "insights-logs-signinlogs";
        String nonInteractive = "insights-logs-noninteractiveusersigninlogs";
        if (!kafka.listTopics().contains(interactive)) kafka.createTopic(interactive, 2);
        assertFalse(kafka.listTopics().contains(nonInteractive), "this test needs " + nonInteractive + " not to exist");
        JobOptions options = good().with(SourceOptions.TOPICS, interactive + "," + nonInteractive);
        List<String> warnings = Preflight.check(options, goodEnv()); // the default topic list, half of it created so far
        String w = only(warnings);
        assertTrue(Preflight.isWarning(w), w);
        assertContains(w, "warning: Event Hub '" + nonInteractive + "' does not exist in namespace " + kafka.getBootstrapServers()
                + " yet", "its first NonInteractiveUserSignInLogs record", "from its start once it appears", "--source.partition-discovery");
        // a hub of another name is no hub Azure creates by itself: still a problem
        assertThrows(PreflightException.class, () -> Preflight.check(good().with(SourceOptions.TOPICS, interactive + ",entra-sign-ins"),
                goodEnv()));
        // and with no source hub at all, the job would read nothing: a problem
        PreflightException e = assertThrows(PreflightException.class,
                () -> Preflight.check(good().with(SourceOptions.TOPICS, nonInteractive), goodEnv()));
        assertContains(e.problems().get(0), "Event Hub '" + nonInteractive + "' not found");
    }

    @Test
    void anUnreachableElasticsearchNamesTheHostsOption() throws Exception {
        String url = "https://127.0.0.1:" + closedPort();
        String p = only(problems(good().with(ElasticsearchOptions.HOSTS, url).with(PreflightOptions.TIMEOUT, "3 s"), goodEnv()));
        assertContains(p, "cannot reach Elasticsearch at " + url, "check --es.hosts");
    }

    @Test
    void aClusterWithoutSecurityOnlyNeedsToAnswer() {
        LocalElasticsearch open = LocalElasticsearch.shared(LocalElasticsearch.V8, false);
        JobOptions options = JobOptions.defaults()
                .with(SourceOptions.BOOTSTRAP_SERVERS, kafka.getBootstrapServers())
                .with(SourceOptions.TOPICS, TOPIC)
                .with(SourceOptions.CA_FILE, kafka.getCaFile().toString())
                .with(ElasticsearchOptions.HOSTS, open.getUrl())
                .with(PreflightOptions.TIMEOUT, "20 s");
        assertEquals(List.of(), problems(options, Map.of(Secrets.EVENTHUBS_ENV, kafka.getConnectionString())));
    }

    // ------------------------------------------------------------------ all together, through main()

    @Test
    void mainStopsBeforeSubmittingAndListsEveryProblem() throws Exception {
        Path connectionStringFile = Files.writeString(dir.resolve("eventhubs"), kafka.getConnectionString());
        String wrongPassword = "wrong-" + Long.toHexString(new SecureRandom().nextLong());
        Path passwordFile = Files.writeString(dir.resolve("es-password"), wrongPassword);
        String[] args = {"--source.bootstrap-servers", kafka.getBootstrapServers(),
                "--source.topic", TOPIC + ",preflight-missing",
                "--source.ssl.ca-file", kafka.getCaFile().toString(),
                "--source.connection-string-file", connectionStringFile.toString(),
                "--es.hosts", es.getUrl(), "--es.username", es.getUsername(),
                "--es.password-file", passwordFile.toString(), "--es.ca-file", es.getCaFile().toString(),
                "--preflight.timeout", "20 s"};
        PreflightException e = assertThrows(PreflightException.class, () -> EntraWatchJob.main(args));
        String message = e.getMessage();
        System.out.println(message);
        assertTrue(message.startsWith("entrawatch start-up check failed, the job was not submitted (2 problems; "
                + "--preflight.enabled false skips this check):"), message);
        assertEquals(3, message.split("\n").length, message);
        assertContains(message, "\n  - Event Hub 'preflight-missing' not found", "\n  - Elasticsearch at " + es.getUrl()
                + " refused the password of user '" + es.getUsername() + "'", "now: the file " + passwordFile);
        for (String secret : List.of(kafka.getConnectionString(), sharedAccessKey(kafka.getConnectionString()), wrongPassword,
                es.getPassword())) {
            assertFalse(message.contains(secret), "no secret in the message");
        }
    }

    @Test
    void preflightEnabledFalseSkipsTheCheck() throws Exception {
        JobOptions broken = good().with(SourceOptions.TOPICS, "preflight-missing");
        assertThrows(PreflightException.class, () -> EntraWatchJob.preflight(broken, goodEnv()), "on by default");
        EntraWatchJob.preflight(broken.with(PreflightOptions.ENABLED, "false"), goodEnv());
    }

    @Test
    void hostsThatDoNotAnswerAreWarningsTheJobIsSubmittedAnyway() throws Exception {
        JobOptions silent = good().with(SourceOptions.BOOTSTRAP_SERVERS, "127.0.0.1:" + closedPort())
                .with(ElasticsearchOptions.HOSTS, "https://127.0.0.1:" + closedPort()).with(PreflightOptions.TIMEOUT, "3 s");
        List<String> warnings = Preflight.check(silent, goodEnv());
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.stream().allMatch(Preflight::isUnreachable), warnings.toString());
        // with a real problem beside them, all are listed and the start stops
        PreflightException e = assertThrows(PreflightException.class, () -> Preflight.check(
                silent.with(SourceOptions.BOOTSTRAP_SERVERS, kafka.getBootstrapServers()).with(SourceOptions.TOPICS, "preflight-missing"),
                goodEnv()));
        assertEquals(2, e.problems().size(), e.problems().toString());
    }

    /** Elasticsearch's {PBKDF2} password hash for the file realm (10000 rounds of HMAC-SHA512). */
    private static String pbkdf2(String password) throws Exception {
        byte[] salt = new byte[32];
        new SecureRandom().nextBytes(salt);
        byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, 10000, 256)).getEncoded();
        return "{PBKDF2}10000$" + Base64.getEncoder().encodeToString(salt) + "$" + Base64.getEncoder().encodeToString(hash);
    }
}
