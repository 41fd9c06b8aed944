package io.entrawatch.deploy;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checkpoint storage on Azure works with the identity the deployment describes, checked against
 * the plugin that serves {@code abfss://}: Flink's Azure file system plugin (Hadoop's ABFS classes,
 * unrelocated), as the build copies it to target/flink-plugins ({@link FlinkPlugins}).
 *
 * <ul>
 *   <li>every {@code fs.azure.*} key of the shipped Flink configurations (the FlinkDeployment's
 *       flinkConfiguration, the local cluster's config.yaml) is a key the plugin's ABFS configuration
 *       knows: a string constant of its {@code ConfigurationKeys}, possibly with the account suffix;</li>
 *   <li>every class name in them resolves in the jar it is meant for, with the type Flink or Hadoop
 *       loads it as: {@code fs.azure.*} classes in the Azure plugin alone (a token provider an
 *       {@code AccessTokenProvider}), reporter factories in their plugin, the job's entry class in the
 *       job's classes;</li>
 *   <li>the identity model is one the plugin supports: OAuth through {@code MsiTokenProvider} with the
 *       client id of a user-assigned managed identity (the AKS kubelet identity), no storage key or
 *       secret in the configuration, and no workload-identity label, since the plugin's Hadoop has no
 *       workload-identity token provider;</li>
 *   <li>the plugin checked carries the same Hadoop as Flink {@code flink.version}'s file systems, the
 *       Dockerfile enables it from the image of that version, and the docs name what the manifest sets.</li>
 * </ul>
 */
class AzureStorageConfigTest {
    private static final Path ROOT = KibanaSavedObjectsTest.root();
    private static final String ABFS = "org.apache.hadoop.fs.azurebfs.";
    private static final String MSI_TOKEN_PROVIDER = ABFS + "oauth2.MsiTokenProvider";
    /** A class name as a configuration value: lower-case package segments, then a capitalised simple name. */
    private static final Pattern CLASS_NAME = Pattern.compile("(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*");
    /** The per-account form of an ABFS key: KEY.ACCOUNT.dfs.core.windows.net (or .blob.). */
    private static final Pattern ACCOUNT_SUFFIX = Pattern.compile("\\.[a-z0-9]{3,24}\\.(?:dfs|blob)\\.core\\.windows\\.net$");

    // ---------------------------------------------------------------- the shipped configurations

    @SuppressWarnings("unchecked")
    private static Map<String, Object> flinkDeployment() throws Exception {
        String yaml = Files.readString(ROOT.resolve("deploy/kubernetes/flink-deployment.yaml"), StandardCharsets.UTF_8);
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml);
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Map<String, Object> map, String... path) {
        Object node = map;
        for (String p : path) node = node == null ? null : ((Map<String, Object>) node).get(p);
        return (T) node;
    }

    /** The FlinkDeployment's flinkConfiguration, values as written. */
    static Map<String, String> deploymentConfiguration() throws Exception {
        Map<String, Object> conf = at(flinkDeployment(), "spec", "flinkConfiguration");
        Map<String, String> out = new LinkedHashMap<>();
        conf.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    /**
     * The config.yaml that deploy/local/flink/flink writes: its here-documents (the one every cluster
     * gets and the one appended with high availability; $VARIABLES left as they are).
     */
    static Map<String, String> localClusterConfiguration() throws Exception {
        String script = Files.readString(ROOT.resolve("deploy/local/flink/flink"));
        int start = script.indexOf("cat >\"$FL/conf/config.yaml\" <<EOF\n");
        int ha = script.indexOf("cat >>\"$FL/conf/config.yaml\" <<EOF\n");
        assertTrue(start >= 0, "config.yaml here-document not found");
        assertTrue(ha >= 0, "the high-availability here-document of config.yaml not found");
        Map<String, String> out = new LinkedHashMap<>();
        for (int from : new int[] {start, ha}) {
            String doc = script.substring(script.indexOf('\n', from) + 1, script.indexOf("\nEOF\n", from));
            doc.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .forEach(l -> out.put(l.substring(0, l.indexOf(':')).strip(), l.substring(l.indexOf(':') + 1).strip()));
        }
        return out;
    }

    private static Map<String, Map<String, String>> shippedConfigurations() throws Exception {
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        all.put("deploy/kubernetes/flink-deployment.yaml flinkConfiguration", deploymentConfiguration());
        all.put("deploy/local/flink/flink config.yaml", localClusterConfiguration());
        return all;
    }

    // ---------------------------------------------------------------- the Azure plugin's ABFS configuration

    /** Whether Flink hands the key to the Azure plugin: its prefixes fs.azure. and azure. (both become fs.azure.). */
    static boolean isAzurePluginKey(String key) {
        return key.startsWith("fs.azure.") || key.startsWith("azure.");
    }

    /** The ABFS key Flink passes on: azure.X becomes fs.azure.X, without a per-account suffix. */
    static String abfsKey(String flinkKey) {
        String key = flinkKey.startsWith("azure.") ? "fs." + flinkKey : flinkKey;
        return ACCOUNT_SUFFIX.matcher(key).replaceFirst("");
    }

    /** The configuration keys of the plugin's ABFS (the string constants of its ConfigurationKeys). */
    static Set<String> abfsConfigurationKeys() throws Exception {
        try (URLClassLoader azure = FlinkPlugins.loader(FlinkPlugins.AZURE_FS)) {
            return FlinkPlugins.stringConstants(azure, ABFS + "constants.ConfigurationKeys");
        }
    }

    @Test
    void theAbfsKeysAreReadFromThePluginItself() throws Exception {
        Set<String> keys = abfsConfigurationKeys();
        // what the manifest relies on, and a control that the constants were read at all
        assertTrue(keys.containsAll(List.of("fs.azure.account.auth.type", "fs.azure.account.oauth.provider.type",
                "fs.azure.account.oauth2.client.id")), keys.toString());
        assertTrue(keys.size() > 50, "ConfigurationKeys read only partly: " + keys.size());
        assertFalse(keys.contains("fs.azure.no.such.key"));
        assertEquals("fs.azure.account.auth.type", abfsKey("fs.azure.account.auth.type.entrawatchstate.dfs.core.windows.net"));
        assertEquals("fs.azure.account.oauth2.client.id", abfsKey("azure.account.oauth2.client.id"));
    }

    @Test
    void everyAzureKeyIsOneThePluginsAbfsConfigurationKnows() throws Exception {
        Set<String> known = abfsConfigurationKeys();
        List<String> unknown = new ArrayList<>();
        int checked = 0;
        for (var conf : shippedConfigurations().entrySet()) {
            for (String key : conf.getValue().keySet()) {
                if (!isAzurePluginKey(key)) continue;
                checked++;
                if (!known.contains(abfsKey(key))) unknown.add(conf.getKey() + ": " + key);
            }
        }
        assertEquals(List.of(), unknown, "keys the Azure plugin's ABFS (hadoop-azure "
                + FlinkPlugins.bundledHadoopAzureVersion() + ") does not know");
        assertTrue(checked >= 3, "expected the FlinkDeployment's fs.azure.* keys, found " + checked);
    }

    // ---------------------------------------------------------------- class names

    @Test
    void everyClassNameResolvesInTheJarItIsMeantFor() throws Exception {
        List<String> problems = new ArrayList<>();
        List<String> resolved = new ArrayList<>();
        try (URLClassLoader azure = FlinkPlugins.loader(FlinkPlugins.AZURE_FS);
             URLClassLoader prometheus = FlinkPlugins.loader(FlinkPlugins.PROMETHEUS)) {
            ClassLoader flink = AzureStorageConfigTest.class.getClassLoader(); // Flink's lib/ and the job's classes
            for (var conf : shippedConfigurations().entrySet()) {
                for (var e : conf.getValue().entrySet()) {
                    String key = e.getKey();
                    String value = e.getValue();
                    if (!CLASS_NAME.matcher(value).matches()) continue;
                    String where = conf.getKey() + ": " + key + " = " + value;
                    if (isAzurePluginKey(key)) {
                        Class<?> c = load(value, azure, FlinkPlugins.AZURE_FS, where, problems);
                        if (c != null && abfsKey(key).equals("fs.azure.account.oauth.provider.type")) {
                            // AbfsConfiguration.getTokenProvider takes an AccessTokenProvider or a CustomTokenProviderAdaptee
                            Class<?> provider = Class.forName(ABFS + "oauth2.AccessTokenProvider", false, azure);
                            Class<?> adaptee = Class.forName(ABFS + "extensions.CustomTokenProviderAdaptee", false, azure);
                            if (!provider.isAssignableFrom(c) && !adaptee.isAssignableFrom(c)) {
                                problems.add(where + ": neither an AccessTokenProvider nor a CustomTokenProviderAdaptee");
                            }
                        }
                        if (c != null) resolved.add(value + " in " + FlinkPlugins.AZURE_FS);
                    } else if (key.startsWith("metrics.reporter.")) {
                        Class<?> c = load(value, prometheus, FlinkPlugins.PROMETHEUS, where, problems);
                        if (c != null && key.endsWith(".factory.class")) {
                            Class<?> factory = Class.forName("org.apache.flink.metrics.reporter.MetricReporterFactory", false, prometheus);
                            if (!factory.isAssignableFrom(c)) problems.add(where + ": not a MetricReporterFactory");
                        }
                        if (c != null) resolved.add(value + " in " + FlinkPlugins.PROMETHEUS);
                    } else if (load(value, flink, "Flink's classpath", where, problems) != null) {
                        resolved.add(value + " on Flink's classpath");
                    }
                }
            }
        }
        String entryClass = at(flinkDeployment(), "spec", "job", "entryClass");
        try {
            Class<?> job = Class.forName(entryClass, false, AzureStorageConfigTest.class.getClassLoader());
            job.getMethod("main", String[].class);
            resolved.add(entryClass + " in the job's classes");
        } catch (ReflectiveOperationException e) {
            problems.add("spec.job.entryClass " + entryClass + ": " + e);
        }
        assertEquals(List.of(), problems, "class names that do not resolve where they are meant to");
        assertTrue(resolved.contains(MSI_TOKEN_PROVIDER + " in " + FlinkPlugins.AZURE_FS), resolved.toString());
        assertTrue(resolved.contains("org.apache.flink.metrics.prometheus.PrometheusReporterFactory in " + FlinkPlugins.PROMETHEUS),
                resolved.toString());
    }

    private static Class<?> load(String name, ClassLoader loader, String jar, String where, List<String> problems) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            problems.add(where + ": not in " + jar + " (" + e + ")");
            return null;
        }
    }

    @Test
    void theClassLoaderOfAPluginFindsOnlyWhatThatPluginCarries() throws Exception {
        try (URLClassLoader azure = FlinkPlugins.loader(FlinkPlugins.AZURE_FS);
             URLClassLoader prometheus = FlinkPlugins.loader(FlinkPlugins.PROMETHEUS)) {
            assertNotNull(Class.forName(MSI_TOKEN_PROVIDER, false, azure));
            assertThrowsNotFound(MSI_TOKEN_PROVIDER, prometheus);
            assertThrowsNotFound(MSI_TOKEN_PROVIDER, AzureStorageConfigTest.class.getClassLoader());
            // a class of the test classpath that is not Flink's is not seen through the plugin's loader
            assertThrowsNotFound("com.fasterxml.jackson.databind.ObjectMapper", prometheus);
            assertThrowsNotFound(ABFS + "oauth2.NoSuchTokenProvider", azure);
        }
    }

    private static void assertThrowsNotFound(String name, ClassLoader loader) {
        try {
            Class.forName(name, false, loader);
            throw new AssertionError(name + " should not resolve in " + loader);
        } catch (ClassNotFoundException expected) {
            // as expected
        }
    }

    // ---------------------------------------------------------------- the identity model

    /** The token providers the plugin's ABFS ships (simple names of org/apache/hadoop/fs/azurebfs/oauth2/*TokenProvider). */
    static List<String> bundledTokenProviders() throws Exception {
        try (ZipFile zip = new ZipFile(FlinkPlugins.jar(FlinkPlugins.AZURE_FS).toFile())) {
            return zip.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("org/apache/hadoop/fs/azurebfs/oauth2/") && n.endsWith("TokenProvider.class"))
                    .map(n -> n.substring(n.lastIndexOf('/') + 1, n.length() - ".class".length())).sorted().toList();
        }
    }

    @Test
    void storageIsReachedWithAUserAssignedManagedIdentityThroughMsi() throws Exception {
        Map<String, String> conf = deploymentConfiguration();
        Map<String, String> azure = conf.entrySet().stream().filter(e -> isAzurePluginKey(e.getKey()))
                .collect(Collectors.toMap(e -> abfsKey(e.getKey()), Map.Entry::getValue));
        assertEquals("OAuth", azure.get("fs.azure.account.auth.type"));
        assertEquals(MSI_TOKEN_PROVIDER, azure.get("fs.azure.account.oauth.provider.type"));
        try (URLClassLoader loader = FlinkPlugins.loader(FlinkPlugins.AZURE_FS)) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            Class<? extends Enum> authType = (Class<? extends Enum>) Class.forName(ABFS + "services.AuthType", true, loader);
            assertTrue(Arrays.stream(authType.getEnumConstants()).map(Enum::name).anyMatch("OAuth"::equals),
                    "OAuth is an ABFS AuthType: " + Arrays.toString(authType.getEnumConstants()));
            // MSI asks the node's instance metadata endpoint (the manifest leaves it at the default)
            assertFalse(azure.containsKey("fs.azure.account.oauth2.msi.endpoint"));
            assertEquals("http://169.254.169.254/metadata/identity/oauth2/token", FlinkPlugins.stringConstants(loader,
                    ABFS + "constants.AuthConfigurations").stream().filter(v -> v.contains("/metadata/identity/")).findFirst().orElse(null));
        }
        // a user-assigned identity (the kubelet identity) is chosen by its client id: a node may hold several
        String clientId = azure.get("fs.azure.account.oauth2.client.id");
        assertNotNull(clientId, "fs.azure.account.oauth2.client.id: the kubelet identity's client id");
        assertFalse(clientId.isBlank());
        // no storage key, SAS or secret in the configuration (it is a ConfigMap)
        List<String> secrets = azure.keySet().stream().filter(k -> k.startsWith("fs.azure.account.key") || k.contains("secret")
                || k.contains("password") || k.contains("refresh.token") || k.contains("sas")).toList();
        assertEquals(List.of(), secrets, "credentials in flinkConfiguration");

        // the plugin's Hadoop has no workload-identity token provider: MSI never reads a federated token,
        // so the pods carry no workload-identity label and the service account no client-id annotation
        List<String> providers = bundledTokenProviders();
        assertTrue(providers.contains("MsiTokenProvider"), providers.toString());
        if (providers.stream().noneMatch(p -> p.contains("WorkloadIdentity"))) {
            String manifest = Files.readString(ROOT.resolve("deploy/kubernetes/flink-deployment.yaml"));
            List<String> lines = manifest.lines().filter(l -> !l.strip().startsWith("#"))
                    .filter(l -> l.contains("azure.workload.identity")).toList();
            assertEquals(List.of(), lines, "workload identity does not apply to the plugin's MsiTokenProvider " + providers);
        }
    }

    // ---------------------------------------------------------------- the plugin, the image and the docs

    @Test
    void thePluginCheckedCarriesTheHadoopOfFlinksFileSystems() throws Exception {
        Path pom = FlinkPlugins.file("flink-filesystems", "pom");
        String flinkVersion = FlinkPlugins.version(pom, "flink-filesystems");
        // the Azure plugin of flink.version may not be the one copied (see pom.xml), but its ABFS is the same
        assertEquals(FlinkPlugins.flinkFileSystemsHadoopVersion(), FlinkPlugins.bundledHadoopAzureVersion(),
                "the Hadoop of " + FlinkPlugins.jar(FlinkPlugins.AZURE_FS).getFileName() + " vs Flink " + flinkVersion + "'s file systems");
        String dockerfile = Files.readString(ROOT.resolve("deploy/kubernetes/Dockerfile"));
        Matcher from = Pattern.compile("(?m)^FROM flink:([0-9.]+)-java17$").matcher(dockerfile);
        assertTrue(from.find(), "FROM flink:VERSION-java17");
        assertEquals(flinkVersion, from.group(1), "the image's Flink is the one the plugin was checked for");
        assertEquals(flinkVersion, FlinkPlugins.version(FlinkPlugins.jar(FlinkPlugins.PROMETHEUS), FlinkPlugins.PROMETHEUS));
    }

    @Test
    void theDockerfileEnablesTheAzurePluginOfTheImage() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve("deploy/kubernetes/Dockerfile")).stream()
                .filter(l -> !l.strip().startsWith("#")).toList();
        String body = String.join("\n", lines).replace("\\\n", " ");
        // a plugin lives in a folder of its own under plugins/, copied from the image's opt/
        Matcher cp = Pattern.compile("cp /opt/flink/opt/" + FlinkPlugins.AZURE_FS + "-\\*\\.jar /opt/flink/plugins/([a-z0-9-]+)/").matcher(body);
        assertTrue(cp.find(), "the Dockerfile copies " + FlinkPlugins.AZURE_FS + " into a folder of plugins/");
        assertTrue(body.contains("mkdir -p /opt/flink/plugins/" + cp.group(1)), "plugins/" + cp.group(1) + " is created");
        // nothing else in the image names Hadoop or Azure classes (say, a second copy on lib/)
        List<String> classNames = new ArrayList<>();
        Matcher m = CLASS_NAME.matcher(body);
        while (m.find()) if (m.group().startsWith("org.apache.hadoop")) classNames.add(m.group());
        assertEquals(List.of(), classNames);
    }

    @Test
    void theDocsDescribeTheIdentityTheManifestUses() throws Exception {
        String operations = Files.readString(ROOT.resolve("docs/operations.md"));
        String readme = Files.readString(ROOT.resolve("README.md"));
        List<String> missing = new ArrayList<>();
        for (var e : deploymentConfiguration().entrySet()) {
            if (!isAzurePluginKey(e.getKey())) continue;
            if (!operations.contains(e.getKey())) missing.add(e.getKey());
            if (e.getKey().equals("fs.azure.account.oauth.provider.type") && !operations.contains(e.getValue())) missing.add(e.getValue());
        }
        for (String must : List.of("kubelet identity", "Storage Blob Data Contributor", "identityProfile.kubeletidentity.clientId",
                "169.254.169.254", "hadoop-azure " + FlinkPlugins.bundledHadoopAzureVersion())) {
            if (!operations.contains(must)) missing.add(must);
        }
        assertEquals(List.of(), missing, "docs/operations.md does not say what the FlinkDeployment needs");
        assertTrue(readme.contains("kubelet identity"), "README: the identity of the checkpoint storage");
        // nothing shipped still has the pods use AKS workload identity
        List<String> offenders = new ArrayList<>();
        for (Path f : List.of(ROOT.resolve("README.md"), ROOT.resolve("docs/operations.md"),
                ROOT.resolve("deploy/kubernetes/Dockerfile"), ROOT.resolve("deploy/kubernetes/flink-deployment.yaml"))) {
            if (Files.readString(f).contains("azure.workload.identity/use")) offenders.add(f.toString());
        }
        assertEquals(List.of(), offenders);
    }

    /** For DeploymentArtefactsTest: the Azure keys among the given ones that the plugin's ABFS does not know. */
    static List<String> unknownAzureKeys(Stream<String> keys) throws Exception {
        Set<String> known = abfsConfigurationKeys();
        return keys.filter(AzureStorageConfigTest::isAzurePluginKey).filter(k -> !known.contains(abfsKey(k))).toList();
    }
}
