package io.entrawatch.config;

import java.util.List;

/** What every detection shares: the AS-organisation table and the common filters (docs/detections.md section 1). */
public final class DetectionOptions {
    private DetectionOptions() {}

    public static final Option<String> ASN_ORGANIZATIONS_FILE = Option.string("asn.organizations-file", null,
            "CSV of 'asn,organization' lines added to the built-in table (8075 = MICROSOFT-CORP-MSN-AS-BLOCK).");
    public static final Option<List<String>> EXCLUDED_AS_ORGS = Option.list("detection.excluded-as-orgs",
            "MICROSOFT-CORP-MSN-AS-BLOCK", "AS organisations whose sign-ins no detection counts, comma-separated.");
    public static final Option<List<Integer>> FAILURE_CODES = Option.intList("detection.failure-codes",
            "50053,50126,50055,50056,50064,50144", "Error codes counted as password failures, comma-separated.");

    /** This group's options, in documentation order. */
    public static final List<Option<?>> ALL = List.of(ASN_ORGANIZATIONS_FILE, EXCLUDED_AS_ORGS, FAILURE_CODES);
}
