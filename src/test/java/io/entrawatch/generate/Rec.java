package io.entrawatch.generate;

/**
 * One record to be delivered: what it says (category, tenant, user, app, IP, result, times) and how
 * it is delivered (arrival instant, sequence). Its JSON is rendered only when it is put into a
 * message, from these fields and {@link #renderSeed}; rendering is deterministic, so a duplicate
 * re-delivery renders byte-identical text.
 */
final class Rec {
    static final byte SIGN_IN = 0;
    static final byte NON_INTERACTIVE = 1;
    static final byte SERVICE_PRINCIPAL = 2;
    static final byte MANAGED_IDENTITY = 3;
    static final byte AUDIT = 4;
    static final byte ADFS = 5;
    static final byte MS_SERVICE_PRINCIPAL = 6;
    static final byte PROVISIONING = 7;

    static final String[] CATEGORY_NAMES = {
        "SignInLogs", "NonInteractiveUserSignInLogs", "ServicePrincipalSignInLogs", "ManagedIdentitySignInLogs",
        "AuditLogs", "ADFSSignInLogs", "MicrosoftServicePrincipalSignInLogs", "ProvisioningLogs",
    };
    /** Log Analytics table names of the four sign-in categories. */
    static final String[] TABLE_NAMES = {
        "SigninLogs", "AADNonInteractiveUserSignInLogs", "AADServicePrincipalSignInLogs", "AADManagedIdentitySignInLogs",
    };

    byte category;
    World.Tenant tenant;
    World.User user;
    World.Principal principal;
    /** The UPN exactly as this record writes it (null: the record names no user). */
    String upn;
    World.App app;
    /** Index into the app's resources. */
    int resource;
    World.Ip ip;
    /** Omit properties.autonomousSystemNumber (the job must treat the AS organisation as unknown). */
    boolean omitAsn;
    int errorCode;
    boolean interactive;
    boolean multiFactor;
    /** Null: the record has no userAgent. */
    String userAgent;
    World.Device device;
    /** properties.createdDateTime, 100-ns ticks since the epoch. */
    long eventTicks;
    /** {@code time}: Azure's processing time, ticks. */
    long timeTicks;
    /** When the record reaches the hub (orders delivery), ticks. */
    long arrivalTicks;
    long seq;
    long renderSeed;
    /** Planted by an attack: cosmetic quirks only, nothing that could change how the job reads it. */
    boolean planted;
    /** Which plant (index into the ground truth) or -1. */
    int plantIndex = -1;
    String clientAppUsed;
    /** Delivered out of order (arrival later than event time). */
    boolean delayed;
    /** Duplicate re-delivery of an earlier record. */
    boolean duplicate;
    /** Message number the original went into (for duplicates). */
    long firstMessage = -1;

    Rec copyAsDuplicate() {
        Rec d = new Rec();
        d.category = category;
        d.tenant = tenant;
        d.user = user;
        d.principal = principal;
        d.upn = upn;
        d.app = app;
        d.resource = resource;
        d.ip = ip;
        d.omitAsn = omitAsn;
        d.errorCode = errorCode;
        d.interactive = interactive;
        d.multiFactor = multiFactor;
        d.userAgent = userAgent;
        d.device = device;
        d.eventTicks = eventTicks;
        d.timeTicks = timeTicks;
        d.renderSeed = renderSeed;
        d.planted = planted;
        d.plantIndex = plantIndex;
        d.clientAppUsed = clientAppUsed;
        d.duplicate = true;
        return d;
    }

    /** A fresh, undelivered copy (same content, same render seed). */
    Rec copy() {
        Rec c = copyAsDuplicate();
        c.duplicate = false;
        c.seq = seq;
        return c;
    }

    String categoryName() {
        return CATEGORY_NAMES[category];
    }

    boolean isSignIn() {
        return category <= MANAGED_IDENTITY;
    }
}
