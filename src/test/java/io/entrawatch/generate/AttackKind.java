package io.entrawatch.generate;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The attacks (and deliberate near misses) the generator can plant. Each belongs to one detection of
 * docs/detections.md ({@code A}, {@code B}, {@code C} or {@code D}) and either must raise that detection's alert
 * ({@link #alertExpected()}) or must not.
 */
public enum AttackKind {
    /** A: >= 30 distinct users (some also seen with mixed-case UPNs) in one aligned 10-minute window. */
    SPRAY("spray", 'A', true),
    /** A near miss: exactly 29 distinct users; several also appear with other-case UPNs. */
    SPRAY_29("spray-29", 'A', false),
    /** A near miss: a spray split across a 10-minute boundary so that neither window reaches 30 users. */
    SPRAY_SPLIT("spray-split", 'A', false),
    /** A near miss: a spray from Microsoft's ASN 8075 only (excluded AS organisation). */
    SPRAY_MICROSOFT_ASN("spray-ms-asn", 'A', false),
    /** A: a spray whose records carry no autonomousSystemNumber (unknown organisation is kept). */
    SPRAY_NO_ASN("spray-no-asn", 'A', true),
    /** B: a user failing 1-3 times on an appId nobody used before. */
    RARE_APP("rare-app", 'B', true),
    /** B near miss: a user failing 4 times in one hour on a new appId. */
    RARE_APP_4("rare-app-4", 'B', false),
    /** C: 81016 failures for more than 5 accounts from a few IPs, the IPs also in SignInLogs. */
    SSO_SPRAY("sso-spray", 'C', true),
    /** C near miss: 81016 failures for exactly 5 accounts (some with mixed-case UPNs). */
    SSO_SPRAY_5("sso-spray-5", 'C', false),
    /**
     * D: a spray from one address in which one password works: an MFA-blocked valid password in the
     * spray's own window and a full success hours later, from the same address.
     */
    VALID_CREDS("valid-creds", 'D', true),
    /** D near miss: only 4 users fail from the address; its valid passwords are no hits. */
    VALID_CREDS_4("valid-creds-4", 'D', false),
    /** D near miss: 5 users fail and 5 others sign in from the address in the same window (failed == valid). */
    VALID_CREDS_EQUAL("valid-creds-equal", 'D', false),
    /** D near miss: a spray source whose only valid password comes exactly at w.end + 24 h, 1 ms after its reach. */
    VALID_CREDS_REACH("valid-creds-reach", 'D', false);

    private final String cliName;
    private final char detection;
    private final boolean alertExpected;

    AttackKind(String cliName, char detection, boolean alertExpected) {
        this.cliName = cliName;
        this.detection = detection;
        this.alertExpected = alertExpected;
    }

    /** The name used on the command line and in the ground truth. */
    public String cliName() {
        return cliName;
    }

    /** {@code 'A'}, {@code 'B'}, {@code 'C'} or {@code 'D'}. */
    public char detection() {
        return detection;
    }

    /** True when the plant must raise its own detection's alert; false for a near miss. */
    public boolean alertExpected() {
        return alertExpected;
    }

    public static AttackKind fromCliName(String name) {
        for (AttackKind k : values()) {
            if (k.cliName.equalsIgnoreCase(name) || k.name().equalsIgnoreCase(name)) return k;
        }
        throw new IllegalArgumentException("unknown attack '" + name + "'; known: all, none, a, b, c, d, "
                + String.join(", ", java.util.Arrays.stream(values()).map(AttackKind::cliName).toList()));
    }

    /**
     * Parses {@code all}, {@code none}, or a comma-separated list of names; {@code a}, {@code b},
     * {@code c} and {@code d} stand for every kind of that detection.
     */
    public static Set<AttackKind> parseList(String spec) {
        EnumSet<AttackKind> out = EnumSet.noneOf(AttackKind.class);
        if (spec == null || spec.isBlank()) return out;
        for (String raw : spec.split(",")) {
            String s = raw.trim().toLowerCase(Locale.ROOT);
            if (s.isEmpty() || s.equals("none")) continue;
            if (s.equals("all")) {
                out.addAll(EnumSet.allOf(AttackKind.class));
            } else if (s.length() == 1 && s.charAt(0) >= 'a' && s.charAt(0) <= 'd') {
                char d = Character.toUpperCase(s.charAt(0));
                for (AttackKind k : values()) if (k.detection == d) out.add(k);
            } else {
                out.add(fromCliName(s));
            }
        }
        return out;
    }
}
