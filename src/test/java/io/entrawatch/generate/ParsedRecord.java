package io.entrawatch.generate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A generated record as a reader of docs/detections.md section 1 sees it: parsed from the message bytes
 * with Jackson (independently of the generator's internals) and normalised by the rules of that
 * section. Only the fields the tests need are kept, so a whole run fits in memory.
 */
record ParsedRecord(
        int message,
        int size,
        long hash,
        JsonNode node,
        String category,
        String id,
        String tenantId,
        Long timestamp,
        String upnRaw,
        String resultType,
        Integer errorCode,
        Boolean isInteractive,
        String authenticationRequirement,
        String ip,
        Long asn,
        String appId,
        String appDisplayName) {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();
    private static final Pattern TENANT_IN_RESOURCE = Pattern.compile("/tenants/([^/]+)/");
    private static final DateTimeFormatter US = DateTimeFormatter.ofPattern("M/d/yyyy h:mm:ss a", Locale.US);

    /** Shape of a message: 0 envelope, 1 bare array, 2 single record. */
    record Message(int index, int bytes, int shape, int records) {}

    String upn() {
        return upnRaw == null || upnRaw.isEmpty() ? null : upnRaw.toLowerCase(Locale.ROOT);
    }

    boolean isSignIn() {
        return category != null && List.of("SignInLogs", "NonInteractiveUserSignInLogs", "ServicePrincipalSignInLogs",
                "ManagedIdentitySignInLogs").contains(category);
    }

    String dedupKey() {
        return category + "|" + id;
    }

    /**
     * Parses every message; calls {@code onRecord} per record (in message order) and returns the
     * messages. {@code keepNode} keeps the JSON tree of each record (memory!).
     */
    static List<Message> parse(Iterator<byte[]> messages, boolean keepNode, Consumer<ParsedRecord> onRecord) {
        List<Message> out = new ArrayList<>();
        int index = 0;
        try {
            while (messages.hasNext()) {
                byte[] m = messages.next();
                int count = 0;
                int shape;
                try (JsonParser p = FACTORY.createParser(m)) {
                    JsonToken t = p.nextToken();
                    if (t == JsonToken.START_OBJECT && isEnvelope(m)) {
                        shape = 0;
                        if (p.nextToken() != JsonToken.FIELD_NAME || !p.currentName().equals("records")) {
                            throw new AssertionError("envelope without records first: message " + index);
                        }
                        if (p.nextToken() != JsonToken.START_ARRAY) throw new AssertionError("records is not an array");
                        count = readArray(p, m, index, keepNode, onRecord);
                        if (p.nextToken() != JsonToken.END_OBJECT) throw new AssertionError("envelope has more than records");
                    } else if (t == JsonToken.START_ARRAY) {
                        shape = 1;
                        count = readArray(p, m, index, keepNode, onRecord);
                    } else if (t == JsonToken.START_OBJECT) {
                        shape = 2;
                        readRecord(p, m, index, keepNode, onRecord);
                        count = 1;
                    } else {
                        throw new AssertionError("message " + index + " is neither object nor array");
                    }
                    if (p.nextToken() != null) throw new AssertionError("trailing content in message " + index);
                }
                out.add(new Message(index, m.length, shape, count));
                index++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("message " + index + " is not JSON", e);
        }
        return out;
    }

    private static boolean isEnvelope(byte[] m) {
        return m.length > 11 && new String(m, 0, 12, java.nio.charset.StandardCharsets.UTF_8).startsWith("{\"records\"");
    }

    private static int readArray(JsonParser p, byte[] m, int index, boolean keepNode, Consumer<ParsedRecord> onRecord)
            throws IOException {
        int n = 0;
        while (p.nextToken() == JsonToken.START_OBJECT) {
            readRecord(p, m, index, keepNode, onRecord);
            n++;
        }
        if (p.currentToken() != JsonToken.END_ARRAY) throw new AssertionError("array holds a non-object");
        return n;
    }

    private static void readRecord(JsonParser p, byte[] m, int index, boolean keepNode, Consumer<ParsedRecord> onRecord)
            throws IOException {
        int start = (int) p.currentTokenLocation().getByteOffset();
        JsonNode node = MAPPER.readTree(p);
        int end = (int) p.currentLocation().getByteOffset();
        long hash = Arrays.hashCode(Arrays.copyOfRange(m, start, end)) * 31L + (end - start);
        onRecord.accept(of(node, index, end - start, hash, keepNode));
    }

    static ParsedRecord of(JsonNode r, int message, int size, long hash, boolean keepNode) {
        JsonNode props = r.path("properties");
        String tenant = text(r.get("tenantId"));
        if (tenant == null) {
            String res = text(r.get("resourceId"));
            if (res != null) {
                Matcher mt = TENANT_IN_RESOURCE.matcher(res);
                if (mt.find()) tenant = mt.group(1);
            }
        }
        if (tenant == null) tenant = text(props.get("resourceTenantId"));
        Long ts = null;
        String created = text(props.get("createdDateTime"));
        String time = text(r.get("time"));
        if (created != null) ts = parseTime(created);
        else if (time != null) ts = parseTime(time);
        String resultType = text(r.get("resultType"));
        JsonNode status = props.path("status");
        Integer errorCode = status.has("errorCode") && !status.get("errorCode").isNull() ? status.get("errorCode").asInt() : null;
        if (resultType == null && errorCode != null) resultType = errorCode.toString();
        if (errorCode == null && resultType != null) errorCode = Integer.parseInt(resultType);
        String ip = text(props.get("ipAddress"));
        if (ip == null) ip = text(r.get("callerIpAddress"));
        JsonNode asn = props.get("autonomousSystemNumber");
        JsonNode inter = props.get("isInteractive");
        return new ParsedRecord(message, size, hash, keepNode ? r : null, text(r.get("category")), text(props.get("id")), tenant,
                ts, text(props.get("userPrincipalName")), resultType, errorCode,
                inter == null || inter.isNull() ? null : inter.asBoolean(), text(props.get("authenticationRequirement")),
                ip == null ? null : ip.toLowerCase(Locale.ROOT), asn == null || asn.isNull() ? null : asn.asLong(),
                text(props.get("appId")), text(props.get("appDisplayName")));
    }

    /** "First present wins": absent, null and "" are all absent. */
    static String text(JsonNode n) {
        if (n == null || n.isNull()) return null;
        String s = n.asText();
        return s.isEmpty() ? null : s;
    }

    static long parseTime(String s) {
        if (s.contains("/")) {
            return LocalDateTime.parse(s, US).toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        if (s.endsWith("Z")) return Instant.parse(s).toEpochMilli();
        return OffsetDateTime.parse(s).toInstant().toEpochMilli();
    }

    /** The normalised sign-in the reference detections take. */
    ReferenceDetections.Norm norm() {
        byte cat = switch (category) {
            case "SignInLogs" -> Rec.SIGN_IN;
            case "NonInteractiveUserSignInLogs" -> Rec.NON_INTERACTIVE;
            case "ServicePrincipalSignInLogs" -> Rec.SERVICE_PRINCIPAL;
            default -> Rec.MANAGED_IDENTITY;
        };
        // Unknown isInteractive never matches == false: treat it as interactive.
        boolean interactive = isInteractive == null || isInteractive;
        return new ReferenceDetections.Norm(timestamp, tenantId, cat, upn(), errorCode == null ? 0 : errorCode, interactive,
                "singleFactorAuthentication".equals(authenticationRequirement), ip, asn != null && asn == 8075L, appId,
                appDisplayName, -1);
    }
}
