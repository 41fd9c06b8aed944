package io.entrawatch.detect;

import java.io.Serializable;
import java.util.List;

/**
 * What an analyst reads about a detection, carried in every alert it raises (elastic/detection-rules
 * style): identity, MITRE ATT&CK mapping, severity, where the logic comes from, and how to investigate.
 */
public final class RuleMetadata implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A MITRE ATT&CK technique or sub-technique. */
    public static final class Technique implements Serializable {
        private static final long serialVersionUID = 1L;
        public final String id;
        public final String name;
        public final String reference;

        public Technique(String id, String name) {
            this.id = id;
            this.name = name;
            this.reference = "https://attack.mitre.org/techniques/" + id.replace('.', '/') + "/";
        }
    }

    public final String id;
    public final String name;
    /** Short machine name used in metrics, logs and dead letters, e.g. {@code password-spray}. */
    public final String shortName;
    public final String version;
    public final String description;
    /** low, medium, high or critical. */
    public final String severity;
    /** 0-100, as Elastic security rules score risk. */
    public final int riskScore;
    public final List<Technique> techniques;
    public final List<String> tactics;
    public final List<String> references;
    public final List<String> falsePositives;
    public final String investigationGuide;

    public RuleMetadata(String id, String name, String shortName, String version, String description, String severity,
            int riskScore, List<Technique> techniques, List<String> tactics, List<String> references,
            List<String> falsePositives, String investigationGuide) {
        this.id = id;
        this.name = name;
        this.shortName = shortName;
        this.version = version;
        this.description = description;
        this.severity = severity;
        this.riskScore = riskScore;
        this.techniques = List.copyOf(techniques);
        this.tactics = List.copyOf(tactics);
        this.references = List.copyOf(references);
        this.falsePositives = List.copyOf(falsePositives);
        this.investigationGuide = investigationGuide;
    }
}
