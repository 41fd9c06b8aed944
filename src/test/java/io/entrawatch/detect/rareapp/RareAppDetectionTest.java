package io.entrawatch.detect.rareapp;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.RareAppOptions;
import io.entrawatch.detect.RuleMetadata;
import io.entrawatch.detect.spray.PasswordSprayDetection;
import io.entrawatch.model.SignIn;
import io.entrawatch.pipeline.DetectionPipeline;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.entrawatch.TestRecords.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Detection B's metadata, evaluation intervals and option validation. */
class RareAppDetectionTest {
    private static final long HOUR = 3_600_000L;

    @Test
    void metadataIsTheSeedsAndWellFormed() {
        RuleMetadata b = RareAppDetection.RULE;
        assertEquals("ce47ec2c-fe13-11ef-9ee5-f661ea17fbcd", b.id);
        assertEquals("Azure Entra Unusual Client App Authentication Requests on Behalf of Principal Users", b.name);
        assertEquals(List.of("T1078.004", "T1110.003"), b.techniques.stream().map(t -> t.id).toList());
        for (RuleMetadata.Technique t : b.techniques) {
            assertTrue(t.id.matches("T\\d{4}(\\.\\d{3})?"), t.id);
            assertTrue(t.reference.startsWith("https://attack.mitre.org/techniques/T"), t.reference);
        }
        assertFalse(b.references.isEmpty());
        assertFalse(b.falsePositives.isEmpty());
        assertTrue(b.description.length() > 50 && b.investigationGuide.length() > 50);
        RuleMetadata a = PasswordSprayDetection.RULE;
        assertNotEquals(a.id, b.id);
        assertNotEquals(a.name, b.name);
        assertNotEquals(a.shortName, b.shortName);
    }

    @Test
    void evaluationIntervalsAreAlignedHoursEndExclusive() {
        RareAppDetection d = RareAppDetection.FACTORY.create(JobOptions.defaults());
        assertEquals(T0 + HOUR, d.windowEnd(T0));
        assertEquals(T0 + HOUR, d.windowEnd(T0 + HOUR - 1));
        assertEquals(T0 + 2 * HOUR, d.windowEnd(T0 + HOUR));
        SignIn s = new SignIn();
        s.timestamp = T0 + 10 * 60_000L;
        s.arrivalWatermark = T0 + HOUR - 1;
        assertFalse(d.isLate(s));
        s.arrivalWatermark = T0 + HOUR;
        assertTrue(d.isLate(s), "late once the watermark reached the hour's end");
    }

    @Test
    void optionsAreValidated() {
        assertEquals(Instant.parse("2025-11-14T00:00:00Z").toEpochMilli(), RareAppDetection.FACTORY.create(JobOptions.parse(
                new String[] {"--rare-app.alert-from", "2025-11-14T00:00:00Z"}, null)).alertFromMillis());
        assertEquals(Instant.parse("2025-11-14T01:00:00Z").toEpochMilli(), RareAppDetection.FACTORY.create(JobOptions.parse(
                new String[] {"--rare-app.alert-from", "2025-11-14T02:00:00+01:00"}, null)).alertFromMillis());
        assertThrows(IllegalArgumentException.class, () -> JobOptions.parse(new String[] {"--rare-app.alert-from", "tomorrow"}, null));
        assertEquals(0, RareAppDetection.FACTORY.create(JobOptions.parse(new String[] {"--rare-app.suppression", "0"}, null))
                .suppressionMillis());
        assertEquals(14 * 24 * HOUR, RareAppDetection.FACTORY.create(JobOptions.parse(new String[] {"--rare-app.suppression", "14 d"}, null))
                .suppressionMillis());
        assertThrows(IllegalArgumentException.class, () -> RareAppDetection.FACTORY.create(JobOptions.defaults()
                .with(RareAppOptions.THRESHOLD, "0")));
        assertThrows(IllegalArgumentException.class, () -> RareAppDetection.FACTORY.create(JobOptions.defaults()
                .with(RareAppOptions.EVALUATION_INTERVAL, "0")));
    }
}
