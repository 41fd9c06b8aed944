package io.entrawatch.generate;

import java.time.Instant;
import java.util.Map;

/**
 * Counters of a generator run (or of the part of it consumed so far).
 *
 * @param records         distinct records delivered (sign-ins, other categories, planted)
 * @param duplicates      extra, byte-identical re-deliveries of earlier records
 * @param messages        Event Hubs messages
 * @param bytes           UTF-8 bytes written, newlines included (0 when not written by {@code writeNdjson})
 * @param signIns         distinct records of the four sign-in categories
 * @param otherCategories distinct records of other categories (the job must skip them)
 * @param planted         distinct planted records
 * @param delayed         distinct records delivered out of order (delayed)
 * @param byCategory      distinct records per category
 * @param firstEvent      smallest event time delivered (null when nothing was)
 * @param lastEvent       largest event time delivered
 */
public record GeneratorStats(long records, long duplicates, long messages, long bytes, long signIns, long otherCategories,
        long planted, long delayed, Map<String, Long> byCategory, Instant firstEvent, Instant lastEvent) {

    /** Records delivered including duplicates. */
    public long deliveries() {
        return records + duplicates;
    }
}
