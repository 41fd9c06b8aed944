package io.entrawatch.config;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The job's option values. The options themselves (name, default, description) are declared per
 * component, in the {@code *Options} classes of this package ({@link SourceOptions},
 * {@link EventTimeOptions}, {@link SprayOptions}, {@link ElasticsearchOptions}, ...). Options come from
 * {@code --name value} arguments and from job files ({@code --config FILE}, lines of
 * {@code name: value}); the command line wins. An unknown name is an error that names the closest
 * known one, so a typo in a deployment fails at start instead of running with a default.
 *
 * <p>Secrets (the Event Hubs connection string, the Elasticsearch password or API key) are never
 * options: they come from environment variables or files named by options (see {@link Secrets}).
 */
public final class JobOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Every option group, in documentation order. */
    static final List<List<Option<?>>> GROUPS = List.of(SourceOptions.ALL, EventTimeOptions.ALL,
            DetectionOptions.ALL, SprayOptions.ALL, RareAppOptions.ALL, SsoSprayOptions.ALL, ValidCredentialsOptions.ALL,
            ElasticsearchOptions.ALL,
            ExceptionOptions.ALL, DeadLetterOptions.ALL, RunOptions.ALL, PreflightOptions.ALL, ReplayOptions.ALL);

    private static final List<Option<?>> ALL = GROUPS.stream().flatMap(List::stream).collect(Collectors.toUnmodifiableList());

    private final Map<String, String> values;

    private JobOptions(Map<String, String> values) {
        this.values = values;
    }

    /** All options, in documentation order. */
    public static List<Option<?>> all() {
        return ALL;
    }

    public static JobOptions defaults() {
        return new JobOptions(new LinkedHashMap<>());
    }

    /**
     * Parses {@code --name value} (or {@code --name=value}) arguments; {@code --config FILE} reads a job
     * file first. Returns the arguments that are not options in {@code positional}, when non-null.
     */
    public static JobOptions parse(String[] args, List<String> positional) {
        Map<String, String> fromFile = new LinkedHashMap<>();
        Map<String, String> fromArgs = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                if (positional == null) throw new IllegalArgumentException("unexpected argument '" + a + "'");
                positional.add(a);
                continue;
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + " needs a value");
                value = args[++i];
            }
            if (name.equals("config")) {
                fromFile.putAll(readJobFile(Path.of(value)));
            } else {
                fromArgs.put(name, value);
            }
        }
        Map<String, String> merged = new LinkedHashMap<>(fromFile);
        merged.putAll(fromArgs);
        JobOptions options = new JobOptions(merged);
        options.validate();
        return options;
    }

    /** Reads a job file: {@code name: value} or {@code name = value} lines, {@code #} comments. */
    public static Map<String, String> readJobFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read job file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int sep = indexOfSeparator(line);
            if (sep < 0) throw new IllegalArgumentException(file + ":" + n + ": expected 'name: value', got '" + line + "'");
            String name = line.substring(0, sep).strip();
            String value = line.substring(sep + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            out.put(name, value);
        }
        return out;
    }

    private static int indexOfSeparator(String line) {
        int colon = line.indexOf(':');
        int eq = line.indexOf('=');
        if (colon < 0) return eq;
        if (eq < 0) return colon;
        return Math.min(colon, eq);
    }

    /** Fails with a message that names the closest known option when a name is unknown or a value invalid. */
    public void validate() {
        Set<String> known = ALL.stream().map(o -> o.name).collect(Collectors.toCollection(LinkedHashSet::new));
        for (String name : values.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + closestHint(name, known)
                        + " (all options: --help)");
            }
        }
        for (Option<?> o : ALL) {
            get(o); // parses, so a bad value fails here with the option's name
        }
    }

    private static String closestHint(String name, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = editDistance(name, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(3, name.length() / 3) ? "; did you mean --" + best + "?" : "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    public <T> T get(Option<T> option) {
        String text = values.containsKey(option.name) ? values.get(option.name) : option.defaultText;
        return text == null ? null : option.parse(text);
    }

    public boolean isSet(Option<?> option) {
        return values.containsKey(option.name);
    }

    /** A copy with one option set (tests, replay defaults). */
    public JobOptions with(Option<?> option, String value) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.put(option.name, value);
        JobOptions o = new JobOptions(copy);
        o.get(option);
        return o;
    }

    /** The options the user set, for the start-up log. Values are options only, never secrets. */
    public Map<String, String> explicitValues() {
        return Collections.unmodifiableMap(values);
    }

    /** Help text: every option with its default and description. */
    public static String help() {
        StringBuilder sb = new StringBuilder();
        for (Option<?> o : ALL) {
            sb.append(String.format(Locale.ROOT, "  --%-34s %s%n", o.name + (o.defaultText == null ? "" : " (" + o.defaultText + ")"),
                    o.description));
        }
        return sb.toString();
    }
}
