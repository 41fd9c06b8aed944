package io.entrawatch.exceptions;

import io.entrawatch.pipeline.DetectionPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Validation: an exception is valid as a whole or rejected with its id and the reason. */
class ExceptionParserTest {
    static final String A = "a9281116-fde0-11ef-9ee5-f661ea17fbcd";
    static final String B = "ce47ec2c-fe13-11ef-9ee5-f661ea17fbcd";
    private final ExceptionParser parser = DetectionPipeline.RULES.parser();

    private ExceptionParser.Result parse(String json) {
        return parser.parse(json.replace('\'', '"'));
    }

    @Test
    void theCatalogueRulesAreTheRuleIdsInOrder() {
        assertEquals(List.of(A, B, "fb7ca1c9-e14c-40a3-856e-28f3c14ea1ba", "a4877234-e82e-43a5-88d0-e00d5caceed8"),
                DetectionPipeline.RULES.ids());
    }

    @Test
    void aFullExceptionIsReadWithEveryField() {
        ExceptionParser.Result r = parse("{'id':'x','rules':['" + A + "','" + B + "'],'tenant':'T1','source.ip':'10.0.0.0/8',"
                + "'user.name':'Bob@Contoso.com','app_id':'ABC','asn':8075,'valid_from':'2026-01-01T00:00:00Z',"
                + "'expires':'2026-02-01T01:00:00+01:00','comment':'why','created_by':'me'}");
        assertTrue(r.valid(), () -> r.problem());
        ExceptionItem e = r.item;
        assertEquals("x", e.id);
        assertEquals(0b11, e.ruleMask);
        assertEquals("t1", e.tenant);
        assertEquals("10.0.0.0/8", e.sourceIp.text());
        assertEquals("bob@contoso.com", e.userName);
        assertEquals("abc", e.appId);
        assertEquals(8075L, e.asn);
        assertEquals(java.time.Instant.parse("2026-01-01T00:00:00Z").toEpochMilli(), e.fromMillis);
        assertEquals(java.time.Instant.parse("2026-02-01T00:00:00Z").toEpochMilli(), e.expiresMillis);
    }

    @Test
    void nestedAndDottedNamesAreTheSameAndNullIsAbsent() {
        ExceptionItem nested = parse("{'id':'x','rules':['*'],'source':{'ip':'192.0.2.1'},'user':{'name':null},'comment':'c','created_by':null}").item;
        ExceptionItem dotted = parse("{'id':'x','rules':['*'],'source.ip':'192.0.2.1','comment':'c'}").item;
        assertEquals(nested.sourceIp.text(), dotted.sourceIp.text());
        assertNull(nested.userName);
        assertNull(nested.createdBy);
        assertEquals(0b1111, nested.ruleMask);
        assertNull(nested.tenant);
        assertNull(parse("{'id':'x','rules':['*'],'tenant':'*','asn':1,'comment':'c'}").item.tenant);
    }

    @Test
    void aDomainPatternAndItsDomain() {
        ExceptionItem e = parse("{'id':'x','rules':['*'],'user.name':'*@Contoso.COM','comment':'c'}").item;
        assertEquals("contoso.com", e.userDomain);
        assertNull(e.userName);
    }

    @Test
    void instantsWithFractionsRoundUpToTheMillisecondTheyAdmit() {
        ExceptionItem e = parse("{'id':'x','rules':['*'],'asn':1,'valid_from':'1970-01-01T00:00:00.0005Z','expires':'1970-01-01T00:00:00.002Z','comment':'c'}").item;
        assertEquals(1, e.fromMillis);
        assertEquals(2, e.expiresMillis);
    }

