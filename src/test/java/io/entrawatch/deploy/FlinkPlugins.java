package io.entrawatch.deploy;

import io.entrawatch.EntraWatchJob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * The Flink plugin jars that the shipped Flink configuration names classes and keys of, as the build
 * copies them to target/flink-plugins (pom.xml, execution {@code flink-plugins}): Flink's Azure file
 * system ({@code flink-azure-fs-hadoop}, with Hadoop's ABFS classes unrelocated) and the Prometheus
 * reporter. Each is opened in a class loader of its own that, like Flink's plugin class loader, looks
 * up Flink's, the logging and the JDK's classes in the parent first and every other class in the plugin
 * jar alone, so a Hadoop or Azure class resolves here only if the plugin really carries it.
 */
final class FlinkPlugins {
    static final String AZURE_FS = "flink-azure-fs-hadoop";
    static final String PROMETHEUS = "flink-metrics-prometheus";

    /** What Flink's plugin class loader takes from the parent (its default parent-first patterns). */
    private static final List<String> PARENT_FIRST = List.of("java.", "javax.annotation.", "org.apache.flink.",
            "org.slf4j.", "org.apache.log4j.", "org.apache.logging.", "org.apache.commons.logging.", "ch.qos.logback.");

    private FlinkPlugins() {
    }

    /** target/flink-plugins: beside target/classes, wherever the build directory is. */
    static Path dir() {
        try {
            Path classes = Path.of(EntraWatchJob.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = classes.getParent().resolve("flink-plugins");
            if (!Files.isDirectory(dir)) {
                throw new IllegalStateException(dir + " is missing: the build copies the plugin jars there at"
                        + " generate-test-resources (run the tests through Maven)");
            }
            return dir;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The one file in target/flink-plugins named {@code <artifact>-<version>.<ext>}. */
    static Path file(String artifact, String ext) {
        try (Stream<Path> files = Files.list(dir())) {
            List<Path> found = files.filter(p -> p.getFileName().toString().matches(Pattern.quote(artifact) + "-[0-9][^/]*\\." + ext))
                    .toList();
            if (found.size() != 1) throw new IllegalStateException("expected one " + artifact + " ." + ext + " in " + dir() + ": " + found);
            return found.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path jar(String artifact) {
        return file(artifact, "jar");
    }

    /** The version in a copied file's name, e.g. 2.3.0 of flink-azure-fs-hadoop-2.3.0.jar. */
    static String version(Path file, String artifact) {
        String name = file.getFileName().toString();
        return name.substring(artifact.length() + 1, name.lastIndexOf('.'));
    }

    /** A class loader of the plugin jar alone (see the class comment); close it after use. */
    static URLClassLoader loader(String artifact) {
        try {
            return new PluginLoader(jar(artifact).toUri().toURL(), FlinkPlugins.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The values of the public static String constants of a class (e.g. ABFS's ConfigurationKeys). */
    static Set<String> stringConstants(ClassLoader loader, String className) throws Exception {
        Set<String> values = new TreeSet<>();
        for (Field f : Class.forName(className, true, loader).getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && Modifier.isFinal(f.getModifiers()) && f.getType() == String.class) {
                values.add((String) f.get(null));
            }
        }
        return values;
    }

    /** The Hadoop version the Azure plugin bundles, from its META-INF/NOTICE (org.apache.hadoop:hadoop-azure:V). */
    static String bundledHadoopAzureVersion() throws IOException {
        try (ZipFile zip = new ZipFile(jar(AZURE_FS).toFile())) {
            String notice = new String(zip.getInputStream(zip.getEntry("META-INF/NOTICE")).readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("org\\.apache\\.hadoop:hadoop-azure:(?:jar:)?([0-9][0-9.]*[0-9])").matcher(notice);
            if (!m.find()) throw new IllegalStateException("no hadoop-azure version in the plugin's NOTICE");
            return m.group(1);
        }
    }

    /** The Hadoop version Flink's file systems of {@code flink.version} are built with (flink-filesystems' pom). */
    static String flinkFileSystemsHadoopVersion() throws IOException {
        String pom = Files.readString(file("flink-filesystems", "pom"));
        Matcher m = Pattern.compile("<fs\\.hadoopshaded\\.version>([^<]+)</fs\\.hadoopshaded\\.version>").matcher(pom);
        if (!m.find()) throw new IllegalStateException("no fs.hadoopshaded.version in flink-filesystems' pom");
        return m.group(1).trim();
    }

    /** Parent first, then the jar, for {@link #PARENT_FIRST}; the plugin jar only for every other class. */
    private static final class PluginLoader extends URLClassLoader {
        PluginLoader(URL jar, ClassLoader parent) {
            super(new URL[] {jar}, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null && PARENT_FIRST.stream().anyMatch(name::startsWith)) {
                    try {
                        c = getParent().loadClass(name);
                    } catch (ClassNotFoundException notInFlink) {
                        c = null; // the plugin's own org.apache.flink classes, e.g. its FileSystemFactory
                    }
                }
                if (c == null) c = findClass(name);
                if (resolve) resolveClass(c);
                return c;
            }
        }

        @Override
        public URL getResource(String name) {
            return findResource(name);
        }
    }
}
