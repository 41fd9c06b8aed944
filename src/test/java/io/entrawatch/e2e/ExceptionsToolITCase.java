package io.entrawatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrawatch.ExceptionsTool;
import io.entrawatch.config.Secrets;
import io.entrawatch.exceptions.ExceptionDocuments;
import io.entrawatch.exceptions.ExceptionItem;
import io.entrawatch.exceptions.ExceptionParser;
import io.entrawatch.exceptions.ExceptionsIndex;
import io.entrawatch.pipeline.DetectionPipeline;
import io.entrawatch.sink.elasticsearch.ConnectionSettings;
import io.entrawatch.testing.LocalElasticsearch;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jobs/exceptions} ({@link ExceptionsTool}) against a real Elasticsearch 9.2 (HTTPS, basic auth), each
 * test on an exceptions index of its own: add (a JSON argument, an NDJSON file) with the job's validation,
 * all or nothing; list with each exception's state; export to a file {@code jobs/replay --exceptions.file}
 * accepts; expire; and what the index then holds, as the live job reads it ({@link ExceptionsIndex#readAll}).
 */
class ExceptionsToolITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ExceptionParser PARSER = DetectionPipeline.RULES.parser();
    private static final String SPRAY = "a9281116-fde0-11ef-9ee5-f661ea17fbcd";
    private static final String VALID_CREDENTIALS = "a4877234-e82e-43a5-88d0-e00d5caceed8";
    private static LocalElasticsearch es;

    @TempDir
    Path dir;

    @BeforeAll
    static void node() {
        es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
    }

    private record Run(int status, String out, String err) {
        String both() {
            return "exit " + status + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private static Run tool(String index, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--es.hosts", es.getUrl(), "--es.username", es.getUsername(),
                "--es.ca-file", es.getCaFile().toString(), "--exceptions.index", index));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ExceptionsTool.run(all.toArray(new String[0]), Map.of(Secrets.ES_PASSWORD_ENV, es.getPassword()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String newIndex() {
        return "exceptions-tool-" + System.nanoTime();
    }

    /** What the live job reads from the index: every document. */
    private static List<ExceptionDocuments.Document> readAll(String index) throws Exception {
        ConnectionSettings settings = ConnectionSettings.builder().hosts(es.getUrl())
                .basicAuth(es.getUsername(), es.getPassword()).caCertificatesFile(es.getCaFile()).build();
        try (RestClient client = settings.createClient(Duration.ofSeconds(30))) {
            return new ExceptionsIndex(client, index).readAll();
        }
    }

    /** id -> the exception the index holds under that id, validated as the job validates it. */
    private static Map<String, ExceptionItem> inIndex(String index) throws Exception {
        ExceptionDocuments.Validated v = ExceptionDocuments.validate(readAll(index), PARSER);
        assertEquals(List.of(), v.problems(), "every document in " + index + " is valid");
        return v.valid().stream().collect(Collectors.toMap(e -> e.id, e -> e, (a, b) -> a, LinkedHashMap::new));
    }

    /** The state column of {@code id}'s line in {@code jobs/exceptions list}. */
    private static String stateOf(String list, String id) {
        for (String line : list.split("\n")) {
            if (line.startsWith(id + " ")) {
                String rest = line.substring(id.length()).stripLeading();
                for (String state : List.of("in force", "future", "expired")) if (rest.startsWith(state)) return state;
                throw new AssertionError("no state in " + line);
            }
        }
        throw new AssertionError(id + " is not listed:\n" + list);
    }

    @Test
    void addListExportExpireAndWhatTheIndexHolds() throws Exception {
        String index = newIndex();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String scanner = "{\"id\":\"scanner\",\"rules\":[\"*\"],\"source.ip\":\"203.0.113.0/24\",\"comment\":\"our vulnerability scanner\","
                + "\"created_by\":\"soc@contoso.com\"}";
        // an id with a space, a slash and a plus: it is the document's _id, in URL paths
        String office = "{\"id\":\"office egress/1+2\",\"rules\":[\"" + SPRAY + "\"],\"tenant\":\"ad7bc60b-0000-4000-8000-000000000001\","
                + "\"source.ip\":\"198.51.100.7\",\"asn\":8075,\"valid_from\":\"" + now.minus(1, ChronoUnit.DAYS) + "\","
                + "\"comment\":\"shared egress of the Utrecht office\"}";
        String testAccount = "{\"id\":\"test-account\",\"rules\":[\"" + SPRAY + "\",\"" + VALID_CREDENTIALS + "\"],"
                + "\"user\":{\"name\":\"Test.User@Contoso.com\"},\"expires\":\"" + now.plus(30, ChronoUnit.DAYS) + "\","
                + "\"comment\":\"load test account\",\"created_by\":\"ops\"}";
        String future = "{\"id\":\"pentest\",\"rules\":[\"*\"],\"user.name\":\"*@pentest.contoso.com\",\"app_id\":\"04b07795-8ddb-461a-bbee-02f9e1bf7b46\","
                + "\"valid_from\":\"" + now.plus(7, ChronoUnit.DAYS) + "\",\"expires\":\"" + now.plus(14, ChronoUnit.DAYS) + "\","
                + "\"comment\":\"announced penetration test\"}";

        Run added = tool(index, "add", scanner);
        assertEquals(0, added.status, added.both());
        assertTrue(added.out.contains("added scanner to " + index), added.both());
        Path file = dir.resolve("more.ndjson");
        Files.writeString(file, office + "\n\n" + testAccount + "\n" + future + "\n", StandardCharsets.UTF_8);
        added = tool(index, "add", file.toString());
        assertEquals(0, added.status, added.both());
        for (String id : List.of("office egress/1+2", "test-account", "pentest")) assertTrue(added.out.contains("added " + id + " "), added.both());

        // the tool created the index with the job's mapping
        JsonNode mapping = JSON.readTree(es.get("/" + index + "/_mapping")).path(index).path("mappings");
        assertEquals("date", mapping.at("/properties/expires/type").asText(), mapping.toString());
        assertEquals("long", mapping.at("/properties/asn/type").asText(), mapping.toString());

        // what the live job reads: the four documents, each under its id, as written
        Map<String, ExceptionItem> held = inIndex(index);
        assertEquals(List.of("office egress/1+2", "pentest", "scanner", "test-account"), held.keySet().stream().sorted().toList());
        assertEquals(JSON.readTree(testAccount), JSON.readTree(held.get("test-account").json), "nested fields kept as written");
        assertEquals("test.user@contoso.com", held.get("test-account").userName);
        for (ExceptionDocuments.Document d : readAll(index)) {
            String id = PARSER.parse(d.json()).id;
            assertEquals("document _id=" + id, d.origin(), "the _id is the exception's id");
        }

        Run list = tool(index, "list");
        assertEquals(0, list.status, list.both());
        assertEquals("in force", stateOf(list.out, "scanner"));
        assertEquals("in force", stateOf(list.out, "office egress/1+2"));
        assertEquals("in force", stateOf(list.out, "test-account"));
        assertEquals("future", stateOf(list.out, "pentest"));
        assertTrue(list.out.contains("4 valid exceptions in 4 documents"), list.both());
        assertEquals("", list.err, list.both());

        // export: a file jobs/replay --exceptions.file accepts, with the same exceptions
        Run export = tool(index, "export");
        assertEquals(0, export.status, export.both());
        Path exported = dir.resolve("exc.ndjson");
        Files.writeString(exported, export.out, StandardCharsets.UTF_8);
        List<ExceptionItem> fromFile = ExceptionDocuments.readFile(exported, PARSER);
        assertEquals(4, fromFile.size(), export.out);
        for (ExceptionItem e : fromFile) {
            assertEquals(JSON.readTree(held.get(e.id).json), JSON.readTree(e.json), e.id + " round-trips");
        }

        // expire: expires set to now, so the exception is expired from then on; a future one is deleted
        Run expired = tool(index, "expire", "office egress/1+2");
        assertEquals(0, expired.status, expired.both());
        assertTrue(expired.out.startsWith("expired office egress/1+2 at "), expired.both());
        Run deleted = tool(index, "expire", "pentest");
        assertEquals(0, deleted.status, deleted.both());
        assertTrue(deleted.out.contains("pentest was not in force yet"), deleted.both());
        Run again = tool(index, "expire", "office egress/1+2");
        assertEquals(0, again.status, again.both());
        assertTrue(again.out.contains("already expired"), again.both());
        Run unknown = tool(index, "expire", "no-such-exception");
        assertEquals(2, unknown.status, unknown.both());
        assertTrue(unknown.err.contains("no exception no-such-exception in " + index), unknown.both());

        held = inIndex(index);
        assertEquals(List.of("office egress/1+2", "scanner", "test-account"), held.keySet().stream().sorted().toList());
        ExceptionItem ended = held.get("office egress/1+2");
        assertTrue(ended.expires != null && ended.expiresMillis <= System.currentTimeMillis(), ended.json);
        assertTrue(ended.expiresMillis > now.toEpochMilli() - 1000, "expired now, not before: " + ended.expires);
        JsonNode endedDoc = JSON.readTree(ended.json);
        assertEquals(JSON.readTree(office).path("comment"), endedDoc.path("comment"), "the rest of the document is kept");
        assertEquals(8075, endedDoc.path("asn").asInt());
        assertEquals(JSON.readTree(scanner), JSON.readTree(held.get("scanner").json), "the others are untouched");

        list = tool(index, "list");
        assertEquals(0, list.status, list.both());
        assertEquals("expired", stateOf(list.out, "office egress/1+2"));
        assertEquals("in force", stateOf(list.out, "scanner"));
        assertTrue(list.out.contains("3 valid exceptions in 3 documents"), list.both());
    }

    @Test
    void refusesInvalidExceptionsAndDuplicateIdsWritingNothing() throws Exception {
        String index = newIndex();
        // invalid: nothing is written, the index is not even created
        Run invalid = tool(index, "add", "{\"id\":\"bad-rule\",\"rules\":[\"no-such-rule\"],\"source.ip\":\"192.0.2.1\",\"comment\":\"x\"}");
        assertEquals(2, invalid.status, invalid.both());
        assertTrue(invalid.err.contains("exception bad-rule: unknown rule id 'no-such-rule'"), invalid.both());
        assertTrue(invalid.err.contains("nothing was added"), invalid.both());
        assertEquals("", invalid.out, invalid.both());
        assertEquals(404, es.request("HEAD", "/" + index, null).status(), "no index created for an invalid exception");

        // a file with one invalid line: the valid lines are not written either
        Path file = dir.resolve("mixed.ndjson");
        Files.writeString(file, String.join("\n",
                "{\"id\":\"fine\",\"rules\":[\"*\"],\"source.ip\":\"192.0.2.0/24\",\"comment\":\"lab\"}",
                "{\"id\":\"bad-cidr\",\"rules\":[\"*\"],\"source.ip\":\"10.1.2.3/24\",\"comment\":\"office\"}",
                "{\"id\":\"no-comment\",\"rules\":[\"*\"],\"asn\":8075}") + "\n", StandardCharsets.UTF_8);
        invalid = tool(index, "add", file.toString());
        assertEquals(2, invalid.status, invalid.both());
        assertTrue(invalid.err.contains("line 2: exception bad-cidr: source.ip '10.1.2.3/24' has host bits set"), invalid.both());
        assertTrue(invalid.err.contains("line 3: exception no-comment: 'comment' is required"), invalid.both());
        assertFalse(invalid.err.contains("exception fine"), invalid.both());
        assertEquals(List.of(), readAll(index), "nothing written");

        // the same id twice in one input
        Files.writeString(file, String.join("\n",
                "{\"id\":\"twice\",\"rules\":[\"*\"],\"source.ip\":\"192.0.2.0/24\",\"comment\":\"lab\"}",
                "{\"id\":\"twice\",\"rules\":[\"*\"],\"asn\":64496,\"comment\":\"lab too\"}") + "\n", StandardCharsets.UTF_8);
        invalid = tool(index, "add", file.toString());
        assertEquals(2, invalid.status, invalid.both());
        assertTrue(invalid.err.contains("line 2: exception twice: the id is already used by line 1"), invalid.both());
        assertEquals(List.of(), readAll(index), "nothing written");

        // an id the index already holds: refused, and the document stays as it was
        String lab = "{\"id\":\"lab\",\"rules\":[\"*\"],\"source.ip\":\"192.0.2.0/24\",\"comment\":\"lab network\"}";
        assertEquals(0, tool(index, "add", lab).status);
        Run duplicate = tool(index, "add", "{\"id\":\"lab\",\"rules\":[\"*\"],\"asn\":64496,\"comment\":\"another lab\"}");
        assertEquals(2, duplicate.status, duplicate.both());
        assertTrue(duplicate.err.contains("lab already exists in " + index), duplicate.both());
        Files.writeString(file, "{\"id\":\"new-one\",\"rules\":[\"*\"],\"asn\":64497,\"comment\":\"new\"}\n" + lab + "\n",
                StandardCharsets.UTF_8);
        duplicate = tool(index, "add", file.toString());
        assertEquals(2, duplicate.status, duplicate.both());
        assertTrue(duplicate.err.contains("lab already exists in " + index), duplicate.both());
        Map<String, ExceptionItem> held = inIndex(index);
        assertEquals(List.of("lab"), List.copyOf(held.keySet()), "the new one of the refused file is not written either");
        assertEquals(JSON.readTree(lab), JSON.readTree(held.get("lab").json));
    }

    @Test
    void anInvalidDocumentWrittenOutsideTheToolIsListedWithItsReasonAndLeftOutOfTheExport() throws Exception {
        String index = newIndex();
        assertEquals(0, tool(index, "add", "{\"id\":\"lab\",\"rules\":[\"*\"],\"source.ip\":\"192.0.2.0/24\",\"comment\":\"lab\"}").status);
        // as from Kibana Dev Tools: Elasticsearch takes it, the job skips it
        es.putJson("/" + index + "/_doc/broad?refresh=true",
                "{\"id\":\"broad\",\"rules\":[\"*\"],\"tenant\":\"*\",\"comment\":\"no match field\"}");
        Run list = tool(index, "list");
        assertEquals(0, list.status, list.both());
        assertTrue(list.out.contains("1 valid exceptions in 2 documents"), list.both());
        assertTrue(list.err.contains("invalid, skipped by the job: document _id=broad: exception broad: no match field"), list.both());

        Run export = tool(index, "export");
        assertEquals(0, export.status, export.both());
        Path exported = dir.resolve("exc.ndjson");
        Files.writeString(exported, export.out, StandardCharsets.UTF_8);
        assertEquals(List.of("lab"), ExceptionDocuments.readFile(exported, PARSER).stream().map(e -> e.id).toList(),
                "the export holds what the job applies");
        assertTrue(export.err.contains("document _id=broad: exception broad: no match field"), export.both());

        // expire refuses to turn an invalid document into another one
        Run expire = tool(index, "expire", "broad");
        assertEquals(2, expire.status, expire.both());
        assertTrue(expire.err.contains("broad is invalid"), expire.both());
        Optional<String> kept = readAll(index).stream().map(ExceptionDocuments.Document::json)
                .filter(j -> j.contains("\"broad\"")).findFirst();
        assertTrue(kept.isPresent() && !kept.get().contains("expires"), String.valueOf(kept));
    }
}
