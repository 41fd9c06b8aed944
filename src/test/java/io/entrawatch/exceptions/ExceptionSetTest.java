package io.entrawatch.exceptions;

import io.entrawatch.model.SignIn;
import io.entrawatch.pipeline.DetectionPipeline;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Matching (docs/detections.md, "Exceptions"): every field, its edges, and which rules a sign-in is hidden from. */
class ExceptionSetTest {
    private static final String A = ExceptionParserTest.A;
    private static final String B = ExceptionParserTest.B;
    private static final long ALL = 0b1111;
    private static final long T = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();

    private static ExceptionItem exception(String fields) {
        String json = "{\"id\":\"e\",\"comment\":\"c\"," + fields.replace('\'', '"') + "}";
        ExceptionParser.Result r = DetectionPipeline.RULES.parser().parse(json);
        if (!r.valid()) throw new AssertionError(r.problem());
        return r.item;
    }

    private static long hidden(String fields, SignIn s) {
        return new ExceptionSet(List.of(exception(fields))).hiddenMask(s, null);
    }

    private static SignIn signIn() {
        SignIn s = new SignIn();
        s.timestamp = T;
        s.tenantId = "Tenant-1";
        s.userPrincipalName = "alice@contoso.com";
        s.ipAddress = "203.0.113.7";
        s.appId = "App-1";
        s.asn = 64500L;
        return s;
    }

    @Test
    void eachFieldMatchesItsOwnValueOnly() {
        SignIn s = signIn();
        assertEquals(ALL, hidden("'rules':['*'],'source.ip':'203.0.113.0/24'", s));
        assertEquals(0, hidden("'rules':['*'],'source.ip':'203.0.114.0/24'", s));
        assertEquals(ALL, hidden("'rules':['*'],'user.name':'ALICE@contoso.com'", s));
        assertEquals(0, hidden("'rules':['*'],'user.name':'bob@contoso.com'", s));
        assertEquals(ALL, hidden("'rules':['*'],'app_id':'app-1'", s));
        assertEquals(0, hidden("'rules':['*'],'app_id':'app-2'", s));
        assertEquals(ALL, hidden("'rules':['*'],'asn':64500", s));
        assertEquals(0, hidden("'rules':['*'],'asn':64501", s));
        assertEquals(ALL, hidden("'rules':['*'],'asn':64500,'tenant':'TENANT-1'", s));
        assertEquals(0, hidden("'rules':['*'],'asn':64500,'tenant':'tenant-2'", s));
    }

    @Test
    void everyGivenFieldMustMatch() {
        SignIn s = signIn();
        assertEquals(ALL, hidden("'rules':['*'],'source.ip':'203.0.113.7','user.name':'alice@contoso.com','app_id':'APP-1','asn':64500", s));
        assertEquals(0, hidden("'rules':['*'],'source.ip':'203.0.113.7','user.name':'bob@contoso.com'", s));
        assertEquals(0, hidden("'rules':['*'],'user.name':'alice@contoso.com','asn':1", s));
        assertEquals(0, hidden("'rules':['*'],'app_id':'app-1','source.ip':'10.0.0.0/8'", s));
    }

    @Test
    void aSignInWithoutTheFieldDoesNotMatchIt() {
        SignIn s = signIn();
        s.ipAddress = null;
        s.userPrincipalName = null;
        s.appId = null;
        s.asn = null;
        s.tenantId = null;
        assertEquals(0, hidden("'rules':['*'],'source.ip':'0.0.0.0/0'", s));
        assertEquals(0, hidden("'rules':['*'],'user.name':'*@contoso.com'", s));
        assertEquals(0, hidden("'rules':['*'],'app_id':'app-1'", s));
        assertEquals(0, hidden("'rules':['*'],'asn':64500", s));
        SignIn noTenant = signIn();
        noTenant.tenantId = null;
        assertEquals(0, hidden("'rules':['*'],'asn':64500,'tenant':'tenant-1'", noTenant));
        assertEquals(ALL, hidden("'rules':['*'],'asn':64500", noTenant));
        SignIn badAddress = signIn();
        badAddress.ipAddress = "unknown";
        assertEquals(0, hidden("'rules':['*'],'source.ip':'0.0.0.0/0'", badAddress));
    }

