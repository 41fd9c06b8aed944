package io.entrawatch.generate;

import java.util.HashMap;
import java.util.Map;

/** Entra ID error codes the generator uses, with their failure reasons as Entra writes them. */
final class ErrorCatalog {
    /** docs/detections.md FAILURE_CODES. */
    static final int[] FAILURE_CODES = {50053, 50126, 50055, 50056, 50064, 50144};

    private static final Map<Integer, String> REASONS = new HashMap<>();
    private static final Map<Integer, byte[]> QUOTED = new HashMap<>();

    static {
        put(50126, "Error validating credentials due to invalid username or password.");
        put(50053, "The account is locked, you've tried to sign in too many times with an incorrect user ID or password.");
        put(50055, "The password is expired.");
        put(50056, "Invalid or null password: password does not exist in the directory for this user.");
        put(50064, "Credential validation on username or password has failed.");
        put(50144, "User's Active Directory password has expired.");
        put(50140, "This error occurred due to 'Keep me signed in' interrupt when the user was signing-in.");
        put(50074, "Strong Authentication is required.");
        put(50076, "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.");
        put(500121, "Authentication failed during strong authentication request.");
        put(50072, "Users needs to enroll for second factor authentication (interactive).");
        put(50089, "Flow token expired - Authentication Failed.");
        put(50097, "Device authentication is required.");
        put(53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.");
        put(530003, "Your device is required to be managed to access this resource.");
        put(70043, "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access. The token was issued on {issueDate} and the maximum allowed lifetime for this request is {time}.");
        put(700082, "The refresh token has expired due to inactivity. The token was issued on {issueDate} and was inactive for {time}.");
        put(50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.");
        put(65001, "The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.");
        put(81010, "Seamless SSO failed because the user's Kerberos ticket has expired or is invalid.");
        put(81012, "The user trying to sign in to Azure AD is different from the user signed into the device.");
        put(81016, "Invalid STS request.");
        put(7000215, "Invalid client secret is provided.");
        put(7000222, "The provided client secret keys are expired.");
        put(700016, "Application with identifier was not found in the directory.");
        put(500011, "The resource principal named {name} was not found in the tenant.");
        put(50034, "The user account does not exist in the directory.");
    }

    private static final byte[] QUOTED_OTHER = Json.quoteBytes("Other.");

    private ErrorCatalog() {}

    private static void put(int code, String reason) {
        REASONS.put(code, reason);
        QUOTED.put(code, Json.quoteBytes(reason));
    }

    static String reason(int code) {
        String r = REASONS.get(code);
        return r != null ? r : "Other.";
    }

    /** The reason as a JSON string literal. */
    static byte[] quotedReason(int code) {
        byte[] q = QUOTED.get(code);
        return q != null ? q : QUOTED_OTHER;
    }

    static boolean isFailureCode(int code) {
        for (int c : FAILURE_CODES) if (c == code) return true;
        return false;
    }
}
