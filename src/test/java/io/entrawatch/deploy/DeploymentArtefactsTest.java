package io.entrawatch.deploy;

import io.entrawatch.config.DeadLetterOptions;
import io.entrawatch.config.ElasticsearchOptions;
import io.entrawatch.config.ExceptionOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.config.JobOptions;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The production deployment artefacts set only options that exist: every job option in
 * deploy/kubernetes/flink-deployment.yaml's job arguments and in the job files under jobs/ is one
 * {@link JobOptions} knows (with a value it accepts), and every Flink option in the
 * FlinkDeployment's flinkConfiguration is one Flink 2.2 defines (or a prefix family: reporters, the
 * operator's own), or an Azure file system key that the plugin's ABFS configuration knows
 * ({@link AzureStorageConfigTest}). A typo fails the build here rather than the deployment.
 */
class DeploymentArtefactsTest {
    private static final Path ROOT = KibanaSavedObjectsTest.root();
    private static final Set<String> JOB_OPTION_NAMES = JobOptions.all().stream().map(o -> o.name).collect(Collectors.toSet());
    /** Option families Flink does not declare as ConfigOption fields: checked by prefix. */
    private static final List<String> FLINK_PREFIXES = List.of("metrics.reporter.prom.", "kubernetes.operator.");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> flinkDeployment() throws Exception {
        String yaml = Files.readString(ROOT.resolve("deploy/kubernetes/flink-deployment.yaml"), StandardCharsets.UTF_8);
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml);
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Map<String, Object> map, String... path) {
        Object node = map;
        for (String p : path) node = ((Map<String, Object>) node).get(p);
        return (T) node;
    }

    /** The --name value arguments; a --config FILE names a job file of the image, mapped to jobs/. */
    private static List<String> optionNames(List<String> args, List<Path> jobFiles) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            assertTrue(a.startsWith("--"), "job argument '" + a + "' is not --name (value " + (i > 0 ? args.get(i - 1) : "") + ")");
            String name = a.substring(2);
            if (name.equals("config")) {
                jobFiles.add(ROOT.resolve("jobs").resolve(Path.of(args.get(++i)).getFileName()));
            } else {
                names.add(name);
                i++;
            }
        }
        return names;
    }

    @Test
    void flinkDeploymentJobArgumentsAreKnownJobOptions() throws Exception {
        Map<String, Object> d = flinkDeployment();
        List<String> args = at(d, "spec", "job", "args");
        List<Path> jobFiles = new ArrayList<>();
        List<String> unknown = optionNames(args, jobFiles).stream().filter(n -> !JOB_OPTION_NAMES.contains(n)).toList();
        assertEquals(List.of(), unknown, "unknown job options in flink-deployment.yaml");
        assertEquals(List.of(ROOT.resolve("jobs/large-tenant.yaml")), jobFiles);
        // and the whole argument list parses as the job would parse it (values, the job file)
        List<String> local = new ArrayList<>(args);
        local.set(local.indexOf("--config") + 1, jobFiles.get(0).toString());
        JobOptions production = JobOptions.parse(local.toArray(new String[0]), null);
        // the installer (deploy/elasticsearch/install) runs beforehand; the job only writes (entrawatch_writer)
        assertEquals(false, production.get(ElasticsearchOptions.INSTALL_TEMPLATE), "production runs with --es.install-template false");

        assertEquals("local:///opt/flink/usrlib/entrawatch.jar", at(d, "spec", "job", "jarURI"));
        assertEquals("savepoint", at(d, "spec", "job", "upgradeMode"));
        assertEquals(Boolean.FALSE, at(d, "spec", "job", "allowNonRestoredState"));
        String dockerfile = Files.readString(ROOT.resolve("deploy/kubernetes/Dockerfile"));
        assertTrue(dockerfile.contains("FROM flink:2.2.1-java17"), "official image");
        assertTrue(dockerfile.contains("jobs/large-tenant.yaml /opt/flink/usrlib/large-tenant.yaml"), "the job file is in the image");
    }

    @Test
    void everyJobFileUnderJobsHasOnlyKnownOptionsWithValidValues() throws Exception {
        List<Path> files;
        try (var s = Files.list(ROOT.resolve("jobs"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).toList();
        }
        assertTrue(files.contains(ROOT.resolve("jobs/large-tenant.yaml")), files.toString());
        for (Path f : files) {
            Set<String> unknown = new HashSet<>(JobOptions.readJobFile(f).keySet());
            unknown.removeAll(JOB_OPTION_NAMES);
            assertEquals(Set.of(), unknown, "unknown options in " + f);
            JobOptions.parse(new String[] {"--config", f.toString()}, null); // values parse too
        }
    }

    @Test
    void secretsComeFromKubernetesSecretsAsEnvironmentVariables() throws Exception {
        Map<String, Object> d = flinkDeployment();
        List<Map<String, Object>> containers = at(d, "spec", "podTemplate", "spec", "containers");
        List<Map<String, Object>> env = at(containers.get(0), "env");
        Map<String, String> fromSecrets = env.stream().collect(Collectors.toMap(e -> (String) e.get("name"),
                e -> (String) at(e, "valueFrom", "secretKeyRef", "name")));
        assertEquals(Map.of("EVENTHUBS_CONNECTION_STRING", "entrawatch-secrets", "ES_PASSWORD", "entrawatch-secrets"), fromSecrets);
        String all = Files.readString(ROOT.resolve("deploy/kubernetes/flink-deployment.yaml"))
                + Files.readString(ROOT.resolve("jobs/large-tenant.yaml"));
        assertTrue(!all.contains("SharedAccessKey=") || all.contains("SharedAccessKey=...'"), "no connection string in the artefacts");
    }

    @Test
    void flinkConfigurationKeysAreFlinkOptions() throws Exception {
        Set<String> known = flinkOptionKeys();
        Map<String, Object> conf = at(flinkDeployment(), "spec", "flinkConfiguration");
        List<String> unknown = conf.keySet().stream().filter(k -> !AzureStorageConfigTest.isAzurePluginKey(k))
                .filter(k -> !known.contains(k) && FLINK_PREFIXES.stream().noneMatch(k::startsWith)).toList();
        assertEquals(List.of(), deprecatedAmong(conf.keySet()), "deprecated Flink keys in flinkConfiguration");
        assertEquals(List.of(), unknown, "not Flink 2.2 options (typo?) in flinkConfiguration");
        assertEquals(List.of(), AzureStorageConfigTest.unknownAzureKeys(conf.keySet().stream()),
                "Azure file system keys its ABFS does not know in flinkConfiguration");
        conf.forEach((k, v) -> assertTrue(v instanceof String, k + ": the operator takes string values; quote " + v));
        assertEquals("org.apache.flink.metrics.prometheus.PrometheusReporterFactory", conf.get("metrics.reporter.prom.factory.class"));
        assertEquals("rocksdb", conf.get("state.backend.type"));
        assertTrue(((String) conf.get("execution.checkpointing.dir")).startsWith("abfss://"));
        assertTrue(((String) conf.get("execution.checkpointing.savepoint-dir")).startsWith("abfss://"));
    }

    @Test
    void localClusterConfigurationKeysAreFlinkOptions() throws Exception {
        // the config.yaml that deploy/local/flink/flink writes (its here-documents, with high availability's)
        Set<String> known = flinkOptionKeys();
        List<String> unknown = AzureStorageConfigTest.localClusterConfiguration().keySet().stream().filter(k -> !known.contains(k)
                        && !AzureStorageConfigTest.isAzurePluginKey(k) && FLINK_PREFIXES.stream().noneMatch(k::startsWith)).toList();
        assertEquals(List.of(), deprecatedAmong(AzureStorageConfigTest.localClusterConfiguration().keySet()),
                "deprecated Flink keys in deploy/local/flink/flink's config.yaml");
        assertEquals(List.of(), unknown, "not Flink 2.2 options in deploy/local/flink/flink's config.yaml");
        assertEquals(List.of(), AzureStorageConfigTest.unknownAzureKeys(AzureStorageConfigTest.localClusterConfiguration().keySet().stream()),
                "Azure file system keys its ABFS does not know in deploy/local/flink/flink's config.yaml");
    }

    /** Keys (and fallback keys, but no deprecated key) of every ConfigOption in Flink's *Options classes on the classpath. */
    static Set<String> flinkOptionKeys() throws Exception {
        return flinkOptions(false).keySet();
    }

    /** Deprecated keys of Flink's options, each with the keys of the options that read it. */
    static Map<String, String> deprecatedFlinkKeys() throws Exception {
        return flinkOptions(true);
    }

    private static Map<String, String> flinkOptions(boolean deprecated) throws Exception {
        Map<String, String> keys = new HashMap<>();
        for (String c : List.of("CheckpointingOptions", "StateBackendOptions", "StateRecoveryOptions", "RestartStrategyOptions",
                "JobManagerOptions", "TaskManagerOptions", "HighAvailabilityOptions", "MetricOptions", "RestOptions",
                "CoreOptions", "PipelineOptions", "ExecutionOptions", "ClusterOptions", "SecurityOptions", "WebOptions",
                "RpcOptions", "BlobServerOptions", "HeartbeatManagerOptions", "NettyShuffleEnvironmentOptions", "DeploymentOptions", "StateChangelogOptions")) {
            collectKeys(Class.forName("org.apache.flink.configuration." + c), keys, deprecated);
        }
        collectKeys(Class.forName("org.apache.flink.state.rocksdb.RocksDBConfigurableOptions"), keys, deprecated);
        collectKeys(Class.forName("org.apache.flink.state.rocksdb.RocksDBOptions"), keys, deprecated);
        collectKeys(Class.forName("org.apache.flink.client.cli.ClientOptions"), keys, deprecated);
        // Kubernetes HA and the operator's kubernetes.* options live in flink-kubernetes (not a dependency)
        if (!deprecated) keys.put("high-availability.type", "high-availability.type");
        return keys;
    }

    private static void collectKeys(Class<?> c, Map<String, String> keys, boolean deprecated) throws IllegalAccessException {
        for (Field f : c.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                if (!deprecated) keys.put(o.key(), o.key());
                o.fallbackKeys().forEach(k -> {
                    if (k.isDeprecated() == deprecated) {
                        keys.merge(k.getKey(), o.key(), (a, b) -> List.of(a.split(", ")).contains(b) ? a : a + ", " + b);
                    }
                });
            }
        }
    }

    /** The keys among the given ones that Flink 2.2 deprecated, each with its replacement. */
    private static List<String> deprecatedAmong(java.util.Collection<String> keys) throws Exception {
        Map<String, String> deprecated = deprecatedFlinkKeys();
        Set<String> current = flinkOptionKeys();
        return keys.stream().filter(k -> deprecated.containsKey(k) && !current.contains(k))
                .map(k -> k + " (now " + deprecated.get(k) + ")").sorted().toList();
    }

    @Test
    void ilmPoliciesRollOverAndDelete() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (String f : List.of("ilm-alerts.json", "ilm-dead-letters.json")) {
            JsonNode phases = json.readTree(ROOT.resolve("deploy/elasticsearch").resolve(f).toFile()).path("policy").path("phases");
            assertTrue(phases.path("hot").path("actions").has("rollover"), f);
            assertTrue(phases.path("delete").path("actions").has("delete"), f);
        }
    }

    /**
     * The job's role writes and looks up its two indices and nothing else: no cluster privilege (no
     * templates, no ILM), no index creation; the installer's role holds what deploy/elasticsearch/install
     * needs and reads or writes no document.
     */
    @Test
    void theWriterHasNoClusterPrivilegeAndTheInstallerNoDocumentAccess() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String alerts = JobOptions.defaults().get(ElasticsearchOptions.INDEX);
        String dead = JobOptions.defaults().get(DeadLetterOptions.INDEX);
        String exceptions = JobOptions.defaults().get(ExceptionOptions.INDEX);
        JsonNode writer = json.readTree(ROOT.resolve("deploy/elasticsearch/role-entrawatch-writer.json").toFile());
        assertEquals(List.of(), json.convertValue(writer.path("cluster"), List.class));
        assertEquals(List.of(alerts, alerts + "-*", dead, dead + "-*"), json.convertValue(writer.at("/indices/0/names"), List.class));
        assertEquals(Set.of("index", "view_index_metadata"), new HashSet<>(json.convertValue(writer.at("/indices/0/privileges"), List.class)));
        assertEquals(2, writer.path("indices").size());

        JsonNode installer = json.readTree(ROOT.resolve("deploy/elasticsearch/role-entrawatch-installer.json").toFile());
        assertEquals(Set.of("manage_index_templates", "manage_ilm"), new HashSet<>(json.convertValue(installer.path("cluster"), List.class)));
        assertEquals(1, installer.path("indices").size());
        assertEquals(List.of(alerts, alerts + "-*", dead, dead + "-*", exceptions),
                json.convertValue(installer.at("/indices/0/names"), List.class));
        assertEquals(Set.of("create_index", "manage"), new HashSet<>(json.convertValue(installer.at("/indices/0/privileges"), List.class)));
    }

    @Test
    void rolesReadTheExceptionsAndOnlyTheAnalystWritesThem() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String exceptions = JobOptions.defaults().get(ExceptionOptions.INDEX);
        JsonNode writer = json.readTree(ROOT.resolve("deploy/elasticsearch/role-entrawatch-writer.json").toFile());
        assertEquals(List.of(exceptions), json.convertValue(writer.at("/indices/1/names"), List.class));
        // read to poll, nothing more: the installer creates the index and its mapping
        assertEquals(Set.of("read"), new HashSet<>(json.convertValue(writer.at("/indices/1/privileges"), List.class)));

        JsonNode analyst = json.readTree(ROOT.resolve("deploy/elasticsearch/role-entrawatch-analyst.json").toFile());
        assertEquals(List.of(), json.convertValue(analyst.path("cluster"), List.class));
        assertEquals(List.of(JobOptions.defaults().get(ElasticsearchOptions.INDEX), JobOptions.defaults().get(ElasticsearchOptions.INDEX) + "-*"),
                json.convertValue(analyst.at("/indices/0/names"), List.class));
        assertEquals(Set.of("read", "view_index_metadata"), new HashSet<>(json.convertValue(analyst.at("/indices/0/privileges"), List.class)));
        assertEquals(List.of(exceptions), json.convertValue(analyst.at("/indices/1/names"), List.class));
        assertEquals(Set.of("read", "view_index_metadata", "index", "delete"),
                new HashSet<>(json.convertValue(analyst.at("/indices/1/privileges"), List.class)));
        assertEquals(2, analyst.path("indices").size(), "nothing else: not the dead letters");
    }

    /** roles.yml (file realm) defines the same roles as the JSON files (native realm, install --role). */
    @Test
    @SuppressWarnings("unchecked")
    void rolesYmlMatchesTheJsonRoles() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> yml = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(ROOT.resolve("deploy/elasticsearch/roles.yml"), StandardCharsets.UTF_8));
        assertEquals(Set.of("entrawatch_installer", "entrawatch_writer", "entrawatch_analyst"), yml.keySet());
        for (String name : yml.keySet()) {
            JsonNode file = json.readTree(ROOT.resolve("deploy/elasticsearch/role-" + name.replace('_', '-') + ".json").toFile());
            Map<String, Object> role = (Map<String, Object>) yml.get(name);
            assertEquals(json.convertValue(file.path("cluster"), List.class), role.getOrDefault("cluster", List.of()), name + " cluster");
            List<Map<String, Object>> indices = (List<Map<String, Object>>) role.get("indices");
            assertEquals(file.path("indices").size(), indices.size(), name);
            for (int i = 0; i < indices.size(); i++) {
                assertEquals(json.convertValue(file.at("/indices/" + i + "/names"), List.class), indices.get(i).get("names"), name);
                assertEquals(json.convertValue(file.at("/indices/" + i + "/privileges"), List.class), indices.get(i).get("privileges"), name);
            }
        }
    }
}
