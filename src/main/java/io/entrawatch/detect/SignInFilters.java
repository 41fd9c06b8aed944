package io.entrawatch.detect;

import io.entrawatch.config.DetectionOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.model.SignIn;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The filter constants the detections share (docs/detections.md section 1): failure codes and excluded AS organisations. */
public final class SignInFilters implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final List<Integer> DEFAULT_FAILURE_CODES = List.of(50053, 50126, 50055, 50056, 50064, 50144);
    public static final List<String> DEFAULT_EXCLUDED_AS_ORGS = List.of("MICROSOFT-CORP-MSN-AS-BLOCK");

    private final Set<Integer> failureCodes;
    private final Set<String> excludedAsOrgs;

    public SignInFilters(List<Integer> failureCodes, List<String> excludedAsOrgs) {
        this.failureCodes = new HashSet<>(failureCodes);
        this.excludedAsOrgs = new HashSet<>(excludedAsOrgs);
    }

    /** --detection.failure-codes and --detection.excluded-as-orgs. */
    public static SignInFilters fromOptions(JobOptions options) {
        return new SignInFilters(options.get(DetectionOptions.FAILURE_CODES), options.get(DetectionOptions.EXCLUDED_AS_ORGS));
    }

    public static SignInFilters defaults() {
        return new SignInFilters(DEFAULT_FAILURE_CODES, DEFAULT_EXCLUDED_AS_ORGS);
    }

    /** outcome != success AND errorCode in FAILURE_CODES. */
    public boolean isCountedFailure(SignIn s) {
        return !s.success && s.errorCode != null && failureCodes.contains(s.errorCode);
    }

    /** asOrganization not in EXCLUDED_AS_ORGS; an unknown organisation is kept (section 7). */
    public boolean isFromCountedNetwork(SignIn s) {
        return s.asOrganization == null || !excludedAsOrgs.contains(s.asOrganization);
    }
}
