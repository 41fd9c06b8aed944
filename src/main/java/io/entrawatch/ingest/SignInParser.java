package io.entrawatch.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.entrawatch.enrich.AsnOrganizations;
import io.entrawatch.model.Categories;
import io.entrawatch.model.DeadLetter;
import io.entrawatch.model.SignIn;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Turns one Event Hubs message body into normalised sign-ins (docs/detections.md section 1) with a streaming
 * Jackson parser that reads only the fields the detections use and skips the rest. Accepts the
 * {@code {"records":[...]}} envelope, a bare array of records, or a single record. Never throws: what is
 * not valid becomes a dead letter with the reason, and the valid records of the same message still flow.
 */
public final class SignInParser implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Event Hubs' message limit. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
    private static final int MAX_NESTING = 200;

    private final AsnOrganizations asnTable;
    private final int maxMessageBytes;
    private final int maxPayloadBytes;
    private long maxAheadOfClockMillis;
    private transient JsonFactory factory;

    public SignInParser(AsnOrganizations asnTable, int maxMessageBytes, int maxPayloadBytes) {
        this.asnTable = asnTable;
        this.maxMessageBytes = maxMessageBytes;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /**
     * Sign-ins more than this ahead of the {@code now} passed to {@link #parse} are malformed (0 = no
     * check): the live job's guard against a far-future timestamp (docs/event-time.md).
     */
    public SignInParser withMaxAheadOfClock(long millis) {
        this.maxAheadOfClockMillis = millis;
        return this;
    }

    private JsonFactory factory() {
        if (factory == null) {
            factory = JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING)
                            .maxStringLength(maxMessageBytes + 16).build())
                    .build();
        }
        return factory;
    }

    /** Parses {@code body}; topic/partition/offset locate it for dead letters. */
    public ParsedMessage parse(byte[] body, String topic, int partition, long offset, long now) {
        ParsedMessage out = new ParsedMessage();
        out.topic = topic;
        out.partition = partition;
        out.offset = offset;
        out.sizeBytes = body == null ? 0 : body.length;
        out.body = body;
        if (body == null || body.length == 0) {
            out.deadLetters.add(deadLetter(out, "empty message", body, 0, body == null ? 0 : body.length, -1, now));
            return out;
        }
        if (body.length > maxMessageBytes) {
            out.deadLetters.add(deadLetter(out, "message of " + body.length + " bytes exceeds the limit of "
                    + maxMessageBytes + " bytes", body, 0, body.length, -1, now));
            return out;
        }
        int recordIndex = -1;
        int recordStart = 0;
        try (JsonParser p = factory().createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                recordIndex = 0;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) throw new IOException("unexpected end of input inside the records array");
                    recordStart = (int) p.currentTokenLocation().getByteOffset();
                    record(p, t, body, recordStart, recordIndex, out, now);
                    recordIndex++;
                }
            } else if (t == JsonToken.START_OBJECT) {
                recordIndex = -1;
                envelopeOrRecord(p, body, out, now);
            } else {
                out.deadLetters.add(deadLetter(out, "message is not a JSON object or array (starts with "
                        + t + ")", body, 0, body.length, -1, now));
                return out;
            }
            if (p.nextToken() != null) {
                throw new IOException("trailing content after the JSON value at byte " + p.currentTokenLocation().getByteOffset());
            }
        } catch (IOException | RuntimeException e) {
            // Invalid JSON (or invalid UTF-8) from here on: everything parsed before it is kept.
            out.deadLetters.add(deadLetter(out, "invalid JSON" + (recordIndex >= 0 ? " in record " + recordIndex : "")
                    + ": " + firstLine(e.getMessage()), body, 0, body.length, recordIndex, now));
        }
        return out;
    }

    /** Top-level object: the envelope when it has a "records" array, else one record. */
    private void envelopeOrRecord(JsonParser p, byte[] body, ParsedMessage out, long now) throws IOException {
        RecordFields f = new RecordFields();
        boolean envelope = false;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("records") && v == JsonToken.START_ARRAY) {
                envelope = true;
                int index = 0;
                while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (v == null) throw new IOException("unexpected end of input inside the records array");
                    int start = (int) p.currentTokenLocation().getByteOffset();
                    try {
                        record(p, v, body, start, index, out, now);
                    } catch (IOException | RuntimeException e) {
                        throw new IOException("record " + index + ": " + firstLine(e.getMessage()), e);
                    }
                    index++;
                }
            } else if (!envelope) {
                f.topLevel(name, v, p);
            } else {
                p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) throw new IOException("malformed object");
        if (!envelope) {
            if (f.hasAnyField) {
                finish(f, body, 0, body.length, -1, out, now);
            } else {
                out.records++;
                out.deadLetters.add(deadLetter(out, "message has neither a records array nor record fields", body,
                        0, body.length, -1, now));
            }
        }
    }

    /** One element of a records array. */
    private void record(JsonParser p, JsonToken t, byte[] body, int start, int index, ParsedMessage out, long now)
            throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            int end = (int) p.currentLocation().getByteOffset();
            out.records++;
            out.deadLetters.add(deadLetter(out, "record " + index + " is not a JSON object (" + t + ")", body, start,
                    end, index, now));
            return;
        }
        RecordFields f = new RecordFields();
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            f.topLevel(name, v, p);
        }
        if (t != JsonToken.END_OBJECT) throw new IOException("malformed record object");
        int end = (int) p.currentLocation().getByteOffset();
        finish(f, body, start, end, index, out, now);
    }

    /** Validates and normalises one record's fields; adds a sign-in, a dead letter, or counts a skip. */
    private void finish(RecordFields f, byte[] body, int start, int end, int index, ParsedMessage out, long now) {
        out.records++;
        String problem = f.problem;
        if (problem == null && f.category == null) problem = "record has no category";
        if (problem == null && !Categories.isSignIn(f.category)) {
            out.skipped++;
            return;
        }
        SignIn s = new SignIn();
        if (problem == null) problem = normalise(f, s);
        if (problem == null && maxAheadOfClockMillis > 0 && s.timestamp - now > maxAheadOfClockMillis) {
            problem = "timestamp " + java.time.Instant.ofEpochMilli(s.timestamp) + " is more than "
                    + java.time.Duration.ofMillis(maxAheadOfClockMillis) + " ahead of the clock (" + java.time.Instant.ofEpochMilli(now) + ")";
        }
        if (problem != null) {
            out.deadLetters.add(deadLetter(out, problem, body, start, end, index, now));
            return;
        }
        out.addSignIn(s, start, end, index);
    }

    /** Fills {@code s} per the normalisation table; returns why the record is malformed, or null. */
    private String normalise(RecordFields f, SignIn s) {
        s.category = f.category;
        String timeText = present(f.createdDateTime) ? f.createdDateTime : f.time;
        if (!present(timeText)) return "record has no timestamp (properties.createdDateTime or time)";
        long ts = EventTimes.parseMillis(timeText);
        if (ts == EventTimes.INVALID) {
            return "timestamp '" + clip(timeText) + "' (" + (present(f.createdDateTime) ? "properties.createdDateTime" : "time")
                    + ") is not a time";
        }
        s.timestamp = ts;
        String tenant = present(f.tenantId) ? f.tenantId : tenantFromResourceId(f.resourceId);
        if (!present(tenant)) tenant = f.resourceTenantId;
        if (!present(tenant)) return "record has no tenant (tenantId, resourceId /tenants/{id}/ or properties.resourceTenantId)";
        s.tenantId = tenant;
        s.id = present(f.id) ? f.id : null;
        s.userPrincipalName = present(f.userPrincipalName) ? f.userPrincipalName.toLowerCase(Locale.ROOT) : null;
        if (present(f.errorCodeText)) {
            Integer code = parseInt(f.errorCodeText);
            if (code == null) return "properties.status.errorCode '" + clip(f.errorCodeText) + "' is not a number";
            s.errorCode = code;
        }
        s.resultType = present(f.resultType) ? f.resultType : f.errorCodeText;
        if (s.errorCode == null && present(f.resultType)) {
            Integer code = parseInt(f.resultType);
            if (code == null) return "resultType '" + clip(f.resultType) + "' is not a number (and no properties.status.errorCode)";
            s.errorCode = code;
        }
        s.success = s.errorCode == null || s.errorCode == 0;
        s.isInteractive = f.isInteractive;
        s.authenticationRequirement = nonEmpty(f.authenticationRequirement);
        String ip = present(f.ipAddress) ? f.ipAddress : f.callerIpAddress;
        s.ipAddress = present(ip) ? ip.toLowerCase(Locale.ROOT) : null;
        if (present(f.asnText)) {
            Long asn = parseLong(f.asnText);
            if (asn == null || asn < 0) return "properties.autonomousSystemNumber '" + clip(f.asnText) + "' is not a number";
            s.asn = asn;
            s.asOrganization = asnTable.organizationOf(asn);
        }
        s.appId = nonEmpty(f.appId);
        s.appDisplayName = nonEmpty(f.appDisplayName);
        s.userAgent = nonEmpty(f.userAgent);
        s.resultDescription = present(f.resultDescription) ? f.resultDescription : nonEmpty(f.failureReason);
        s.resultSignature = nonEmpty(f.resultSignature);
        return null;
    }

    static String tenantFromResourceId(String resourceId) {
        if (resourceId == null) return null;
        int i = indexOfIgnoreCase(resourceId, "/tenants/");
        if (i < 0) return null;
        int start = i + "/tenants/".length();
        int end = resourceId.indexOf('/', start);
        String id = end < 0 ? resourceId.substring(start) : resourceId.substring(start, end);
        return id.isEmpty() ? null : id;
    }

    private static int indexOfIgnoreCase(String s, String needle) {
        for (int i = 0; i + needle.length() <= s.length(); i++) {
            if (s.regionMatches(true, i, needle, 0, needle.length())) return i;
        }
        return -1;
    }

    static boolean present(String s) {
        return s != null && !s.isEmpty();
    }

    private static String nonEmpty(String s) {
        return present(s) ? s : null;
    }

    private static Integer parseInt(String s) {
        try {
            return Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long parseLong(String s) {
        try {
            return Long.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable input";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private DeadLetter deadLetter(ParsedMessage m, String reason, byte[] body, int start, int end, int index, long now) {
        return deadLetter(m, DeadLetter.MALFORMED, reason, body, start, end, index, now, maxPayloadBytes);
    }

    /** A dead letter carrying bytes [start, end) of the body, truncated to maxPayloadBytes. */
    public static DeadLetter deadLetter(ParsedMessage m, String kind, String reason, byte[] body, int start, int end,
            int index, long now, int maxPayloadBytes) {
        int len = Math.max(0, end - start);
        int keep = Math.min(len, maxPayloadBytes);
        String payload = body == null ? "" : new String(body, start, keep, StandardCharsets.UTF_8);
        if (keep < len) reason = reason + " (payload truncated to " + keep + " of " + len + " bytes)";
        return new DeadLetter(kind, reason, payload, len, m.topic, m.partition, m.offset, index, now);
    }

    /** The fields of one record the detections read, as found; type problems are noted, not thrown. */
    private static final class RecordFields {
        boolean hasAnyField;
        String problem;
        String time, tenantId, resourceId, category, resultType, resultDescription, resultSignature, callerIpAddress;
        String createdDateTime, resourceTenantId, userPrincipalName, errorCodeText, failureReason, authenticationRequirement,
                ipAddress, asnText, appId, appDisplayName, userAgent, id;
        Boolean isInteractive;

        void topLevel(String name, JsonToken v, JsonParser p) throws IOException {
            hasAnyField = true;
            switch (name) {
                case "time": time = text(p, v, name); break;
                case "tenantId": tenantId = text(p, v, name); break;
                case "resourceId": resourceId = text(p, v, name); break;
                case "category": category = text(p, v, name); break;
                case "resultType": resultType = scalar(p, v, name); break;
                case "resultDescription": resultDescription = text(p, v, name); break;
                case "resultSignature": resultSignature = text(p, v, name); break;
                case "callerIpAddress": callerIpAddress = text(p, v, name); break;
                case "properties":
                    if (v == JsonToken.START_OBJECT) properties(p);
                    else if (v != JsonToken.VALUE_NULL) wrongType(p, v, "properties", "an object");
                    break;
                default: p.skipChildren();
            }
        }

        private void properties(JsonParser p) throws IOException {
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "createdDateTime": createdDateTime = text(p, v, "properties.createdDateTime"); break;
                    case "resourceTenantId": resourceTenantId = text(p, v, "properties.resourceTenantId"); break;
                    case "userPrincipalName": userPrincipalName = text(p, v, "properties.userPrincipalName"); break;
                    case "isInteractive": isInteractive = bool(p, v, "properties.isInteractive"); break;
                    case "authenticationRequirement":
                        authenticationRequirement = text(p, v, "properties.authenticationRequirement");
                        break;
                    case "ipAddress": ipAddress = text(p, v, "properties.ipAddress"); break;
                    case "autonomousSystemNumber": asnText = number(p, v, "properties.autonomousSystemNumber"); break;
                    case "appId": appId = text(p, v, "properties.appId"); break;
                    case "appDisplayName": appDisplayName = text(p, v, "properties.appDisplayName"); break;
                    case "userAgent": userAgent = text(p, v, "properties.userAgent"); break;
                    case "id": id = text(p, v, "properties.id"); break;
                    case "status":
                        if (v == JsonToken.START_OBJECT) status(p);
                        else if (v != JsonToken.VALUE_NULL) wrongType(p, v, "properties.status", "an object");
                        break;
                    default: p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) throw new IOException("malformed properties object");
        }

        private void status(JsonParser p) throws IOException {
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "errorCode": errorCodeText = number(p, v, "properties.status.errorCode"); break;
                    case "failureReason": failureReason = text(p, v, "properties.status.failureReason"); break;
                    default: p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) throw new IOException("malformed status object");
        }

        /** A string field; null for JSON null; anything else is a type problem. */
        private String text(JsonParser p, JsonToken v, String field) throws IOException {
            if (v == JsonToken.VALUE_STRING) return p.getText();
            if (v == JsonToken.VALUE_NULL) return null;
            wrongType(p, v, field, "a string");
            return null;
        }

        /** A string or a number, as text (resultType is a string that some exporters send as a number). */
        private String scalar(JsonParser p, JsonToken v, String field) throws IOException {
            if (v == JsonToken.VALUE_STRING || v == JsonToken.VALUE_NUMBER_INT) return p.getText();
            if (v == JsonToken.VALUE_NULL) return null;
            wrongType(p, v, field, "a string");
            return null;
        }

        /** An integer, or a string holding one (checked later), as text. */
        private String number(JsonParser p, JsonToken v, String field) throws IOException {
            if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_STRING) return p.getText();
            if (v == JsonToken.VALUE_NULL) return null;
            wrongType(p, v, field, "an integer");
            return null;
        }

        private Boolean bool(JsonParser p, JsonToken v, String field) throws IOException {
            if (v == JsonToken.VALUE_TRUE) return Boolean.TRUE;
            if (v == JsonToken.VALUE_FALSE) return Boolean.FALSE;
            if (v == JsonToken.VALUE_NULL) return null;
            if (v == JsonToken.VALUE_STRING) {
                String s = p.getText();
                if (s.isEmpty()) return null;
                if (s.equalsIgnoreCase("true")) return Boolean.TRUE;
                if (s.equalsIgnoreCase("false")) return Boolean.FALSE;
            }
            wrongType(p, v, field, "a boolean");
            return null;
        }

        private void wrongType(JsonParser p, JsonToken v, String field, String expected) throws IOException {
            if (problem == null) problem = field + " is " + describe(v) + ", expected " + expected;
            p.skipChildren();
        }

        private static String describe(JsonToken v) {
            switch (v) {
                case START_OBJECT: return "an object";
                case START_ARRAY: return "an array";
                case VALUE_STRING: return "a string";
                case VALUE_NUMBER_INT: case VALUE_NUMBER_FLOAT: return "a number";
                case VALUE_TRUE: case VALUE_FALSE: return "a boolean";
                default: return v.toString();
            }
        }
    }
}
