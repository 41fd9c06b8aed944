package io.entrawatch.pipeline;

import io.entrawatch.SignInFixtures;
import io.entrawatch.config.JobOptions;
import io.entrawatch.detect.Detection;
import io.entrawatch.detect.DetectionFactory;
import io.entrawatch.detect.RuleMetadata;
import io.entrawatch.generate.GeneratorConfig;
import io.entrawatch.generate.TrafficGenerator;
import io.entrawatch.ingest.SignInParser;
import io.entrawatch.model.SignIn;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every rule of the catalogue, checked the way published rule collections check theirs: identity
 * unique, MITRE ids well formed, severity and risk score consistent, an analyst's guide present, and
 * each detection switched by its own option. (That every field an alert carries is mapped by the
 * index template is checked on real alerts of every rule by GeneratedTrafficITCase.)
 */
class DetectionCatalogueTest {
    private static final Pattern TECHNIQUE = Pattern.compile("T\\d{4}(\\.\\d{3})?");
    private static final Pattern TACTIC = Pattern.compile("TA\\d{4}");

    @Test
    void everyRuleShouldCarryCompleteConsistentMetadata() {
        Set<String> ids = new HashSet<>(), names = new HashSet<>(), shortNames = new HashSet<>();
        for (DetectionFactory<?> factory : DetectionPipeline.CATALOGUE) {
            RuleMetadata r = factory.rule();
            String who = "rule " + r.name;
            assertTrue(ids.add(r.id), who + ": id not unique");
            assertTrue(names.add(r.name), who + ": name not unique");
            assertTrue(shortNames.add(r.shortName), who + ": short name not unique");
            assertEquals(RuleMetadata.RISK_SCORES.get(r.severity), r.riskScore, who + ": risk score of severity " + r.severity);
            assertFalse(r.techniques.isEmpty(), who + ": techniques");
            for (RuleMetadata.Technique t : r.techniques) {
                assertTrue(TECHNIQUE.matcher(t.id).matches(), who + ": technique id " + t.id);
                assertEquals("https://attack.mitre.org/techniques/" + t.id.replace('.', '/') + "/", t.reference, who);
                assertFalse(t.name.isBlank(), who + ": technique name of " + t.id);
            }
            assertFalse(r.tactics.isEmpty(), who + ": tactics");
            for (RuleMetadata.Tactic t : r.tactics) {
                assertEquals(RuleMetadata.MITRE_TACTICS.get(t.name), t.id, who + ": MITRE tactic " + t.name);
                assertTrue(TACTIC.matcher(t.id).matches(), who + ": tactic id " + t.id);
                assertEquals("https://attack.mitre.org/tactics/" + t.id + "/", t.reference, who);
            }
            assertFalse(r.references.isEmpty(), who + ": references");
            r.references.forEach(u -> assertTrue(u.startsWith("https://"), who + ": reference " + u));
            assertFalse(r.falsePositives.isEmpty(), who + ": false positives");
            assertTrue(r.investigationGuide.length() > 80, who + ": an investigation guide an analyst can act on");
            assertTrue(r.description.length() > 40, who + ": description");
            assertFalse(r.version.isBlank(), who + ": version");
        }
        assertEquals(DetectionPipeline.CATALOGUE.size(), ids.size());
    }

    @Test
    void eachDetectionShouldBeSwitchedByItsOwnOptionAndCarryItsRule() {
        JobOptions all = JobOptions.defaults();
        List<Detection> on = DetectionPipeline.detections(all);
        assertEquals(DetectionPipeline.CATALOGUE.size(), on.size(), "every detection is on by default");
        for (DetectionFactory<?> factory : DetectionPipeline.CATALOGUE) {
            assertEquals(factory.rule(), factory.create(all).metadata(), "the detection raises its factory's rule");
            List<Detection> without = DetectionPipeline.detections(all.with(factory.enabledOption(), "false"));
            assertEquals(on.size() - 1, without.size());
            assertTrue(without.stream().noneMatch(d -> d.metadata() == factory.rule()), factory.enabledOption() + " false");
        }
    }

    /**
     * {@link Detection#categories} is what each detection's filter actually reads: over a generated half day
     * with every attack planted and the sign-in fixtures, every sign-in a detection keeps that has a user
     * is of one of its categories, and each of its categories gives it sign-ins. (The silence warning and
     * the start-up check's topic-list warning are built on these categories.)
     */
    @Test
    void eachDetectionReadsExactlyTheCategoriesItDeclares() {
        JobOptions options = JobOptions.defaults();
        SignInParser parser = DetectionPipeline.parser(options);
        List<SignIn> signIns = new ArrayList<>();
        TrafficGenerator generator = new TrafficGenerator(GeneratorConfig.builder().seed(7)
                .start(java.time.Instant.parse("2025-11-14T00:00:00Z")).duration(java.time.Duration.ofHours(12))
                .tenants(3).usersPerTenant(200).ratePerSecond(1.0).build());
        long offset = 0;
        for (java.util.Iterator<byte[]> it = generator.messageBytes(); it.hasNext(); ) {
            signIns.addAll(parser.parse(it.next(), "hub", 0, offset++, 0).signIns);
        }
        for (java.nio.file.Path file : SignInFixtures.files()) {
            for (String line : SignInFixtures.records(file.getFileName().toString())) {
                signIns.addAll(parser.parse(line.getBytes(java.nio.charset.StandardCharsets.UTF_8), "hub", 0, offset++, 0).signIns);
            }
        }
        for (Detection d : DetectionPipeline.detections(options)) {
            Set<String> seen = new HashSet<>();
            for (SignIn s : signIns) {
                if (!d.keeps(s) || s.userPrincipalName == null || s.userPrincipalName.isEmpty()) continue;
                assertTrue(d.categories().contains(s.category), d.metadata().shortName + " keeps a " + s.category + " sign-in");
                seen.add(s.category);
            }
            assertEquals(new HashSet<>(d.categories()), seen, d.metadata().shortName + ": every category it declares gives it sign-ins");
        }
    }

    @Test
    void aRuleWithMalformedMetadataShouldNotBuild() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RuleMetadata.builder()
                .id("not-a-uuid").name("Broken").shortName("Broken Rule").version("1").description("d")
                .severity("severe").technique("T11", "Brute Force").tactic("TA0001", "Credential Access")
                .tactic("TA0099", "Password Guessing")
                .references("http://example.com").investigationGuide(" ").build());
        for (String problem : List.of("UUID", "short name", "severity", "T11", "Credential Access is TA0006",
                "'Password Guessing' is not a MITRE ATT&CK Enterprise tactic", "http://example.com", "false-positive",
                "investigation guide")) {
            assertTrue(e.getMessage().contains(problem), "names " + problem + ": " + e.getMessage());
        }
    }
}
