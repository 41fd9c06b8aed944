package io.entrawatch.enrich;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Autonomous system number to AS organisation, as GeoIP would enrich it. Built in: 8075 (Microsoft).
 * More come from a CSV file of {@code asn,organization} lines ({@code --asn.organizations-file}).
 */
public final class AsnOrganizations implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String MICROSOFT = "MICROSOFT-CORP-MSN-AS-BLOCK";

    private final Map<Long, String> byAsn;

    private AsnOrganizations(Map<Long, String> byAsn) {
        this.byAsn = byAsn;
    }

    public static AsnOrganizations builtIn() {
        Map<Long, String> m = new HashMap<>();
        m.put(8075L, MICROSOFT);
        return new AsnOrganizations(m);
    }

    /** The built-in table plus the lines of {@code csv} (when non-null). */
    public static AsnOrganizations load(String csv) {
        AsnOrganizations table = builtIn();
        if (csv == null) return table;
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of(csv), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --asn.organizations-file " + csv + ": " + e.getMessage(), e);
        }
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int comma = line.indexOf(',');
            try {
                if (comma < 0) throw new NumberFormatException();
                String asn = line.substring(0, comma).strip();
                if (asn.regionMatches(true, 0, "AS", 0, 2)) asn = asn.substring(2);
                table.byAsn.put(Long.parseLong(asn), line.substring(comma + 1).strip());
            } catch (NumberFormatException e) {
                if (n == 1) continue; // header line
                throw new IllegalArgumentException(csv + ":" + n + ": expected 'asn,organization', got '" + line + "'");
            }
        }
        return table;
    }

    /** The organisation of {@code asn}; null when the number is null or unknown. */
    public String organizationOf(Long asn) {
        return asn == null ? null : byAsn.get(asn);
    }
}
