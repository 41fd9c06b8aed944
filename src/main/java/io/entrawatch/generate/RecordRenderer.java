package io.entrawatch.generate;

/**
 * Renders a {@link Rec} as the JSON text Azure Monitor diagnostic settings write for it, with the
 * field names, nesting and quirks of the real samples (shared/data/real-samples): two key layouts
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
    private static final String EMPTY_DEVICE = "{\"browser\":\"\",\"deviceId\":\"\",\"operatingSystem\":\"\"}";
    private static final String[] PROCESSING_DETAILS = {
        "[{\"key\":\"Legacy TLS (TLS 1.0, 1.1, 3DES)\",\"value\":\"False\"},{\"key\":\"Oauth Scope Info\",\"value\":\"[\\\"user_impersonation\\\"]\"},{\"key\":\"Is CAE Token\",\"value\":\"False\"}]",
        "[{\"key\":\"Is Client Capable\",\"value\":\"True\"},{\"key\":\"IsCAEToken\",\"value\":\"False\"}]",
        "[{\"key\":\"Login Hint Present\",\"value\":\"True\"},{\"key\":\"Legacy TLS (TLS 1.0, 1.1, 3DES)\",\"value\":\"False\"},{\"key\":\"Oauth Scope Info\",\"value\":\"\"},{\"key\":\"Is CAE Token\",\"value\":\"False\"}]",
        "[{\"key\":\"Root Key Type\",\"value\":\"Unknown\"},{\"key\":\"Oauth Scope Info\",\"value\":\"[\\\"AuditLog.Read.All\\\",\\\"Calendars.ReadWrite\\\",\\\"Contacts.ReadWrite\\\",\\\"Files.ReadWrite.All\\\",\\\"Mail.ReadWrite\\\",\\\"Sites.ReadWrite.All\\\",\\\"User.Read\\\"]\"},{\"key\":\"Is CAE Token\",\"value\":\"True\"},{\"key\":\"Legacy TLS (TLS 1.0, 1.1, 3DES)\",\"value\":\"False\"}]",
    };
    private static final String[] SP_PROCESSING_DETAILS = {
        "[{\"key\":\"Azure AD App Authentication Library\",\"value\":\"Family: MSAL Library: MSAL.NET 4.61.3.0 Platform: .NET\"},{\"key\":\"Legacy TLS (TLS 1.0, 1.1, 3DES)\",\"value\":\"False\"},{\"key\":\"Is Legacy Store Used\",\"value\":\"False\"},{\"key\":\"Is CAE Token\",\"value\":\"True\"}]",
        "[{\"key\":\"Azure AD App Authentication Library\",\"value\":\"\"}]",
        "[{\"key\":\"Azure AD App Authentication Library\",\"value\":\"Family: MSAL Library: MSAL.Python 1.28.0 Platform: Python\"},{\"key\":\"Legacy TLS (TLS 1.0, 1.1, 3DES)\",\"value\":\"False\"},{\"key\":\"Is CAE Token\",\"value\":\"False\"}]",
    };
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

    private void key(StringBuilder sb, String k) {
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
    void render(Rec rec, StringBuilder sb) {
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

    private void top(StringBuilder sb, int f) {
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
                sb.append('"').append(rec.tenant.resourceIdPath).append('"');
            }
            case T_OPNAME -> {
                key(sb, "operationName");
                if (signIn) sb.append("\"Sign-in activity\"");
                else if (rec.category == Rec.AUDIT) Json.str(sb, auditActivity()[0]);
                else sb.append("\"Process provisioning\"");
            }
            case T_OPVER -> {
                key(sb, "operationVersion");
                sb.append("\"1.0\"");
            }
            case T_CATEGORY -> {
                key(sb, "category");
                sb.append('"').append(rec.categoryName()).append('"');
            }
            case T_TENANT -> {
                if (noRootTenant) return;
                key(sb, "tenantId");
                sb.append('"').append(rec.tenant.id).append('"');
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
                sb.append('"').append(rec.ip.address).append('"');
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
                    case 1 -> { key(sb, "Level"); sb.append("\"4\""); }
                    case 2 -> { key(sb, "level"); sb.append("\"4\""); }
                    default -> { key(sb, "level"); sb.append("\"Informational\""); }
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

    private void created(StringBuilder sb) {
        if (noCreated) return;
        sb.append(",\"createdDateTime\":\"");
        Json.isoTicks(sb, r.eventTicks, "+00:00");
        sb.append('"');
    }

    private void status(StringBuilder sb) {
        int code = r.errorCode;
        if (code == 0) {
            sb.append(",\"status\":{\"errorCode\":0}");
            return;
        }
        sb.append(",\"status\":{");
        if (code == 50126 || code == 50074 || code == 50076 || code == 70043) {
            sb.append("\"additionalDetails\":");
            sb.append(code == 50126 ? "\"The user didn't enter the right credentials. It's expected to see some number of these errors in your logs due to users making mistakes.\""
                    : code == 70043 ? "\"The refresh token has expired due to sign-in frequency policy.\"" : "\"MFA required in Azure AD\"");
            sb.append(',');
        }
        sb.append("\"errorCode\":").append(code).append(",\"failureReason\":").append(ErrorCatalog.quotedReason(code)).append('}');
    }

    private void authDetail(StringBuilder sb, String method, String methodDetail, boolean ok, String resultDetail,
            String requirement, int seqNo) {
        sb.append("{\"RequestSequence\":").append(seqNo == 0 ? 0 : 1 + nextInt(9)).append(",\"StatusSequence\":0,\"authenticationMethod\":\"")
                .append(method).append("\",\"authenticationMethodDetail\":\"").append(methodDetail)
                .append("\",\"authenticationStepDateTime\":\"");
        Json.isoSeconds(sb, r.eventTicks, "+00:00");
        sb.append("\",\"authenticationStepRequirement\":\"").append(requirement).append("\",\"authenticationStepResultDetail\":\"")
                .append(resultDetail).append("\",\"succeeded\":").append(ok).append('}');
    }

    private void authenticationDetails(StringBuilder sb) {
        int code = r.errorCode;
        sb.append(",\"authenticationDetails\":[");
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

    private void userProps(StringBuilder sb) {
        Rec rec = r;
        World.Tenant t = rec.tenant;
        World.App app = rec.app;
        int code = rec.errorCode;
        boolean adfs = rec.category == Rec.ADFS;
        sb.append("{\"appDisplayName\":").append(app.quotedName)
                .append(",\"appId\":\"").append(app.id).append('"')
                .append(",\"appServicePrincipalId\":null");
        String ca;
        String caStatus;
        if (adfs) {
            ca = "[]";
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
        sb.append(",\"appliedConditionalAccessPolicies\":").append(ca);
        sb.append(",\"authenticationContextClassReferences\":[]");
        authenticationDetails(sb);
        sb.append(",\"authenticationProcessingDetails\":").append(PROCESSING_DETAILS[nextInt(PROCESSING_DETAILS.length)]);
        sb.append(",\"authenticationProtocol\":\"")
                .append(!rec.interactive && ErrorCatalog.isFailureCode(code) ? "ropc" : "none").append('"');
        sb.append(",\"authenticationRequirement\":\"")
                .append(rec.multiFactor ? "multiFactorAuthentication" : "singleFactorAuthentication").append('"');
        sb.append(",\"authenticationRequirementPolicies\":")
                .append(rec.multiFactor ? "[{\"detail\":\"Conditional Access\",\"requirementProvider\":\"multiConditionalAccess\"}]" : "[]");
        if (!rec.omitAsn && rec.ip.asn != 0) sb.append(",\"autonomousSystemNumber\":").append(rec.ip.asn);
        sb.append(",\"clientAppUsed\":\"").append(rec.clientAppUsed != null ? rec.clientAppUsed : app.clientAppUsed).append('"');
        sb.append(",\"clientCredentialType\":\"none\"");
        sb.append(",\"conditionalAccessStatus\":\"").append(caStatus).append('"');
        sb.append(",\"correlationId\":\"");
        Json.uuid(sb, corrHi, corrLo);
        sb.append('"');
        created(sb);
        boolean guest = rec.user != null && rec.user.guest;
        sb.append(",\"crossTenantAccessType\":\"").append(guest ? "b2bCollaboration" : "none").append('"');
        sb.append(",\"deviceDetail\":").append(rec.device != null ? rec.device.detailJson : EMPTY_DEVICE);
        sb.append(",\"flaggedForReview\":false");
        sb.append(",\"homeTenantId\":\"").append(rec.user != null ? rec.user.homeTenantId : t.id).append('"');
        sb.append(",\"homeTenantName\":\"\"");
        sb.append(",\"id\":\"");
        Json.uuid(sb, idHi, idLo);
        sb.append('"');
        sb.append(",\"incomingTokenType\":\"").append(!rec.interactive && code == 0 && percent(25) ? "primaryRefreshToken" : "none").append('"');
        sb.append(",\"ipAddress\":\"").append(rec.ip.address).append('"');
        sb.append(",\"isInteractive\":").append(rec.interactive);
        sb.append(",\"isTenantRestricted\":false,\"isThroughGlobalSecureAccess\":false");
        sb.append(",\"location\":").append(rec.ip.locationJson);
        if (rec.multiFactor && code == 0 && rec.interactive) {
            sb.append(",\"mfaDetail\":{\"authDetail\":null,\"authMethod\":\"PhoneAppNotification\"}");
        } else if (percent(30)) {
            sb.append(",\"mfaDetail\":{}");
        }
        boolean office = false;
        for (World.Ip o : t.officeIps) office |= o == rec.ip;
        sb.append(",\"networkLocationDetails\":")
                .append(office ? "[{\"networkNames\":[\"HQ-Egress\"],\"networkType\":\"trustedNamedLocation\"}]" : "[]");
        sb.append(",\"originalRequestId\":\"");
        Json.uuid(sb, idHi, idLo);
        sb.append("\",\"originalTransferMethod\":\"none\",\"privateLinkDetails\":{}");
        sb.append(",\"processingTimeInMilliseconds\":").append(rec.interactive ? 40 + nextInt(6000) : nextInt(400));
        sb.append(",\"resourceDisplayName\":\"").append(app.resourceNames[rec.resource]).append('"');
        sb.append(",\"resourceId\":\"").append(app.resourceIds[rec.resource]).append('"');
        sb.append(",\"resourceOwnerTenantId\":\"").append(MS_SERVICES_TENANT).append('"');
        sb.append(",\"resourceTenantId\":\"").append(t.id).append('"');
        sb.append(",\"riskDetail\":\"none\",\"riskEventTypes\":[],\"riskEventTypes_v2\":[],\"riskLevelAggregated\":\"none\",\"riskLevelDuringSignIn\":\"none\",\"riskState\":\"none\"");
        sb.append(",\"servicePrincipalId\":\"\",\"sessionId\":\"");
        long sess = next();
        Json.uuid(sb, sess, corrLo ^ sess);
        sb.append("\",\"sessionLifetimePolicies\":[]");
        sb.append(",\"signInEventTypes\":[\"").append(rec.interactive ? "interactiveUser" : "nonInteractiveUser").append("\"]");
        sb.append(",\"ssoExtensionVersion\":\"\"");
        status(sb);
        sb.append(",\"tokenIssuerName\":\"").append(adfs ? "adfs." + t.domain : "").append('"');
        sb.append(",\"tokenIssuerType\":\"").append(adfs ? "ADFederationServices" : "AzureAD").append('"');
        sb.append(",\"tokenProtectionStatusDetails\":{\"signInSessionStatus\":\"unbound\",\"signInSessionStatusCode\":1002}");
        sb.append(",\"uniqueTokenIdentifier\":\"");
        Json.b64(sb, idHi, idLo, 22);
        sb.append('"');
        if (rec.userAgent != null) {
            sb.append(",\"userAgent\":");
            Json.str(sb, rec.userAgent);
        }
        if (rec.user != null) {
            sb.append(",\"userDisplayName\":");
            Json.str(sb, rec.user.displayName);
            sb.append(",\"userId\":\"").append(rec.user.userId).append('"');
        }
        if (rec.upn != null) {
            sb.append(",\"userPrincipalName\":");
            Json.str(sb, rec.upn);
        }
        sb.append(",\"userType\":\"").append(guest ? "Guest" : "Member").append("\"}");
    }

    private void principalProps(StringBuilder sb) {
        Rec rec = r;
        World.Principal p = rec.principal;
        World.Tenant t = rec.tenant;
        boolean mi = rec.category == Rec.MANAGED_IDENTITY;
        boolean newStyle = percent(60);
        sb.append('{');
        if (newStyle || mi) {
            sb.append("\"appDisplayName\":");
            Json.str(sb, p.name);
            sb.append(',');
        }
        sb.append("\"appId\":\"").append(p.appId).append('"');
        if (newStyle) sb.append(",\"appliedConditionalAccessPolicies\":[],\"authenticationDetails\":[]");
        sb.append(",\"authenticationProcessingDetails\":").append(SP_PROCESSING_DETAILS[nextInt(SP_PROCESSING_DETAILS.length)]);
        if (newStyle) sb.append(",\"authenticationProtocol\":\"none\",\"authenticationRequirement\":\"\"");
        boolean noIp = mi && percent(30);
        if (!noIp && !rec.omitAsn && rec.ip.asn != 0) sb.append(",\"autonomousSystemNumber\":").append(rec.ip.asn);
        sb.append(",\"clientCredentialType\":\"")
                .append(mi ? "managedIdentity" : (p.credentialKeyId.charAt(0) < '8' ? "clientSecret" : "certificate")).append('"');
        sb.append(",\"conditionalAccessStatus\":\"notApplied\"");
        sb.append(",\"correlationId\":\"");
        Json.uuid(sb, corrHi, corrLo);
        sb.append('"');
        created(sb);
        sb.append(",\"crossTenantAccessType\":\"none\",\"flaggedForReview\":false");
        sb.append(",\"id\":\"");
        Json.uuid(sb, idHi, idLo);
        sb.append("\",\"incomingTokenType\":\"none\"");
        sb.append(",\"ipAddress\":\"").append(noIp ? "" : rec.ip.address).append('"');
        sb.append(",\"isInteractive\":false,\"isTenantRestricted\":false");
        sb.append(",\"location\":").append(noIp ? "{\"city\":\"\",\"countryOrRegion\":\"\",\"geoCoordinates\":{},\"state\":\"\"}" : rec.ip.locationJson);
        if (mi) {
            sb.append(",\"managedServiceIdentity\":{\"associatedResourceId\":");
            Json.str(sb, p.associatedResourceId);
            sb.append(",\"federatedTokenId\":null,\"federatedTokenIssuer\":null,\"msiType\":\"").append(p.msiType).append("\"}");
        }
        sb.append(",\"privateLinkDetails\":{},\"processingTimeInMilliseconds\":").append(nextInt(120));
        sb.append(",\"resourceDisplayName\":\"").append(p.resourceName).append('"');
        sb.append(",\"resourceId\":\"").append(p.resourceId).append('"');
        sb.append(",\"resourceTenantId\":\"").append(t.id).append('"');
        sb.append(",\"riskDetail\":\"none\",\"riskLevelAggregated\":\"").append(mi ? "none" : "low")
                .append("\",\"riskLevelDuringSignIn\":\"").append(mi ? "none" : "low").append("\",\"riskState\":\"none\"");
        if (!mi) {
            sb.append(",\"servicePrincipalCredentialKeyId\":\"").append(p.credentialKeyId).append('"');
            sb.append(",\"servicePrincipalCredentialThumbprint\":\"\"");
        }
        sb.append(",\"servicePrincipalId\":\"").append(p.spId).append('"');
        sb.append(",\"servicePrincipalName\":");
        Json.str(sb, p.name);
        if (newStyle) {
            sb.append(",\"signInEventTypes\":[\"").append(mi ? "managedIdentity" : "servicePrincipal").append("\"]");
        }
        status(sb);
        sb.append(",\"tokenIssuerType\":\"AzureAD\",\"uniqueTokenIdentifier\":\"");
        Json.b64(sb, idHi, idLo, 22);
        sb.append('"');
        // The real quirks: userId null, or "" with an empty UPN, or absent.
        switch (nextInt(3)) {
            case 0 -> sb.append(",\"userId\":null");
            case 1 -> sb.append(",\"userAgent\":\"\",\"userDisplayName\":\"\",\"userId\":\"\",\"userPrincipalName\":\"\"");
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

    private void auditProps(StringBuilder sb) {
        Rec rec = r;
        String[] a = auditActivity();
        World.User u = rec.user;
        sb.append("{\"activityDateTime\":\"");
        Json.isoTicks(sb, rec.eventTicks, "+00:00");
        sb.append("\",\"activityDisplayName\":");
        Json.str(sb, a[0]);
        sb.append(",\"additionalDetails\":[{\"key\":\"UserType\",\"value\":\"Member\"},{\"key\":\"User-Agent\",\"value\":");
        Json.str(sb, u.devices[0].userAgent == null ? "" : u.devices[0].userAgent);
        sb.append("}],\"category\":\"").append(a[1]).append("\",\"correlationId\":\"");
        Json.uuid(sb, corrHi, corrLo);
        sb.append("\",\"id\":\"Directory_");
        Json.uuid(sb, idHi, idLo);
        sb.append("\",\"initiatedBy\":{\"user\":{\"displayName\":null,\"id\":\"").append(u.userId)
                .append("\",\"ipAddress\":\"").append(rec.ip.address).append("\",\"roles\":[],\"userPrincipalName\":");
        Json.str(sb, u.upnStored);
        sb.append("}},\"loggedByService\":\"").append(a[3]).append("\",\"operationType\":\"").append(a[2])
                .append("\",\"result\":\"success\",\"resultReason\":\"\",\"targetResources\":[{\"administrativeUnits\":[],\"displayName\":null,\"id\":\"")
                .append(u.userId).append("\",\"modifiedProperties\":[{\"displayName\":\"StrongAuthenticationMethod\",\"newValue\":\"[{\\\"MethodType\\\":6,\\\"Default\\\":true},{\\\"MethodType\\\":7,\\\"Default\\\":false}]\",\"oldValue\":\"[]\"},{\"displayName\":\"Included Updated Properties\",\"newValue\":\"\\\"StrongAuthenticationMethod\\\"\",\"oldValue\":null}],\"type\":\"User\",\"userPrincipalName\":");
        Json.str(sb, u.upnStored);
        sb.append("}]}");
    }

    private void provisioningProps(StringBuilder sb) {
        Rec rec = r;
        World.User u = rec.user;
        sb.append("{\"action\":\"Update\",\"activityDateTime\":\"");
        Json.isoTicks(sb, rec.eventTicks, "+00:00");
        sb.append("\",\"changeId\":\"");
        Json.uuid(sb, idHi, idLo);
        sb.append("\",\"cycleId\":\"");
        Json.uuid(sb, corrHi, corrLo);
        sb.append("\",\"durationInMilliseconds\":").append(100 + nextInt(3000));
        sb.append(",\"id\":\"");
        Json.uuid(sb, idLo, idHi);
        sb.append("\",\"initiatedBy\":{\"displayName\":\"Azure AD Provisioning Service\",\"id\":\"\",\"initiatorType\":\"system\"}")
                .append(",\"jobId\":\"ServiceNowOutDelta.").append(rec.tenant.id.replace("-", "").substring(0, 16)).append('"')
                .append(",\"provisioningAction\":\"update\",\"provisioningStatusInfo\":{\"errorInformation\":null,\"status\":\"success\"}")
                .append(",\"provisioningSteps\":[{\"description\":\"Received User '").append(u.userId)
                .append("' change of type (Update) from Azure Active Directory\",\"name\":\"EntryImport\",\"provisioningStepType\":\"import\",\"status\":\"success\"}]")
                .append(",\"servicePrincipal\":{\"displayName\":\"ServiceNow\",\"id\":\"").append(rec.tenant.sps[0].spId)
                .append("\"},\"sourceIdentity\":{\"details\":{},\"displayName\":");
        Json.str(sb, u.displayName);
        sb.append(",\"id\":\"").append(u.userId).append("\",\"identityType\":\"User\"},\"sourceSystem\":{\"displayName\":\"Azure Active Directory\",\"id\":\"\"}")
                .append(",\"targetIdentity\":{\"details\":{},\"displayName\":");
        Json.str(sb, u.upnStored);
        sb.append(",\"id\":\"").append(Long.toHexString(idLo)).append("\",\"identityType\":\"sys_user\"},\"targetSystem\":{\"displayName\":\"ServiceNow\",\"id\":\"\"}}");
    }
}
