package io.entrawatch;

import io.entrawatch.config.ElasticsearchOptions;
import io.entrawatch.config.ExceptionOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.exceptions.ExceptionDocuments;
import io.entrawatch.exceptions.ExceptionItem;
import io.entrawatch.exceptions.ExceptionParser;
import io.entrawatch.exceptions.ExceptionsIndex;
import io.entrawatch.pipeline.DetectionPipeline;
import io.entrawatch.sink.elasticsearch.ConnectionSettings;
import org.elasticsearch.client.RestClient;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code jobs/exceptions}: analysts manage the exceptions the live job reads, in its Elasticsearch index,
 * with the job's own validation, Elasticsearch options and secrets.
 *
 * <pre>
 *   jobs/exceptions add '{"id": ..., "rules": [...], ..., "comment": ...}' | FILE.ndjson   [--es.hosts ...]
 *   jobs/exceptions list                every exception with its state now: in force, future or expired
 *   jobs/exceptions export              every valid exception as NDJSON: a file for jobs/replay --exceptions.file
 *   jobs/exceptions expire ID           ends it now: sign-ins from now on are no longer hidden
 * </pre>
 */
public final class ExceptionsTool {
    private ExceptionsTool() {}

    public static void main(String[] args) {
        int status = run(args, System.getenv(), System.out, System.err);
        System.exit(status);
    }

    static String usage() {
        return "usage: jobs/exceptions add JSON|FILE.ndjson | list | export | expire ID   [--es.* options]\n"
                + "  the index is --" + ExceptionOptions.INDEX.name + " (default " + ExceptionOptions.INDEX.defaultText
                + "); Elasticsearch: the job's --es.* options and ES_PASSWORD / ES_API_KEY\n"
                + "  rule ids: " + String.join(", ", DetectionPipeline.RULES.ids()) + " or *";
    }

