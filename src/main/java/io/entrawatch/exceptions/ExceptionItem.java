package io.entrawatch.exceptions;

import io.entrawatch.model.SignIn;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * One validated exception (docs/detections.md section 9): which sign-ins it hides ({@link #matches}) and from
 * which rules ({@link #ruleMask}). Built only by {@link ExceptionParser}; {@link #json} is the document it was
 * read from, which is what broadcast state keeps (it is validated again when read back).
 */
public final class ExceptionItem implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String id;
    /** The rule ids as written; {@code ["*"]} for every rule. */
    public final List<String> rules;
    /** Bit i set: hides from the i-th rule of the catalogue the set was built for. */
    public final long ruleMask;
    /** Lower-cased tenant id; null for every tenant. */
    public final String tenant;
    public final IpBlock sourceIp;
    /** Lower-cased UPN; null when absent or a domain pattern. */
    public final String userName;
    /** Lower-cased domain of a {@code *@domain} pattern; null otherwise. */
    public final String userDomain;
    /** Lower-cased application id. */
    public final String appId;
    public final Long asn;
    /** Epoch millis, rounded up: the first sign-in timestamp covered; Long.MIN_VALUE when unbounded. */
    public final long fromMillis;
    /** Epoch millis, rounded up: the first sign-in timestamp no longer covered; Long.MAX_VALUE when unbounded. */
    public final long expiresMillis;
    public final String validFrom;
    public final String expires;
    public final String comment;
    public final String createdBy;
    public final String json;

    ExceptionItem(String id, List<String> rules, long ruleMask, String tenant, IpBlock sourceIp, String userName,
            String userDomain, String appId, Long asn, long fromMillis, long expiresMillis, String validFrom, String expires,
            String comment, String createdBy, String json) {
        this.id = id;
        this.rules = List.copyOf(rules);
        this.ruleMask = ruleMask;
        this.tenant = tenant;
        this.sourceIp = sourceIp;
        this.userName = userName;
        this.userDomain = userDomain;
        this.appId = appId;
        this.asn = asn;
        this.fromMillis = fromMillis;
        this.expiresMillis = expiresMillis;
        this.validFrom = validFrom;
        this.expires = expires;
        this.comment = comment;
        this.createdBy = createdBy;
        this.json = json;
    }

    /** The same exception under another id, its document included (tests, benchmarks). */
    public ExceptionItem withId(String newId) {
        String document;
        try {
            document = ExceptionsIndex.with(json, "id", newId);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new ExceptionItem(newId, rules, ruleMask, tenant, sourceIp, userName, userDomain, appId, asn, fromMillis,
                expiresMillis, validFrom, expires, comment, createdBy, document);
    }

    /**
     * True when the sign-in matches every field this exception gives; {@code address} is the sign-in's
     * {@link IpBlock#addressOrNull parsed address} (null when it has none or it does not parse).
     */
    public boolean matches(SignIn s, IpBlock address) {
        if (s.timestamp < fromMillis || s.timestamp >= expiresMillis) return false;
        if (tenant != null && (s.tenantId == null || !tenant.equals(s.tenantId.toLowerCase(Locale.ROOT)))) return false;
        if (sourceIp != null && (address == null || !sourceIp.contains(address))) return false;
        if (userName != null && !userName.equals(s.userPrincipalName)) return false;
        if (userDomain != null && !userDomain.equals(domainOf(s.userPrincipalName))) return false;
        if (appId != null && (s.appId == null || !appId.equals(s.appId.toLowerCase(Locale.ROOT)))) return false;
        return asn == null || asn.equals(s.asn);
    }

    /** The lower-cased part after the last '@' of a UPN; null without one. */
    static String domainOf(String upn) {
        if (upn == null) return null;
        int at = upn.lastIndexOf('@');
        return at < 0 ? null : upn.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /** What it matches, for logs and {@code jobs/exceptions list}. */
    public String describeMatch() {
        StringBuilder b = new StringBuilder();
        if (sourceIp != null) b.append("source.ip=").append(sourceIp.text()).append(' ');
        if (userName != null) b.append("user.name=").append(userName).append(' ');
        if (userDomain != null) b.append("user.name=*@").append(userDomain).append(' ');
        if (appId != null) b.append("app_id=").append(appId).append(' ');
        if (asn != null) b.append("asn=").append(asn).append(' ');
        b.append("tenant=").append(tenant == null ? "*" : tenant);
        return b.toString();
    }

    @Override
    public String toString() {
        return "exception " + id + " " + rules + " " + describeMatch();
    }
}
