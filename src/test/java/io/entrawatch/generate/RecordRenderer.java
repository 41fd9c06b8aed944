package io.entrawatch.generate;

/**
 * Renders a {@link Rec} as the JSON text Azure Monitor diagnostic settings write for it, with the
 * field names, nesting and quirks of published Entra samples (reproduced in src/test/resources/fixtures/sign-ins): two key layouts
 * ("time" first with spaces, or compact alphabetical), {@code Level} or {@code level} as number or
 * string, {@code durationMs} as number or string, ISO or US-format {@code time}, missing
 * {@code userAgent} / {@code autonomousSystemNumber}, {@code userId: null} for service principals,
 * mixed-case UPNs, non-ASCII text.
 *
 * <p>Every cosmetic choice comes from a small PRNG seeded by {@link Rec#renderSeed}, so rendering the
 * same record twice yields identical bytes (duplicates are re-rendered, not stored). Not thread-safe.
 */
final class RecordRenderer {
    private static final String MS_SERVICES_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
    private static final byte[] EMPTY_ARRAY = ascii("[]");
    private static final byte[] EMPTY_DEVICE = ascii("{\"browser\":\"\",\"deviceId\":\"\",\"operatingSystem\":\"\"}");
    private static final byte[][] PROCESSING_DETAILS = ascii(new String[] {
        "[{\"key\":\"Legacy TLS (TLS 1.0, 1.1, 3DES)\",\"value\":\"False\"},{\"key\":\"Oauth Scope Info\",\"value\":\"[\\\"user_impersonation\\\"]\"},{\"key\":\"Is CAE Token\",\"value\":\"False\"}]",
        "[{\"key\":\"Is Client Capable\",\"value\":\"True\"},{\"key\":\"IsCAEToken\",\"value\":\"False\"}]",
        "[{\"key\":\"Login Hint Present\",\"value\":\"True\"},{\"key\":\"Legacy TLS (TLS 1.0, 1.1, 3DES)\",\"value\":\"False\"},{\"key\":\"Oauth Scope Info\",\"value\":\"\"},{\"key\":\"Is CAE Token\",\"value\":\"False\"}]",
        "[{\"key\":\"Root Key Type\",\"value\":\"Unknown\"},{\"key\":\"Oauth Scope Info\",\"value\":\"[\\\"AuditLog.Read.All\\\",\\\"Calendars.ReadWrite\\\",\\\"Contacts.ReadWrite\\\",\\\"Files.ReadWrite.All\\\",\\\"Mail.ReadWrite\\\",\\\"Sites.ReadWrite.All\\\",\\\"User.Read\\\"]\"},{\"key\":\"Is CAE Token\",\"value\":\"True\"},{\"key\":\"Legacy TLS (TLS 1.0, 1.1, 3DES)\",\"value\":\"False\"}]",
    });
    private static final byte[][] SP_PROCESSING_DETAILS = ascii(new String[] {
        "[{\"key\":\"Azure AD App Authentication Library\",\"value\":\"Family: MSAL Library: MSAL.NET 4.61.3.0 Platform: .NET\"},{\"key\":\"Legacy TLS (TLS 1.0, 1.1, 3DES)\",\"value\":\"False\"},{\"key\":\"Is Legacy Store Used\",\"value\":\"False\"},{\"key\":\"Is CAE Token\",\"value\":\"True\"}]",
        "[{\"key\":\"Azure AD App Authentication Library\",\"value\":\"\"}]",
        "[{\"key\":\"Azure AD App Authentication Library\",\"value\":\"Family: MSAL Library: MSAL.Python 1.28.0 Platform: Python\"},{\"key\":\"Legacy TLS (TLS 1.0, 1.1, 3DES)\",\"value\":\"False\"},{\"key\":\"Is CAE Token\",\"value\":\"False\"}]",
    });
    private static final String[] AUDIT_ACTIVITIES = {
        "Update user|UserManagement|Update|Core Directory",
        "Add member to group|GroupManagement|Assign|Core Directory",
        "Update StsRefreshTokenValidFrom Timestamp|UserManagement|Update|Core Directory",
        "User registered security info|UserManagement|Add|Authentication Methods",
        "Reset password (self-service)|UserManagement|Update|Self-service Password Management",
        "Add app role assignment grant to user|ApplicationManagement|Assign|Core Directory",
        "Update application – Certificates and secrets management |ApplicationManagement|Update|Core Directory",
        "Consent to application|ApplicationManagement|Assign|Core Directory",
        "Update device|Device|Update|Core Directory",
    };

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[][] ascii(String[] s) {
        byte[][] out = new byte[s.length][];
        for (int i = 0; i < s.length; i++) out[i] = ascii(s[i]);
        return out;
    }