    /** Runs one command; returns the exit status (0 done, 1 failed, 2 wrong usage or invalid exception). */
    public static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        List<String> positional = new ArrayList<>();
        JobOptions options;
        try {
            options = JobOptions.parse(args, positional);
        } catch (IllegalArgumentException e) {
            err.println("exceptions: " + e.getMessage());
            err.println(usage());
            return 2;
        }
        if (positional.isEmpty()) {
            err.println(usage());
            return 2;
        }
        String command = positional.get(0);
        List<String> rest = positional.subList(1, positional.size());
        String index = options.get(ExceptionOptions.INDEX);
        ExceptionParser parser = DetectionPipeline.RULES.parser();
        try {
            ConnectionSettings connection = ElasticsearchOptions.connection(options, environment);
            switch (command) {
                case "add":
                    if (rest.isEmpty()) throw new UsageException("add needs an exception (JSON) or an NDJSON file");
                    return add(rest, parser, connection, index, out, err);
                case "list":
                    return list(read(connection, index), parser, out, err);
                case "export":
                    return export(read(connection, index), parser, out, err);
                case "expire":
                    if (rest.size() != 1) throw new UsageException("expire needs one exception id");
                    return expire(rest.get(0), parser, connection, index, out, err);
                default:
                    throw new UsageException("unknown command '" + command + "'");
            }
        } catch (UsageException e) {
            err.println("exceptions: " + e.getMessage());
            err.println(usage());
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("exceptions: failed: " + e.getMessage());
            return 1;
        }
    }

    private static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private static int add(List<String> inputs, ExceptionParser parser, ConnectionSettings connection, String index,
            PrintStream out, PrintStream err) throws IOException {
        List<ExceptionDocuments.Document> docs = new ArrayList<>();
        for (String input : inputs) {
            if (input.trim().startsWith("{")) docs.add(new ExceptionDocuments.Document("argument", input));
            else docs.addAll(ExceptionDocuments.lines(Path.of(input)));
        }
        ExceptionDocuments.Validated v = ExceptionDocuments.validate(docs, parser);
        if (!v.problems().isEmpty()) {
            for (String p : v.problems()) err.println("exceptions: invalid: " + p);
            err.println("exceptions: nothing was added");
            return 2;
        }
        try (RestClient client = connection.createClient(Duration.ofSeconds(30))) {
            ExceptionsIndex exceptions = new ExceptionsIndex(client, index);
            exceptions.install();
            for (ExceptionItem e : v.valid()) {
                if (exceptions.get(e.id).isPresent()) {
                    err.println("exceptions: " + e.id + " already exists in " + index + "; expire it, or add the new one under another id");
                    return 2;
                }
            }
            for (ExceptionItem e : v.valid()) {
                exceptions.put(e);
                out.println("added " + e.id + " to " + index + ": hides " + e.describeMatch() + " from " + e.rules
                        + " (the live job applies it within --exceptions.refresh)");
            }
        }
        return 0;
    }

    private static List<ExceptionDocuments.Document> read(ConnectionSettings connection, String index) throws IOException {
        try (RestClient client = connection.createClient(Duration.ofSeconds(30))) {
            return new ExceptionsIndex(client, index).readAll();
        }
    }

    private static int list(List<ExceptionDocuments.Document> docs, ExceptionParser parser, PrintStream out, PrintStream err) {
        ExceptionDocuments.Validated v = ExceptionDocuments.validate(docs, parser);
        long now = System.currentTimeMillis();
        List<ExceptionItem> items = new ArrayList<>(v.valid());
        items.sort(Comparator.comparing(e -> e.id));
        out.println(String.format("%-24s %-9s %-60s %-24s %s", "id", "state", "hides", "until", "comment"));
        for (ExceptionItem e : items) {
            String state = now < e.fromMillis ? "future" : now >= e.expiresMillis ? "expired" : "in force";
            out.println(String.format("%-24s %-9s %-60s %-24s %s", e.id, state, e.describeMatch() + " from " + e.rules,
                    e.expires == null ? "-" : e.expires, e.comment));
        }
        out.println(items.size() + " valid exceptions in " + docs.size() + " documents");
        for (String p : v.problems()) err.println("exceptions: invalid, skipped by the job: " + p);
        return 0;
    }

    /** The exceptions the job applies, one per line: invalid documents are left out (and named), as the job skips them. */
    private static int export(List<ExceptionDocuments.Document> docs, ExceptionParser parser, PrintStream out, PrintStream err) {
        ExceptionDocuments.Validated v = ExceptionDocuments.validate(docs, parser);
        for (ExceptionItem e : v.valid()) out.println(e.json);
        for (String p : v.problems()) err.println("exceptions: invalid, skipped by the job and left out: " + p);
        return 0;
    }

    private static int expire(String id, ExceptionParser parser, ConnectionSettings connection, String index, PrintStream out,
            PrintStream err) throws IOException {
        try (RestClient client = connection.createClient(Duration.ofSeconds(30))) {
            ExceptionsIndex exceptions = new ExceptionsIndex(client, index);
            var json = exceptions.get(id);
            if (json.isEmpty()) {
                err.println("exceptions: no exception " + id + " in " + index);
                return 2;
            }
            ExceptionParser.Result current = parser.parse(json.get());
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            if (current.valid() && current.item.expiresMillis <= now.toEpochMilli()) {
                out.println(id + " already expired at " + current.item.expires);
                return 0;
            }
            if (current.valid() && current.item.fromMillis >= now.toEpochMilli()) {
                exceptions.delete(id);
                out.println(id + " was not in force yet (valid_from " + current.item.validFrom + "); deleted it");
                return 0;
            }
            ExceptionParser.Result expired = parser.parse(ExceptionsIndex.with(json.get(), "expires", now.toString()));
            if (!expired.valid()) {
                err.println("exceptions: " + id + " is invalid (" + expired.reason + "); the job skips it already. "
                        + "Delete it: DELETE " + index + "/_doc/" + id);
                return 2;
            }
            exceptions.put(expired.item);
            out.println("expired " + id + " at " + now + ": sign-ins from then on are no longer hidden "
                    + "(the live job applies it within --exceptions.refresh)");
        }
        return 0;
    }
}
