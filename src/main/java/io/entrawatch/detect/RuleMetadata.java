package io.entrawatch.detect;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What an analyst reads about a detection, carried in every alert it raises (elastic/detection-rules
 * style): identity, MITRE ATT&CK mapping, severity, where the logic comes from, and how to investigate.
 * Built with {@link #builder()}; {@link Builder#build()} rejects an incomplete or inconsistent rule, so a
 * rule that would show an analyst an empty guide or a malformed technique id never reaches a job.
 */
public final class RuleMetadata implements Serializable {
    private static final long serialVersionUID = 3L;

    /** Severity -> risk score, as Elastic Security's prebuilt rules pair them. */
    public static final Map<String, Integer> RISK_SCORES = Map.of("low", 21, "medium", 47, "high", 73, "critical", 99);

    private static final Pattern TECHNIQUE_ID = Pattern.compile("T\\d{4}(\\.\\d{3})?");

    /** The MITRE ATT&CK Enterprise tactics: name -> id (https://attack.mitre.org/tactics/enterprise/). */
    public static final Map<String, String> MITRE_TACTICS = Map.ofEntries(
            Map.entry("Reconnaissance", "TA0043"), Map.entry("Resource Development", "TA0042"),
            Map.entry("Initial Access", "TA0001"), Map.entry("Execution", "TA0002"),
            Map.entry("Persistence", "TA0003"), Map.entry("Privilege Escalation", "TA0004"),
            Map.entry("Defense Evasion", "TA0005"), Map.entry("Credential Access", "TA0006"),
            Map.entry("Discovery", "TA0007"), Map.entry("Lateral Movement", "TA0008"),
            Map.entry("Collection", "TA0009"), Map.entry("Command and Control", "TA0011"),
            Map.entry("Exfiltration", "TA0010"), Map.entry("Impact", "TA0040"));
    private static final Pattern SHORT_NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

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

    /** A MITRE ATT&CK tactic: id ({@code TA0006}), name ({@code Credential Access}) and its page. */
    public static final class Tactic implements Serializable {
        private static final long serialVersionUID = 1L;
        public final String id;
        public final String name;
        public final String reference;

        public Tactic(String id, String name) {
            this.id = id;
            this.name = name;
            this.reference = "https://attack.mitre.org/tactics/" + id + "/";
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
    /** 0-100, as Elastic security rules score risk: {@link #RISK_SCORES} of the severity. */
    public final int riskScore;
    public final List<Technique> techniques;
    public final List<Tactic> tactics;
    public final List<String> references;
    public final List<String> falsePositives;
    public final String investigationGuide;

    private RuleMetadata(Builder b) {
        this.id = b.id;
        this.name = b.name;
        this.shortName = b.shortName;
        this.version = b.version;
        this.description = b.description;
        this.severity = b.severity;
        this.riskScore = RISK_SCORES.getOrDefault(b.severity, -1);
        this.techniques = List.copyOf(b.techniques);
        this.tactics = List.copyOf(b.tactics);
        this.references = List.copyOf(b.references);
        this.falsePositives = List.copyOf(b.falsePositives);
        this.investigationGuide = b.investigationGuide;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Named fields instead of a positional constructor; {@link #build()} validates the whole rule. */
    public static final class Builder {
        private String id, name, shortName, version, description, severity, investigationGuide;
        private final List<Technique> techniques = new ArrayList<>();
        private final List<Tactic> tactics = new ArrayList<>();
        private final List<String> references = new ArrayList<>();
        private final List<String> falsePositives = new ArrayList<>();

        private Builder() {}

        /** The rule's UUID: stable across versions, it keys the alerts' {@code _id}s. */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder shortName(String shortName) {
            this.shortName = shortName;
            return this;
        }

        public Builder version(String version) {
            this.version = version;
            return this;
        }

        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /** low, medium, high or critical; the risk score follows from it. */
        public Builder severity(String severity) {
            this.severity = severity;
            return this;
        }

        public Builder technique(String techniqueId, String techniqueName) {
            techniques.add(new Technique(techniqueId, techniqueName));
            return this;
        }

        /** A MITRE ATT&CK tactic by id and name, e.g. {@code tactic("TA0006", "Credential Access")}. */
        public Builder tactic(String tacticId, String tacticName) {
            tactics.add(new Tactic(tacticId, tacticName));
            return this;
        }

        public Builder references(String... urls) {
            references.addAll(List.of(urls));
            return this;
        }

        public Builder falsePositives(String... notes) {
            falsePositives.addAll(List.of(notes));
            return this;
        }

        public Builder investigationGuide(String guide) {
            this.investigationGuide = guide;
            return this;
        }

        public RuleMetadata build() {
            List<String> problems = new ArrayList<>();
            try {
                if (id == null || !UUID.fromString(id).toString().equals(id)) problems.add("id must be a lower-case UUID");
            } catch (IllegalArgumentException e) {
                problems.add("id must be a lower-case UUID, got '" + id + "'");
            }
            for (var field : Map.of("name", Objects.toString(name, ""), "version", Objects.toString(version, ""),
                    "description", Objects.toString(description, ""),
                    "investigation guide", Objects.toString(investigationGuide, "")).entrySet()) {
                if (field.getValue().isBlank()) problems.add(field.getKey() + " is missing");
            }
            if (shortName == null || !SHORT_NAME.matcher(shortName).matches())
                problems.add("short name must be lower-case words joined by '-', got '" + shortName + "'");
            if (!RISK_SCORES.containsKey(severity)) problems.add("severity must be one of " + RISK_SCORES.keySet() + ", got '" + severity + "'");
            if (techniques.isEmpty()) problems.add("at least one MITRE ATT&CK technique");
            for (Technique t : techniques) {
                if (!TECHNIQUE_ID.matcher(t.id).matches()) problems.add("technique id '" + t.id + "' is not Tnnnn or Tnnnn.nnn");
                if (t.name == null || t.name.isBlank()) problems.add("technique " + t.id + " has no name");
            }
            if (tactics.isEmpty()) problems.add("at least one MITRE ATT&CK tactic");
            for (Tactic t : tactics) {
                String expected = MITRE_TACTICS.get(t.name);
                if (expected == null) problems.add("tactic '" + t.name + "' is not a MITRE ATT&CK Enterprise tactic");
                else if (!expected.equals(t.id)) problems.add("tactic " + t.name + " is " + expected + ", not '" + t.id + "'");
            }
            if (references.isEmpty()) problems.add("at least one reference");
            for (String r : references) if (!r.startsWith("https://")) problems.add("reference '" + r + "' is not an https URL");
            if (falsePositives.isEmpty()) problems.add("at least one false-positive note");
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("rule " + (name != null ? "'" + name + "'" : id) + ": " + String.join("; ", problems));
            }
            return new RuleMetadata(this);
        }
    }
}
