package io.entrawatch.config;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Every option of the job in one place: name, default, description. Options come from
 * {@code --name value} arguments and from job files ({@code --config FILE}, lines of
 * {@code name: value}); the command line wins. An unknown name is an error that names the closest
 * known one, so a typo in a deployment fails at start instead of running with a default.
 *
 * <p>Secrets (the Event Hubs connection string, the Elasticsearch password or API key) are never
 * options: they come from environment variables or files named by options (see {@link Secrets}).
 */
public final class JobOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final List<Option<?>> ALL = new ArrayList<>();

    // ---- source: Azure Event Hubs over its Kafka endpoint
    public static final Option<String> SOURCE_BOOTSTRAP = string("source.bootstrap-servers", null,
            "Event Hubs Kafka endpoint, <namespace>.servicebus.windows.net:9093.");
    public static final Option<List<String>> SOURCE_TOPICS = list("source.topic", "insights-logs-signinlogs",
            "Event Hub name(s) (Kafka topics) carrying the sign-in logs, comma-separated.");
    public static final Option<String> SOURCE_GROUP = string("source.group-id", "entrawatch",
            "Consumer group (create it on the Event Hub, or use $Default).");
    public static final Option<String> SOURCE_START = string("source.starting-offsets", "committed",
            "committed (the group's committed offsets, earliest when none), earliest, latest, or "
                    + "timestamp:<ISO-8601 instant or epoch millis>.");
    public static final Option<String> SOURCE_PROTOCOL = string("source.security-protocol", "SASL_SSL",
            "Kafka security.protocol: SASL_SSL for Event Hubs (SASL_PLAINTEXT only for local tests).");
    public static final Option<String> SOURCE_CA_FILE = string("source.ssl.ca-file", null,
            "PEM file of CA certificates to trust for the Kafka endpoint (default: the JVM's trust store).");
    public static final Option<String> SOURCE_SECRET_FILE = string("source.connection-string-file", null,
            "File holding the Event Hubs connection string (else env EVENTHUBS_CONNECTION_STRING).");

    // ---- event time
    public static final Option<Duration> OUT_OF_ORDERNESS = duration("event-time.max-out-of-orderness", "5 min",
            "Bounded out-of-orderness of the watermark: how late a sign-in may arrive and still count.");
    public static final Option<Duration> IDLENESS = duration("event-time.idleness", "1 min",
            "A partition silent this long no longer holds the watermark back.");
    public static final Option<Duration> MAX_AHEAD = duration("event-time.max-ahead", "1 d",
            "A sign-in more than this ahead of its partition's newest sign-in moves event time only once the next sign-in confirms the jump (0 = off: a plain bounded-out-of-orderness watermark).");
    public static final Option<Duration> MAX_AHEAD_OF_CLOCK = duration("event-time.max-ahead-of-clock", "1 h",
            "Cluster job: a sign-in more than this ahead of the wall clock is dead-lettered (0 = off). jobs/replay: off unless set.");

    // ---- enrichment and common filters
    public static final Option<String> ASN_FILE = string("asn.organizations-file", null,
            "CSV of 'asn,organization' lines added to the built-in table (8075 = MICROSOFT-CORP-MSN-AS-BLOCK).");
    public static final Option<List<String>> EXCLUDED_AS_ORGS = list("detection.excluded-as-orgs",
            "MICROSOFT-CORP-MSN-AS-BLOCK", "AS organisations whose sign-ins no detection counts, comma-separated.");
    public static final Option<List<Integer>> FAILURE_CODES = intList("detection.failure-codes",
            "50053,50126,50055,50056,50064,50144", "Error codes counted as password failures, comma-separated.");

    // ---- detection A: password spray
    public static final Option<Boolean> SPRAY_ENABLED = bool("spray.enabled", "true",
            "Run detection A (excessive single-factor non-interactive failures).");
    public static final Option<Duration> SPRAY_WINDOW = duration("spray.window", "10 min",
            "Detection A tumbling window, aligned to the UTC epoch.");
    public static final Option<Integer> SPRAY_THRESHOLD = integer("spray.threshold", "30",
            "Detection A alerts when distinct users in a window reach this number.");

    // ---- detection B: unusual client app (rare app)
    public static final Option<Boolean> RARE_APP_ENABLED = bool("rare-app.enabled", "true",
            "Run detection B (unusual client app on behalf of a user, hourly over a trailing lookback).");
    public static final Option<Duration> RARE_APP_LOOKBACK = duration("rare-app.lookback", "14 d",
            "Detection B lookback L: failures of a (tenant, user, appId) counted over [T - L, T); a multiple of the interval.");
    public static final Option<Duration> RARE_APP_INTERVAL = duration("rare-app.evaluation-interval", "1 h",
            "Detection B evaluates each pair at the end T of every aligned interval in which it failed.");
    public static final Option<Integer> RARE_APP_THRESHOLD = integer("rare-app.threshold", "3",
            "Detection B alerts when the pair's failures over the lookback are at most this number.");
    public static final Option<Duration> RARE_APP_SUPPRESSION = duration("rare-app.suppression", "14 d",
            "After an alert, the pair does not alert again for this long (0 = off; at most the lookback).");
    public static final Option<java.time.Instant> RARE_APP_ALERT_FROM = instant("rare-app.alert-from", null,
            "Warm-up: detection B learns from earlier sign-ins but raises no alert for evaluations ending before this ISO-8601 instant.");

    // ---- detection C: password spray against Seamless SSO
    public static final Option<Boolean> SSO_SPRAY_ENABLED = bool("sso-spray.enabled", "true",
            "Run detection C (password spray against Seamless SSO, the two-stage Sentinel rule).");
    public static final Option<Duration> SSO_SPRAY_WINDOW = duration("sso-spray.window", "1 h",
            "Detection C tumbling window (both stages), aligned to the UTC epoch.");
    public static final Option<Integer> SSO_SPRAY_ACCOUNT_THRESHOLD = integer("sso-spray.account-threshold", "5",
            "Detection C flags a result type when its distinct accounts in a window are MORE than this.");
    public static final Option<String> SSO_SPRAY_RESULT_TYPE_PREFIX = string("sso-spray.result-type-prefix", "81",
            "Detection C stage 1 counts non-interactive sign-ins whose resultType starts with this (Seamless SSO errors).");

    // ---- Elasticsearch
    public static final Option<List<String>> ES_HOSTS = list("es.hosts", "http://localhost:9200",
            "Elasticsearch URLs, comma-separated (https://... for TLS).");
    public static final Option<String> ES_USERNAME = string("es.username", null,
            "Basic-auth user (password from env ES_PASSWORD or --es.password-file).");
    public static final Option<String> ES_PASSWORD_FILE = string("es.password-file", null,
            "File holding the Elasticsearch password (else env ES_PASSWORD).");
    public static final Option<String> ES_API_KEY_FILE = string("es.api-key-file", null,
            "File holding an Elasticsearch API key, base64 'id:key' (else env ES_API_KEY).");
    public static final Option<String> ES_CA_FILE = string("es.ca-file", null,
            "PEM CA certificate to trust for https Elasticsearch (default: the JVM's trust store).");
    public static final Option<String> ES_INDEX = string("es.index", "entrawatch-alerts",
            "Index (or write alias) the alerts go to.");
    public static final Option<Boolean> ES_INSTALL_TEMPLATE = bool("es.install-template", "true",
            "Install the index templates (ECS types) and bootstrap the write aliases before the first write; idempotent.");
    public static final Option<Integer> ES_MAX_BATCH = integer("es.bulk.max-actions", "1000",
            "Documents per bulk request at most.");
    public static final Option<Long> ES_MAX_BATCH_BYTES = bytes("es.bulk.max-bytes", "5mb",
            "Bytes per bulk request at most.");
    public static final Option<Integer> ES_MAX_IN_FLIGHT = integer("es.bulk.max-in-flight", "4",
            "Bulk requests in flight per sink subtask.");
    public static final Option<Integer> ES_MAX_BUFFERED = integer("es.bulk.max-buffered", "10000",
            "Documents buffered per sink subtask before backpressure.");
    public static final Option<Duration> ES_FLUSH_INTERVAL = duration("es.bulk.flush-interval", "1 s",
            "A partial batch is sent after this long.");
    public static final Option<Duration> ES_REQUEST_TIMEOUT = duration("es.request-timeout", "60 s",
            "Timeout of one bulk request; it is retried after.");
    public static final Option<Duration> ES_RETRY_INITIAL_BACKOFF = duration("es.retry.initial-backoff", "100 ms",
            "Wait before retrying a failed bulk (Elasticsearch unreachable, 429, 5xx); doubles per failure in a row.");
    public static final Option<Duration> ES_RETRY_MAX_BACKOFF = duration("es.retry.max-backoff", "30 s",
            "Longest wait between retries; the sink retries for as long as Elasticsearch is down.");

    // ---- dead letters
    public static final Option<String> DLQ_TARGET = string("dead-letter.target", "elasticsearch",
            "Where dead letters go: elasticsearch (an index) or kafka (a topic on the same endpoint).");
    public static final Option<String> DLQ_INDEX = string("dead-letter.index", "entrawatch-dead-letters",
            "Dead-letter index (dead-letter.target=elasticsearch); rejected alerts always go here.");
    public static final Option<String> DLQ_TOPIC = string("dead-letter.topic", "entrawatch-dead-letters",
            "Dead-letter topic (dead-letter.target=kafka).");
    public static final Option<Long> DLQ_MAX_PAYLOAD = bytes("dead-letter.max-payload-bytes", "256kb",
            "Payload kept per dead letter; longer ones are truncated (the original size is recorded).");

    // ---- job
    public static final Option<String> JOB_NAME = string("job.name", "entrawatch", "Flink job name.");
    public static final Option<Duration> CHECKPOINT_INTERVAL = duration("checkpoint.interval", "1 min",
            "Checkpoint interval: offsets are committed and the sink flushed on each checkpoint.");
    public static final Option<Integer> PARALLELISM = integer("parallelism", "0",
            "Job parallelism; 0 keeps the cluster's default (-p).");

    // ---- start-up check (main() only, before the job is submitted)
    public static final Option<Boolean> PREFLIGHT_ENABLED = bool("preflight.enabled", "true",
            "Before submitting, check that Event Hubs and Elasticsearch accept the job's settings (TLS, credentials, Event Hubs, privileges) and fail with what to fix.");
    public static final Option<Duration> PREFLIGHT_TIMEOUT = duration("preflight.timeout", "30 s",
            "How long the start-up check waits for Event Hubs and for Elasticsearch (checked at the same time).");

    // ---- replay (jobs/replay only)
    public static final Option<String> REPLAY_DEAD_LETTERS = string("replay.dead-letters", null,
            "jobs/replay only: also write every dead letter (malformed, late) as one JSON line to this file.");

    private final Map<String, String> values;

    private JobOptions(Map<String, String> values) {
        this.values = values;
    }

    /** All options, in documentation order. */
    public static List<Option<?>> all() {
        return Collections.unmodifiableList(ALL);
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

    // ---- option constructors

    private static <T> Option<T> register(Option<T> o) {
        ALL.add(o);
        return o;
    }

    static Option<String> string(String name, String def, String description) {
        return register(new Option<>(name, def, description, s -> s));
    }

    static Option<Boolean> bool(String name, String def, String description) {
        return register(new Option<>(name, def, description, s -> {
            switch (s.toLowerCase(Locale.ROOT)) {
                case "true": case "yes": case "on": return true;
                case "false": case "no": case "off": return false;
                default: throw new IllegalArgumentException("expected true or false");
            }
        }));
    }

    static Option<Integer> integer(String name, String def, String description) {
        return register(new Option<>(name, def, description, s -> {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number");
            }
        }));
    }

    static Option<Duration> duration(String name, String def, String description) {
        return register(new Option<>(name, def, description, Durations::parse));
    }

    static Option<java.time.Instant> instant(String name, String def, String description) {
        return register(new Option<>(name, def, description, s -> {
            try {
                return s.matches("-?\\d+") ? java.time.Instant.ofEpochMilli(Long.parseLong(s))
                        : java.time.OffsetDateTime.parse(s).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("expected an ISO-8601 instant such as 2025-11-14T00:00:00Z, or epoch millis");
            }
        }));
    }

    static Option<Long> bytes(String name, String def, String description) {
        return register(new Option<>(name, def, description, JobOptions::parseBytes));
    }

    static Option<List<String>> list(String name, String def, String description) {
        return register(new Option<>(name, def, description, s -> Arrays.stream(s.split(","))
                .map(String::trim).filter(x -> !x.isEmpty()).collect(Collectors.toUnmodifiableList())));
    }

    static Option<List<Integer>> intList(String name, String def, String description) {
        return register(new Option<>(name, def, description, s -> {
            try {
                return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty())
                        .map(Integer::valueOf).collect(Collectors.toCollection(TreeSet::new))
                        .stream().collect(Collectors.toUnmodifiableList());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected whole numbers separated by commas");
            }
        }));
    }

    static long parseBytes(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        long mult = 1;
        if (t.endsWith("kb")) { mult = 1024; t = t.substring(0, t.length() - 2); }
        else if (t.endsWith("mb")) { mult = 1024 * 1024; t = t.substring(0, t.length() - 2); }
        else if (t.endsWith("b")) { t = t.substring(0, t.length() - 1); }
        try {
            return Long.parseLong(t) * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a size such as 512kb or 5mb");
        }
    }
}
