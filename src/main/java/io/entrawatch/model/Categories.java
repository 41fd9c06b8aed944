package io.entrawatch.model;

import java.util.Map;

/** The sign-in categories of docs/detections.md section 1 and their Log Analytics table names. */
public final class Categories {
    public static final String SIGN_IN_LOGS = "SignInLogs";
    public static final String NON_INTERACTIVE = "NonInteractiveUserSignInLogs";
    public static final String SERVICE_PRINCIPAL = "ServicePrincipalSignInLogs";
    public static final String MANAGED_IDENTITY = "ManagedIdentitySignInLogs";

    private static final Map<String, String> TABLES = Map.of(
            SIGN_IN_LOGS, "SigninLogs",
            NON_INTERACTIVE, "AADNonInteractiveUserSignInLogs",
            SERVICE_PRINCIPAL, "AADServicePrincipalSignInLogs",
            MANAGED_IDENTITY, "AADManagedIdentitySignInLogs");

    private Categories() {}

    /** True for the four sign-in categories; everything else on the hub is skipped (and counted). */
    public static boolean isSignIn(String category) {
        return category != null && TABLES.containsKey(category);
    }

    public static String tableOf(String category) {
        return TABLES.get(category);
    }
}