    @Test
    void asnAsDigitsIsAccepted() {
        assertEquals(8075L, parse("{'id':'x','rules':['*'],'asn':'8075','comment':'c'}").item.asn);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{'id':'x','rules':['*'],'source.ip':'10.0.0.1','comment':'c','colour':'red'}                | unknown field 'colour'",
            "{'id':'x','rules':['*'],'source':{'ip':'10.0.0.1','port':1},'comment':'c'}                  | unknown field 'source.port'",
            "{'id':'x','rules':['*'],'source.ip':'10.0.0.1','source':{'ip':'10.0.0.2'},'comment':'c'}    | given twice",
            "{'id':'x','rules':['*'],'source.ip':'10.1.2.3/24','comment':'c'}                              | host bits",
            "{'id':'x','rules':['*'],'source.ip':'10.1.2.0/40','comment':'c'}                              | prefix length 40",
            "{'id':'x','rules':['*'],'source.ip':'10.1.02.0/24','comment':'c'}                             | leading zero",
            "{'id':'x','rules':['*'],'source.ip':'10.0.0.0 / 8','comment':'c'}                             | IPv4 part",
            "{'id':'x','rules':['*'],'source.ip':'2001:db8::1/32','comment':'c'}                           | host bits",
            "{'id':'x','rules':['*'],'tenant':'t','comment':'c'}                                           | no match field",
            "{'id':'x','rules':['*'],'valid_from':'2026-01-01T00:00:00Z','comment':'c'}                   | no match field",
            "{'id':'x','rules':['nope'],'asn':1,'comment':'c'}                                             | unknown rule id 'nope'",
            "{'id':'x','rules':['*','" + A + "'],'asn':1,'comment':'c'}                                    | mixes",
            "{'id':'x','rules':[],'asn':1,'comment':'c'}                                                   | non-empty array",
            "{'id':'x','rules':'*','asn':1,'comment':'c'}                                                  | non-empty array",
            "{'id':'x','rules':[''],'asn':1,'comment':'c'}                                                 | empty string",
            "{'id':'x','asn':1,'comment':'c'}                                                              | 'rules' is required",
            "{'rules':['*'],'asn':1,'comment':'c'}                                                         | 'id' is required",
            "{'id':'','rules':['*'],'asn':1,'comment':'c'}                                                 | 'id' is an empty string",
            "{'id':'x','rules':['*'],'asn':1}                                                              | 'comment' is required",
            "{'id':'x','rules':['*'],'asn':1,'comment':''}                                                 | 'comment' is an empty string",
            "{'id':'x','rules':['*'],'asn':1,'comment':'c','created_by':''}                                | 'created_by' is an empty string",
            "{'id':'x','rules':['*'],'asn':1,'tenant':'','comment':'c'}                                    | 'tenant' is an empty string",
            "{'id':'x','rules':['*'],'app_id':'','comment':'c'}                                            | 'app_id' is an empty string",
            "{'id':'x','rules':['*'],'user.name':'bob','comment':'c'}                                      | not a UPN",
            "{'id':'x','rules':['*'],'user.name':'*@','comment':'c'}                                       | *@domain",
            "{'id':'x','rules':['*'],'asn':'AS8075','comment':'c'}                                         | write 8075",
            "{'id':'x','rules':['*'],'asn':-1,'comment':'c'}                                               | outside",
            "{'id':'x','rules':['*'],'asn':1.5,'comment':'c'}                                              | not an autonomous system number",
            "{'id':'x','rules':['*'],'asn':1,'valid_from':'2026-01-01T00:00:00','comment':'c'}             | Z or an offset",
            "{'id':'x','rules':['*'],'asn':1,'expires':'2026-01-01','comment':'c'}                         | Z or an offset",
            "{'id':'x','rules':['*'],'asn':1,'valid_from':'2026-01-02T00:00:00Z','expires':'2026-01-02T00:00:00Z','comment':'c'} | is not after valid_from",
            "{'id':'x','rules':['*'],'asn':1,'valid_from':'2026-01-02T01:00:00+01:00','expires':'2026-01-02T00:00:00Z','comment':'c'} | is not after valid_from",
            "{'id':'x','rules':['*'],'asn':1,'comment':'c','id':'y'}                                       | not valid JSON",
            "{'id':7,'rules':['*'],'asn':1,'comment':'c'}                                                  | must be a string",
            "[1]                                                                                           | not a JSON object",
    })
    void invalidExceptionsAreRejectedWithTheReason(String json, String reason) {
        ExceptionParser.Result r = parse(json);
        assertFalse(r.valid(), json);
        assertTrue(r.problem().contains(reason), () -> r.problem() + " should say " + reason);
        if (json.contains("'id':'x'") && !reason.equals("not valid JSON")) assertTrue(r.problem().startsWith("exception x: "), r.problem());
    }

    @Test
    void aFileWithAnyInvalidExceptionIsRejectedAsAWholeNamingEach(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path file = dir.resolve("exc.ndjson");
        Files.writeString(file, String.join("\n",
                "{\"id\":\"ok\",\"rules\":[\"*\"],\"asn\":1,\"comment\":\"c\"}",
                "",
                "{\"id\":\"bad\",\"rules\":[\"*\"],\"source.ip\":\"10.1.2.3/24\",\"comment\":\"c\"}",
                "{\"id\":\"ok\",\"rules\":[\"*\"],\"asn\":2,\"comment\":\"again\"}"));
        ExceptionDocuments.InvalidExceptionsException e = assertThrows(ExceptionDocuments.InvalidExceptionsException.class,
                () -> ExceptionDocuments.readFile(file, parser));
        assertEquals(2, e.problems.size(), e.getMessage());
        assertTrue(e.problems.get(0).startsWith("line 3: exception bad: "), e.problems.get(0));
        assertTrue(e.problems.get(1).contains("line 4: exception ok: the id is already used by line 1"), e.problems.get(1));

        Files.writeString(file, "{\"id\":\"ok\",\"rules\":[\"*\"],\"asn\":1,\"comment\":\"c\"}\n\n");
        assertEquals(1, ExceptionDocuments.readFile(file, parser).size());
    }
}
