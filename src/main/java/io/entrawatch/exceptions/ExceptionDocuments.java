package io.entrawatch.exceptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates a whole set of exception documents: each one on its own ({@link ExceptionParser}), and their ids
 * unique. A file is all or nothing ({@link #readFile}); a live source keeps the valid documents and reports
 * the others ({@link #validate}).
 */
public final class ExceptionDocuments {
    private ExceptionDocuments() {}

    /** One document and where it came from ("line 3", "document _id=..."), for the messages. */
    public record Document(String origin, String json) {}

    /** The valid exceptions, and one message per rejected document. */
    public record Validated(List<ExceptionItem> valid, List<String> problems) {}

    /** A file whose exceptions are not all valid: {@link #problems} names each with its id and reason. */
    public static final class InvalidExceptionsException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        public final List<String> problems;

        InvalidExceptionsException(Path file, List<String> problems) {
            super("exceptions file " + file + " is rejected as a whole (" + problems.size() + " invalid "
                    + (problems.size() == 1 ? "entry" : "entries") + "):\n  " + String.join("\n  ", problems));
            this.problems = List.copyOf(problems);
        }
    }

    /** Each document checked on its own; of several with the same id the first is kept and the others rejected. */
    public static Validated validate(List<Document> documents, ExceptionParser parser) {
        List<ExceptionItem> valid = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, String> firstOrigin = new HashMap<>();
        for (Document d : documents) {
            ExceptionParser.Result r = parser.parse(d.json());
            if (!r.valid()) {
                problems.add(d.origin() + ": " + r.problem());
                continue;
            }
            String earlier = firstOrigin.putIfAbsent(r.item.id, d.origin());
            if (earlier != null) {
                problems.add(d.origin() + ": exception " + r.item.id + ": the id is already used by " + earlier);
                continue;
            }
            valid.add(r.item);
        }
        return new Validated(valid, problems);
    }

    /** The lines of an exceptions file (one JSON object per line; blank lines are skipped). */
    public static List<Document> lines(Path file) throws IOException {
        List<Document> docs = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) docs.add(new Document("line " + (i + 1), lines.get(i)));
        }
        return docs;
    }

    /**
     * Reads and validates a whole file: every exception valid, or {@link InvalidExceptionsException} listing
     * each invalid one with its line, id and reason.
     */
    public static List<ExceptionItem> readFile(Path file, ExceptionParser parser) throws IOException {
        Validated v = validate(lines(file), parser);
        if (!v.problems().isEmpty()) throw new InvalidExceptionsException(file, v.problems());
        return v.valid();
    }
}