    @Test
    void aDomainPatternMatchesThePartAfterTheLastAtExactly() {
        SignIn s = signIn();
        assertEquals(ALL, hidden("'rules':['*'],'user.name':'*@CONTOSO.com'", s));
        s.userPrincipalName = "alice@eu.contoso.com";
        assertEquals(0, hidden("'rules':['*'],'user.name':'*@contoso.com'", s));
        s.userPrincipalName = "alice@contoso.com@fabrikam.com";
        assertEquals(0, hidden("'rules':['*'],'user.name':'*@contoso.com'", s));
        assertEquals(ALL, hidden("'rules':['*'],'user.name':'*@fabrikam.com'", s));
        s.userPrincipalName = "no-at-sign";
        assertEquals(0, hidden("'rules':['*'],'user.name':'*@contoso.com'", s));
    }

    @Test
    void ipv6BlocksAndFamilies() {
        SignIn s = signIn();
        s.ipAddress = "2001:db8:1::42";
        assertEquals(ALL, hidden("'rules':['*'],'source.ip':'2001:db8::/32'", s));
        assertEquals(ALL, hidden("'rules':['*'],'source.ip':'2001:DB8:1:0:0:0:0:42'", s));
        assertEquals(0, hidden("'rules':['*'],'source.ip':'2001:db8:2::/48'", s));
        assertEquals(0, hidden("'rules':['*'],'source.ip':'0.0.0.0/0'", s));
        s.ipAddress = "::ffff:203.0.113.7";
        assertEquals(0, hidden("'rules':['*'],'source.ip':'203.0.113.0/24'", s));
        assertEquals(ALL, hidden("'rules':['*'],'source.ip':'::ffff:203.0.113.0/120'", s));
    }

    @Test
    void timeBoundsAreHalfOpenAtTheMillisecond() {
        SignIn s = signIn();
        String from = "'valid_from':'2026-03-01T12:00:00Z'";
        String until = "'expires':'2026-03-01T12:00:00.001Z'";
        assertEquals(ALL, hidden("'rules':['*'],'asn':64500," + from + "," + until, s));
        s.timestamp = T - 1;
        assertEquals(0, hidden("'rules':['*'],'asn':64500," + from, s));
        s.timestamp = T + 1;
        assertEquals(0, hidden("'rules':['*'],'asn':64500," + until, s));
        s.timestamp = T;
        assertEquals(0, hidden("'rules':['*'],'asn':64500,'expires':'2026-03-01T12:00:00Z'", s));
        assertEquals(ALL, hidden("'rules':['*'],'asn':64500,'valid_from':'2026-03-01T13:00:00+01:00'", s));
        assertEquals(0, hidden("'rules':['*'],'asn':64500,'valid_from':'2026-03-01T12:00:00.000001Z'", s));
    }

    @Test
    void ruleSpecificExceptionsHideFromTheirRulesOnlyAndMasksCombine() {
        SignIn s = signIn();
        assertEquals(0b01, hidden("'rules':['" + A + "'],'asn':64500", s));
        assertEquals(0b11, hidden("'rules':['" + A + "','" + B + "'],'asn':64500", s));
        ExceptionSet set = new ExceptionSet(List.of(
                exception("'rules':['" + A + "'],'asn':64500").withId("one"),
                exception("'rules':['" + B + "'],'source.ip':'203.0.113.0/24'").withId("two"),
                exception("'rules':['*'],'asn':1").withId("other")));
        List<String> hits = new ArrayList<>();
        assertEquals(0b11, set.hiddenMask(s, (e, mask) -> hits.add(e.id + ":" + mask)));
        assertEquals(List.of("two:2", "one:1"), hits);
    }

    @Test
    void manyExceptionsIndexedFindTheSameAsOneByOne() {
        List<ExceptionItem> items = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            items.add(exception("'rules':['*'],'source.ip':'10." + (i / 256) + "." + (i % 256) + ".0/24'").withId("net" + i));
            items.add(exception("'rules':['" + B + "'],'user.name':'user" + i + "@contoso.com'").withId("user" + i));
        }
        items.add(exception("'rules':['" + A + "'],'source.ip':'10.3.0.0/16'").withId("wide"));
        ExceptionSet set = new ExceptionSet(items);
        SignIn s = signIn();
        s.ipAddress = "10.3.4.5";
        s.userPrincipalName = "user17@contoso.com";
        long expected = 0;
        for (ExceptionItem e : items) if (e.matches(s, IpBlock.addressOrNull(s.ipAddress))) expected |= e.ruleMask;
        assertEquals(ALL, expected);
        assertEquals(expected, set.hiddenMask(s, null));
        s.ipAddress = "11.0.0.1";
        s.userPrincipalName = "nobody@contoso.com";
        assertEquals(0, set.hiddenMask(s, null));
    }
}