    private long s;
    private String sep;
    private String kv;
    private boolean first;

    private long next() {
        long z = (s += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private int nextInt(int n) {
        return (int) ((next() >>> 33) % n);
    }

    private boolean percent(int p) {
        return nextInt(100) < p;
    }

    private void key(ByteSink sb, String k) {
        if (first) {
            first = false;
        } else {
            sb.append(sep);
        }
        sb.append('"').append(k).append(kv);
    }

    // Top-level fields.
    private static final int T_TIME = 0, T_RESOURCE_ID = 1, T_OPNAME = 2, T_OPVER = 3, T_CATEGORY = 4, T_TENANT = 5,
            T_RESULT_TYPE = 6, T_RESULT_SIG = 7, T_RESULT_DESC = 8, T_DURATION = 9, T_CALLER_IP = 10,
            T_CORRELATION = 11, T_IDENTITY = 12, T_LEVEL = 13, T_LOCATION = 14, T_PROPERTIES = 15;
    private static final int[] GRAPH_ORDER = {T_TIME, T_RESOURCE_ID, T_OPNAME, T_OPVER, T_CATEGORY, T_TENANT, T_RESULT_TYPE,
        T_RESULT_SIG, T_RESULT_DESC, T_DURATION, T_CALLER_IP, T_CORRELATION, T_IDENTITY, T_LEVEL, T_LOCATION, T_PROPERTIES};
    private static final int[] ALPHA_ORDER = {T_LEVEL, T_CALLER_IP, T_CATEGORY, T_CORRELATION, T_DURATION, T_IDENTITY,
        T_LOCATION, T_OPNAME, T_OPVER, T_PROPERTIES, T_RESOURCE_ID, T_RESULT_DESC, T_RESULT_SIG, T_RESULT_TYPE, T_TENANT, T_TIME};
    private static final int[] ALPHA_ORDER_LOWER_LEVEL = {T_CALLER_IP, T_CATEGORY, T_CORRELATION, T_DURATION, T_IDENTITY,
        T_LEVEL, T_LOCATION, T_OPNAME, T_OPVER, T_PROPERTIES, T_RESOURCE_ID, T_RESULT_DESC, T_RESULT_SIG, T_RESULT_TYPE,
        T_TENANT, T_TIME};

    // Per-record choices.
    private Rec r;
    private boolean graph;
    private int levelVariant;
    private boolean durationString;
    private boolean usTime;
    private boolean noCreated;
    private boolean noRootTenant;
    private boolean signatureWord;
    private boolean resultDescription;
    private long idHi, idLo, corrHi, corrLo;

    /** Appends the JSON of {@code rec} to {@code sb}. */
    void render(Rec rec, ByteSink sb) {
        r = rec;
        s = rec.renderSeed;
        graph = percent(35);
        sep = graph ? ", " : ",";
        kv = graph ? "\": " : "\":";
        levelVariant = graph ? (percent(85) ? 0 : 1) : nextInt(10) < 5 ? 0 : nextInt(4); // 0 Level:4 1 Level:"4" 2 level:"4" 3 level:"Informational"
        durationString = !graph && percent(20);
        noCreated = !rec.planted && rec.isSignIn() && percent(1) && nextInt(5) == 0; // ~0.2%
        usTime = !graph && !noCreated && percent(10);
        noRootTenant = !rec.planted && percent(1) && nextInt(3) == 0; // ~0.3%: the job falls back to resourceId
        signatureWord = !graph && percent(30);
        resultDescription = rec.errorCode != 0 && percent(80);
        idHi = next();
        idLo = next();
        corrHi = next();
        corrLo = next();
        first = true;
        sb.append(graph ? "{ " : "{");
        int[] order = graph ? GRAPH_ORDER : levelVariant >= 2 ? ALPHA_ORDER_LOWER_LEVEL : ALPHA_ORDER;
        for (int f : order) top(sb, f);
        sb.append(graph ? " }" : "}");
    }

    private void top(ByteSink sb, int f) {
        Rec rec = r;
        boolean signIn = rec.isSignIn() || rec.category == Rec.ADFS || rec.category == Rec.MS_SERVICE_PRINCIPAL;
        switch (f) {
            case T_TIME -> {
                key(sb, "time");
                sb.append('"');
                if (usTime) Json.usTime(sb, rec.timeTicks);
                else Json.isoTicks(sb, noCreated ? rec.eventTicks : rec.timeTicks, "Z");
                sb.append('"');
            }
            case T_RESOURCE_ID -> {
                key(sb, "resourceId");
                sb.append('"').ascii(rec.tenant.resourceIdPath).append('"');
            }
            case T_OPNAME -> {
                key(sb, "operationName");
                if (signIn) sb.ascii("\"Sign-in activity\"");
                else if (rec.category == Rec.AUDIT) Json.str(sb, auditActivity()[0]);
                else sb.ascii("\"Process provisioning\"");
            }
            case T_OPVER -> {
                key(sb, "operationVersion");
                sb.ascii("\"1.0\"");
            }
            case T_CATEGORY -> {
                key(sb, "category");
                sb.append('"').append(rec.categoryName()).append('"');
            }
            case T_TENANT -> {
                if (noRootTenant) return;
                key(sb, "tenantId");
                sb.append('"').ascii(rec.tenant.id).append('"');
            }
            case T_RESULT_TYPE -> {
                if (!signIn) return;
                key(sb, "resultType");
                sb.append('"').append(rec.errorCode).append('"');
            }
            case T_RESULT_SIG -> {
                key(sb, "resultSignature");
                sb.append(signatureWord ? (rec.errorCode == 0 ? "\"SUCCESS\"" : "\"FAILURE\"") : "\"None\"");
            }
            case T_RESULT_DESC -> {
                if (!resultDescription || !signIn) return;
                key(sb, "resultDescription");
                sb.append(ErrorCatalog.quotedReason(rec.errorCode));
            }
            case T_DURATION -> {
                key(sb, "durationMs");
                sb.append(durationString ? "\"0\"" : "0");
            }
            case T_CALLER_IP -> {
                if (rec.ip == null) return;
                key(sb, "callerIpAddress");
                sb.append('"').ascii(rec.ip.address).append('"');
            }
            case T_CORRELATION -> {
                key(sb, "correlationId");
                sb.append('"');
                Json.uuid(sb, corrHi, corrLo);
                sb.append('"');
            }
            case T_IDENTITY -> {
                if (rec.user != null) {
                    key(sb, "identity");
                    Json.str(sb, rec.user.displayName);
                } else if (rec.principal != null && rec.principal.managed) {
                    key(sb, "identity");
                    Json.str(sb, rec.principal.name);
                }
            }
            case T_LEVEL -> {
                switch (levelVariant) {
                    case 0 -> { key(sb, "Level"); sb.append('4'); }
                    case 1 -> { key(sb, "Level"); sb.ascii("\"4\""); }
                    case 2 -> { key(sb, "level"); sb.ascii("\"4\""); }
                    default -> { key(sb, "level"); sb.ascii("\"Informational\""); }
                }
            }
            case T_LOCATION -> {
                if (rec.ip == null) return;
                key(sb, "location");
                sb.append('"').append(rec.ip.country).append('"');
            }
            case T_PROPERTIES -> {
                key(sb, "properties");
                switch (rec.category) {
                    case Rec.SIGN_IN, Rec.NON_INTERACTIVE, Rec.ADFS -> userProps(sb);
                    case Rec.SERVICE_PRINCIPAL, Rec.MS_SERVICE_PRINCIPAL, Rec.MANAGED_IDENTITY -> principalProps(sb);
                    case Rec.AUDIT -> auditProps(sb);
                    default -> provisioningProps(sb);
                }
            }
            default -> throw new IllegalStateException("field " + f);
        }
    }

    private void created(ByteSink sb) {
        if (noCreated) return;
        sb.ascii(",\"createdDateTime\":\"");
        Json.isoTicks(sb, r.eventTicks, "+00:00");
        sb.append('"');
    }

    private void status(ByteSink sb) {
        int code = r.errorCode;
        if (code == 0) {
            sb.ascii(",\"status\":{\"errorCode\":0}");
            return;
        }
        sb.ascii(",\"status\":{");
        if (code == 50126 || code == 50074 || code == 50076 || code == 70043) {
            sb.ascii("\"additionalDetails\":");
            sb.append(code == 50126 ? "\"The user didn't enter the right credentials. It's expected to see some number of these errors in your logs due to users making mistakes.\""
                    : code == 70043 ? "\"The refresh token has expired due to sign-in frequency policy.\"" : "\"MFA required in Azure AD\"");
            sb.append(',');
        }
        sb.ascii("\"errorCode\":").append(code).ascii(",\"failureReason\":").append(ErrorCatalog.quotedReason(code)).append('}');
    }

    private void authDetail(ByteSink sb, String method, String methodDetail, boolean ok, String resultDetail,
            String requirement, int seqNo) {
        sb.ascii("{\"RequestSequence\":").append(seqNo == 0 ? 0 : 1 + nextInt(9)).ascii(",\"StatusSequence\":0,\"authenticationMethod\":\"")
                .append(method).ascii("\",\"authenticationMethodDetail\":\"").append(methodDetail)
                .ascii("\",\"authenticationStepDateTime\":\"");
        Json.isoSeconds(sb, r.eventTicks, "+00:00");
        sb.ascii("\",\"authenticationStepRequirement\":\"").append(requirement).ascii("\",\"authenticationStepResultDetail\":\"")
                .append(resultDetail).ascii("\",\"succeeded\":").append(ok).append('}');
    }

    private void authenticationDetails(ByteSink sb) {
        int code = r.errorCode;
        sb.ascii(",\"authenticationDetails\":[");
        if (ErrorCatalog.isFailureCode(code)) {
            authDetail(sb, "Password", "Password in the cloud", false,
                    code == 50053 ? "Account locked" : "Invalid username or password or Invalid on-premise username or password.",
                    "Primary authentication", 0);
        } else if (code == 50074 || code == 50076 || code == 500121) {
            authDetail(sb, "Password", "Password Hash Sync", true, "Correct password", "Primary authentication", 0);
            sb.append(',');
            authDetail(sb, "Mobile app notification", "", false,
                    code == 500121 ? "Authentication failed" : "MFA required in Azure AD", "Multi-factor authentication", 1);
        } else if (code >= 81000 && code < 82000) {
            authDetail(sb, "Seamless SSO", "", false, "Kerberos ticket invalid", "Primary authentication", 0);
        } else if (r.interactive && code == 0) {
            if (r.multiFactor && percent(60)) {
                authDetail(sb, "Password", "Password Hash Sync", true, "Correct password", "Primary authentication", 0);
                sb.append(',');
                authDetail(sb, "Mobile app notification", "", true, "MFA successfully completed", "Multi-factor authentication", 1);
            } else {
                authDetail(sb, "Previously satisfied", "", true, "First factor requirement satisfied by claim in the token",
                        "Primary authentication", 0);
            }
        } else if (!r.interactive && code == 0 && percent(30)) {
            authDetail(sb, "Previously satisfied", "", true, "First factor requirement satisfied by claim in the token",
                    "Primary authentication", 0);
        }
        sb.append(']');
    }

    private void userProps(ByteSink sb) {
        Rec rec = r;
        World.Tenant t = rec.tenant;
        World.App app = rec.app;
        int code = rec.errorCode;
        boolean adfs = rec.category == Rec.ADFS;
        sb.ascii("{\"appDisplayName\":").append(app.quotedName)
                .ascii(",\"appId\":\"").ascii(app.id).append('"')
                .ascii(",\"appServicePrincipalId\":null");
        byte[] ca;
        String caStatus;
        if (adfs) {
            ca = EMPTY_ARRAY;
            caStatus = "notApplied";
        } else if (code == 53003 || code == 530003) {
            ca = t.caFailure;
            caStatus = "failure";
        } else if (code == 0 && (rec.interactive || percent(40))) {
            ca = t.caSuccess;
            caStatus = "success";
        } else {
            ca = t.caNotApplied;
            caStatus = "notApplied";
        }
        sb.ascii(",\"appliedConditionalAccessPolicies\":").append(ca);
        sb.ascii(",\"authenticationContextClassReferences\":[]");
        authenticationDetails(sb);
        sb.ascii(",\"authenticationProcessingDetails\":").append(PROCESSING_DETAILS[nextInt(PROCESSING_DETAILS.length)]);
        sb.ascii(",\"authenticationProtocol\":\"")
                .append(!rec.interactive && ErrorCatalog.isFailureCode(code) ? "ropc" : "none").append('"');
        sb.ascii(",\"authenticationRequirement\":\"")
                .append(rec.multiFactor ? "multiFactorAuthentication" : "singleFactorAuthentication").append('"');
        sb.ascii(",\"authenticationRequirementPolicies\":")
                .append(rec.multiFactor ? "[{\"detail\":\"Conditional Access\",\"requirementProvider\":\"multiConditionalAccess\"}]" : "[]");
        if (!rec.omitAsn && rec.ip.asn != 0) sb.ascii(",\"autonomousSystemNumber\":").append(rec.ip.asn);
        sb.ascii(",\"clientAppUsed\":\"").append(rec.clientAppUsed != null ? rec.clientAppUsed : app.clientAppUsed).append('"');
        sb.ascii(",\"clientCredentialType\":\"none\"");
        sb.ascii(",\"conditionalAccessStatus\":\"").append(caStatus).append('"');
        sb.ascii(",\"correlationId\":\"");
        Json.uuid(sb, corrHi, corrLo);
        sb.append('"');
        created(sb);
        boolean guest = rec.user != null && rec.user.guest;
        sb.ascii(",\"crossTenantAccessType\":\"").append(guest ? "b2bCollaboration" : "none").append('"');
        sb.ascii(",\"deviceDetail\":").append(rec.device != null ? rec.device.detailJson : EMPTY_DEVICE);
        sb.ascii(",\"flaggedForReview\":false");
        sb.ascii(",\"homeTenantId\":\"").append(rec.user != null ? rec.user.homeTenantId : t.id).append('"');
        sb.ascii(",\"homeTenantName\":\"\"");
        sb.ascii(",\"id\":\"");
        Json.uuid(sb, idHi, idLo);
        sb.append('"');
        sb.ascii(",\"incomingTokenType\":\"").append(!rec.interactive && code == 0 && percent(25) ? "primaryRefreshToken" : "none").append('"');
        sb.ascii(",\"ipAddress\":\"").ascii(rec.ip.address).append('"');
        sb.ascii(",\"isInteractive\":").append(rec.interactive);
        sb.ascii(",\"isTenantRestricted\":false,\"isThroughGlobalSecureAccess\":false");
        sb.ascii(",\"location\":").append(rec.ip.locationJson);
        if (rec.multiFactor && code == 0 && rec.interactive) {
            sb.ascii(",\"mfaDetail\":{\"authDetail\":null,\"authMethod\":\"PhoneAppNotification\"}");
        } else if (percent(30)) {
            sb.ascii(",\"mfaDetail\":{}");
        }
        boolean office = false;
        for (World.Ip o : t.officeIps) office |= o == rec.ip;
        sb.ascii(",\"networkLocationDetails\":")
                .append(office ? "[{\"networkNames\":[\"HQ-Egress\"],\"networkType\":\"trustedNamedLocation\"}]" : "[]");
        sb.ascii(",\"originalRequestId\":\"");
        Json.uuid(sb, idHi, idLo);
        sb.ascii("\",\"originalTransferMethod\":\"none\",\"privateLinkDetails\":{}");
        sb.ascii(",\"processingTimeInMilliseconds\":").append(rec.interactive ? 40 + nextInt(6000) : nextInt(400));
        sb.ascii(",\"resourceDisplayName\":\"").append(app.resourceNames[rec.resource]).append('"');
        sb.ascii(",\"resourceId\":\"").append(app.resourceIds[rec.resource]).append('"');
        sb.ascii(",\"resourceOwnerTenantId\":\"").append(MS_SERVICES_TENANT).append('"');
        sb.ascii(",\"resourceTenantId\":\"").ascii(t.id).append('"');
        sb.ascii(",\"riskDetail\":\"none\",\"riskEventTypes\":[],\"riskEventTypes_v2\":[],\"riskLevelAggregated\":\"none\",\"riskLevelDuringSignIn\":\"none\",\"riskState\":\"none\"");
        sb.ascii(",\"servicePrincipalId\":\"\",\"sessionId\":\"");
        long sess = next();
        Json.uuid(sb, sess, corrLo ^ sess);
        sb.ascii("\",\"sessionLifetimePolicies\":[]");
        sb.ascii(",\"signInEventTypes\":[\"").append(rec.interactive ? "interactiveUser" : "nonInteractiveUser").ascii("\"]");
        sb.ascii(",\"ssoExtensionVersion\":\"\"");
        status(sb);
        sb.ascii(",\"tokenIssuerName\":\"").append(adfs ? "adfs." + t.domain : "").append('"');
        sb.ascii(",\"tokenIssuerType\":\"").append(adfs ? "ADFederationServices" : "AzureAD").append('"');
        sb.ascii(",\"tokenProtectionStatusDetails\":{\"signInSessionStatus\":\"unbound\",\"signInSessionStatusCode\":1002}");
        sb.ascii(",\"uniqueTokenIdentifier\":\"");
        Json.b64(sb, idHi, idLo, 22);
        sb.append('"');
        if (rec.userAgent != null) {
            sb.ascii(",\"userAgent\":");
            Json.str(sb, rec.userAgent);
        }
        if (rec.user != null) {
            sb.ascii(",\"userDisplayName\":");
            Json.str(sb, rec.user.displayName);
            sb.ascii(",\"userId\":\"").ascii(rec.user.userId).append('"');
        }
        if (rec.upn != null) {
            sb.ascii(",\"userPrincipalName\":");
            Json.str(sb, rec.upn);
        }
        sb.ascii(",\"userType\":\"").append(guest ? "Guest" : "Member").ascii("\"}");
    }

    private void principalProps(ByteSink sb) {
        Rec rec = r;
        World.Principal p = rec.principal;
        World.Tenant t = rec.tenant;
        boolean mi = rec.category == Rec.MANAGED_IDENTITY;
        boolean newStyle = percent(60);
        sb.append('{');
        if (newStyle || mi) {
            sb.ascii("\"appDisplayName\":");
            Json.str(sb, p.name);
            sb.append(',');
        }
        sb.ascii("\"appId\":\"").ascii(p.appId).append('"');
        if (newStyle) sb.ascii(",\"appliedConditionalAccessPolicies\":[],\"authenticationDetails\":[]");
        sb.ascii(",\"authenticationProcessingDetails\":").append(SP_PROCESSING_DETAILS[nextInt(SP_PROCESSING_DETAILS.length)]);
        if (newStyle) sb.ascii(",\"authenticationProtocol\":\"none\",\"authenticationRequirement\":\"\"");
        boolean noIp = mi && percent(30);
        if (!noIp && !rec.omitAsn && rec.ip.asn != 0) sb.ascii(",\"autonomousSystemNumber\":").append(rec.ip.asn);
        sb.ascii(",\"clientCredentialType\":\"")
                .append(mi ? "managedIdentity" : (p.credentialKeyId.charAt(0) < '8' ? "clientSecret" : "certificate")).append('"');
        sb.ascii(",\"conditionalAccessStatus\":\"notApplied\"");
        sb.ascii(",\"correlationId\":\"");
        Json.uuid(sb, corrHi, corrLo);
        sb.append('"');
        created(sb);
        sb.ascii(",\"crossTenantAccessType\":\"none\",\"flaggedForReview\":false");
        sb.ascii(",\"id\":\"");
        Json.uuid(sb, idHi, idLo);
        sb.ascii("\",\"incomingTokenType\":\"none\"");
        sb.ascii(",\"ipAddress\":\"").append(noIp ? "" : rec.ip.address).append('"');
        sb.ascii(",\"isInteractive\":false,\"isTenantRestricted\":false");
        sb.ascii(",\"location\":");
        if (noIp) sb.ascii("{\"city\":\"\",\"countryOrRegion\":\"\",\"geoCoordinates\":{},\"state\":\"\"}");
        else sb.append(rec.ip.locationJson);
        if (mi) {
            sb.ascii(",\"managedServiceIdentity\":{\"associatedResourceId\":");
            Json.str(sb, p.associatedResourceId);
            sb.ascii(",\"federatedTokenId\":null,\"federatedTokenIssuer\":null,\"msiType\":\"").append(p.msiType).ascii("\"}");
        }
        sb.ascii(",\"privateLinkDetails\":{},\"processingTimeInMilliseconds\":").append(nextInt(120));
        sb.ascii(",\"resourceDisplayName\":\"").append(p.resourceName).append('"');
        sb.ascii(",\"resourceId\":\"").append(p.resourceId).append('"');
        sb.ascii(",\"resourceTenantId\":\"").ascii(t.id).append('"');
        sb.ascii(",\"riskDetail\":\"none\",\"riskLevelAggregated\":\"").append(mi ? "none" : "low")
                .ascii("\",\"riskLevelDuringSignIn\":\"").append(mi ? "none" : "low").ascii("\",\"riskState\":\"none\"");
        if (!mi) {
            sb.ascii(",\"servicePrincipalCredentialKeyId\":\"").ascii(p.credentialKeyId).append('"');
            sb.ascii(",\"servicePrincipalCredentialThumbprint\":\"\"");
        }
        sb.ascii(",\"servicePrincipalId\":\"").ascii(p.spId).append('"');
        sb.ascii(",\"servicePrincipalName\":");
        Json.str(sb, p.name);
        if (newStyle) {
            sb.ascii(",\"signInEventTypes\":[\"").append(mi ? "managedIdentity" : "servicePrincipal").ascii("\"]");
        }
        status(sb);
        sb.ascii(",\"tokenIssuerType\":\"AzureAD\",\"uniqueTokenIdentifier\":\"");
        Json.b64(sb, idHi, idLo, 22);
        sb.append('"');
        // The real quirks: userId null, or "" with an empty UPN, or absent.
        switch (nextInt(3)) {
            case 0 -> sb.ascii(",\"userId\":null");
            case 1 -> sb.ascii(",\"userAgent\":\"\",\"userDisplayName\":\"\",\"userId\":\"\",\"userPrincipalName\":\"\"");
            default -> { }
        }
        sb.append('}');
    }

    private String[] auditActivity() {
        long save = s;
        s = r.renderSeed ^ 0xA5A5A5A5L;
        String[] a = AUDIT_ACTIVITIES[nextInt(AUDIT_ACTIVITIES.length)].split("\\|");
        s = save;
        return a;
    }

    private void auditProps(ByteSink sb) {
        Rec rec = r;
        String[] a = auditActivity();
        World.User u = rec.user;
        sb.ascii("{\"activityDateTime\":\"");
        Json.isoTicks(sb, rec.eventTicks, "+00:00");
        sb.ascii("\",\"activityDisplayName\":");
        Json.str(sb, a[0]);
        sb.ascii(",\"additionalDetails\":[{\"key\":\"UserType\",\"value\":\"Member\"},{\"key\":\"User-Agent\",\"value\":");
        Json.str(sb, u.devices[0].userAgent == null ? "" : u.devices[0].userAgent);
        sb.ascii("}],\"category\":\"").append(a[1]).ascii("\",\"correlationId\":\"");
        Json.uuid(sb, corrHi, corrLo);
        sb.ascii("\",\"id\":\"Directory_");
        Json.uuid(sb, idHi, idLo);
        sb.ascii("\",\"initiatedBy\":{\"user\":{\"displayName\":null,\"id\":\"").ascii(u.userId)
                .ascii("\",\"ipAddress\":\"").ascii(rec.ip.address).ascii("\",\"roles\":[],\"userPrincipalName\":");
        Json.str(sb, u.upnStored);
        sb.ascii("}},\"loggedByService\":\"").append(a[3]).ascii("\",\"operationType\":\"").append(a[2])
                .ascii("\",\"result\":\"success\",\"resultReason\":\"\",\"targetResources\":[{\"administrativeUnits\":[],\"displayName\":null,\"id\":\"")
                .ascii(u.userId).ascii("\",\"modifiedProperties\":[{\"displayName\":\"StrongAuthenticationMethod\",\"newValue\":\"[{\\\"MethodType\\\":6,\\\"Default\\\":true},{\\\"MethodType\\\":7,\\\"Default\\\":false}]\",\"oldValue\":\"[]\"},{\"displayName\":\"Included Updated Properties\",\"newValue\":\"\\\"StrongAuthenticationMethod\\\"\",\"oldValue\":null}],\"type\":\"User\",\"userPrincipalName\":");
        Json.str(sb, u.upnStored);
        sb.ascii("}]}");
    }

    private void provisioningProps(ByteSink sb) {
        Rec rec = r;
        World.User u = rec.user;
        sb.ascii("{\"action\":\"Update\",\"activityDateTime\":\"");
        Json.isoTicks(sb, rec.eventTicks, "+00:00");
        sb.ascii("\",\"changeId\":\"");
        Json.uuid(sb, idHi, idLo);
        sb.ascii("\",\"cycleId\":\"");
        Json.uuid(sb, corrHi, corrLo);
        sb.ascii("\",\"durationInMilliseconds\":").append(100 + nextInt(3000));
        sb.ascii(",\"id\":\"");
        Json.uuid(sb, idLo, idHi);
        sb.ascii("\",\"initiatedBy\":{\"displayName\":\"Azure AD Provisioning Service\",\"id\":\"\",\"initiatorType\":\"system\"}")
                .ascii(",\"jobId\":\"ServiceNowOutDelta.").append(rec.tenant.id.replace("-", "").substring(0, 16)).append('"')
                .ascii(",\"provisioningAction\":\"update\",\"provisioningStatusInfo\":{\"errorInformation\":null,\"status\":\"success\"}")
                .ascii(",\"provisioningSteps\":[{\"description\":\"Received User '").ascii(u.userId)
                .ascii("' change of type (Update) from Azure Active Directory\",\"name\":\"EntryImport\",\"provisioningStepType\":\"import\",\"status\":\"success\"}]")
                .ascii(",\"servicePrincipal\":{\"displayName\":\"ServiceNow\",\"id\":\"").append(rec.tenant.sps[0].spId)
                .ascii("\"},\"sourceIdentity\":{\"details\":{},\"displayName\":");
        Json.str(sb, u.displayName);
        sb.ascii(",\"id\":\"").ascii(u.userId).ascii("\",\"identityType\":\"User\"},\"sourceSystem\":{\"displayName\":\"Azure Active Directory\",\"id\":\"\"}")
                .ascii(",\"targetIdentity\":{\"details\":{},\"displayName\":");
        Json.str(sb, u.upnStored);
        sb.ascii(",\"id\":\"").append(Long.toHexString(idLo)).ascii("\",\"identityType\":\"sys_user\"},\"targetSystem\":{\"displayName\":\"ServiceNow\",\"id\":\"\"}}");
    }
}
