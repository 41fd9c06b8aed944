package io.entrawatch.model;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

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

    /** The four sign-in categories, in the order of docs/detections.md section 1. */
    public static final List<String> SIGN_IN_CATEGORIES = List.of(SIGN_IN_LOGS, NON_INTERACTIVE, SERVICE_PRINCIPAL, MANAGED_IDENTITY);

    /**
     * The Event Hub Azure writes a category to when the diagnostic setting names no Event Hub:
     * {@code insights-logs-} and the category in lower case ({@code insights-logs-noninteractiveusersigninlogs}).
     */
    public static String azureEventHubOf(String category) {
        return "insights-logs-" + category.toLowerCase(Locale.ROOT);
    }

    /** The sign-in category whose Azure-named Event Hub {@code topic} is, if it is one. */
    public static Optional<String> categoryOfAzureEventHub(String topic) {
        return SIGN_IN_CATEGORIES.stream().filter(c -> azureEventHubOf(c).equals(topic)).findFirst();
    }
}
