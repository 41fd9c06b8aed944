package io.entrawatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.model.Categories;
import io.entrawatch.model.SignIn;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fixed instants and builders for test sign-ins, so a test reads as a scenario: raw Entra records (as
 * JSON, the way Event Hubs delivers them) and normalised {@link SignIn}s for operator harnesses.
 */
public final class TestRecords {
    public static final String TENANT = "11111111-1111-1111-1111-111111111111";
    public static final String OTHER_TENANT = "22222222-2222-2222-2222-222222222222";
    /** 2025-11-14T01:00:00Z, the start of an aligned hour (and 10-minute window). */
    public static final long T0 = Instant.parse("2025-11-14T01:00:00Z").toEpochMilli();
    public static final long MIN = 60_000L;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final AtomicLong IDS = new AtomicLong();

    private TestRecords() {}

    /** A sign-in that detection A keeps: non-interactive, single-factor, 50126, non-Microsoft ASN. */
    public static Record sprayFailure(String upn, long ts) {
        return new Record().upn(upn).at(ts);
    }

    /**
     * A message that moves a partition's event time to {@code ts} and is counted by no detection: two
     * successful sign-ins at {@code ts}. Two, because a partition's first sign-in (or one more than
     * {@code --event-time.max-ahead} ahead) moves event time only once the next one confirms it. From an
     * address of their own: a success from an address that sprayed would be a hit for detection D.
     */
    public static final String FLUSH_IP = "192.0.2.254";

    public static String watermarkFlush(long ts) {
        return envelope(List.of(sprayFailure("flush@contoso.com", ts).errorCode(null).ip(FLUSH_IP),
                sprayFailure("flush2@contoso.com", ts).errorCode(null).ip(FLUSH_IP)));
    }

    public static String envelope(List<Record> records) {
        StringBuilder sb = new StringBuilder("{\"records\":[");
        for (int i = 0; i < records.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(records.get(i).json());
        }
        return sb.append("]}").toString();
    }

    /** Builder of one raw record (the fields docs/detections.md section 1 reads, plus some noise). */
    public static final class Record {
        public String tenant = TENANT;
        public String category = Categories.NON_INTERACTIVE;
        public String id = "id-" + IDS.incrementAndGet();
        public String upn = "user@contoso.com";
        public long ts = T0;
        public Integer errorCode = 50126;
        public Boolean interactive = false;
        public String auth = "singleFactorAuthentication";
        public String ip = "203.0.113.7";
        public Long asn = 64500L;
        public String appId = "00000002-0000-0ff1-ce00-000000000000";
        public String appName = "Office 365 Exchange Online";

        public Record upn(String v) { upn = v; return this; }
        public Record at(long v) { ts = v; return this; }
        public Record tenant(String v) { tenant = v; return this; }
        public Record category(String v) { category = v; return this; }
        public Record id(String v) { id = v; return this; }
        public Record errorCode(Integer v) { errorCode = v; return this; }
        public Record interactive(Boolean v) { interactive = v; return this; }
        public Record auth(String v) { auth = v; return this; }
        public Record ip(String v) { ip = v; return this; }
        public Record asn(Long v) { asn = v; return this; }
        /** appId and appDisplayName; null leaves the field out. */
        public Record app(String id, String name) { appId = id; appName = name; return this; }

        public ObjectNode node() {
            ObjectNode r = MAPPER.createObjectNode();
            r.put("time", Instant.ofEpochMilli(ts + 90_000).toString());
            r.put("resourceId", "/tenants/" + tenant + "/providers/Microsoft.aadiam");
            r.put("operationName", "Sign-in activity");
            r.put("category", category);
            r.put("tenantId", tenant);
            r.put("resultType", errorCode == null ? "0" : String.valueOf(errorCode));
            r.put("resultSignature", "None");
            r.put("resultDescription", errorCode == null || errorCode == 0 ? null : "Invalid username or password.");
            r.put("callerIpAddress", ip);
            r.put("Level", 4);
            ObjectNode p = r.putObject("properties");
            p.put("id", id);
            p.put("createdDateTime", Instant.ofEpochMilli(ts).toString().replace("Z", "+00:00"));
            p.put("userPrincipalName", upn);
            if (appId != null) p.put("appId", appId);
            if (appName != null) p.put("appDisplayName", appName);
            p.put("ipAddress", ip);
            if (asn != null) p.put("autonomousSystemNumber", asn);
            if (interactive != null) p.put("isInteractive", interactive);
            p.put("authenticationRequirement", auth);
            p.put("userAgent", "python-requests/2.31");
            ObjectNode status = p.putObject("status");
            status.put("errorCode", errorCode == null ? 0 : errorCode);
            p.putObject("deviceDetail").put("operatingSystem", "Linux");
            return r;
        }

        public String json() {
            return node().toString();
        }
    }

    /**
     * The records in the order of their event time plus a random delay of up to {@code bound}: arrival
     * disorder within the watermark's out-of-orderness.
     */
    public static List<ObjectNode> shuffleWithin(List<ObjectNode> records, long bound, java.util.Random rnd) {
        List<long[]> order = new java.util.ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            long ts = java.time.OffsetDateTime.parse(records.get(i).at("/properties/createdDateTime").asText()).toInstant().toEpochMilli();
            order.add(new long[] {ts + (long) (rnd.nextDouble() * bound), i});
        }
        order.sort((a, b) -> Long.compare(a[0], b[0]));
        List<ObjectNode> out = new java.util.ArrayList<>();
        for (long[] o : order) out.add(records.get((int) o[1]));
        return out;
    }

    /** A normalised sign-in that detection A keeps, for harness tests. */
    public static SignIn signIn(String upn, long ts) {
        SignIn s = new SignIn();
        s.timestamp = ts;
        s.tenantId = TENANT;
        s.category = Categories.NON_INTERACTIVE;
        s.id = "id-" + IDS.incrementAndGet();
        s.userPrincipalName = upn;
        s.resultType = "50126";
        s.errorCode = 50126;
        s.isInteractive = false;
        s.authenticationRequirement = "singleFactorAuthentication";
        s.ipAddress = "203.0.113.7";
        s.asn = 64500L;
        s.success = false;
        return s;
    }
}
