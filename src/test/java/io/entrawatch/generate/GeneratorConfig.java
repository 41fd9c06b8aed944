package io.entrawatch.generate;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * Parameters of a {@link TrafficGenerator} run. Same config (including the seed) => byte-identical
 * output. Build with {@link #builder()}.
 *
 * @param seed                 PRNG seed
 * @param start                event time of the first sign-in
 * @param duration             event-time span of the background traffic (planted attacks lie inside)
 * @param tenants              number of tenants
 * @param usersPerTenant       users per tenant
 * @param ratePerSecond        average records per second of event time (all tenants); ignored when
 *                             {@code totalRecords > 0}
 * @param totalRecords         when > 0: exactly this many distinct records (sign-ins, other categories
 *                             and planted records; duplicate re-deliveries come on top), spread over
 *                             {@code duration}
 * @param minRecordsPerMessage smallest Event Hubs message (records)
 * @param maxRecordsPerMessage largest Event Hubs message (records); a message also never exceeds
 *                             about 900 KB
 * @param outOfOrderFraction   fraction of records delivered late, each by up to {@code maxDelay}
 * @param maxDelay             largest delivery delay (at most 4 minutes)
 * @param duplicateFraction    fraction of records delivered a second time, byte-identical, in a later
 *                             message (never more than {@code maxDelay} behind)
 * @param nonSignInFraction    fraction of records of other categories (AuditLogs, ...) to be skipped
 * @param attacks              attacks to plant
 */
public record GeneratorConfig(
        long seed,
        Instant start,
        Duration duration,
        int tenants,
        int usersPerTenant,
        double ratePerSecond,
        long totalRecords,
        int minRecordsPerMessage,
        int maxRecordsPerMessage,
        double outOfOrderFraction,
        Duration maxDelay,
        double duplicateFraction,
        double nonSignInFraction,
        Set<AttackKind> attacks) {

    /** The hard bound on delivery delay promised to the job (its watermark allows 5 minutes). */
    public static final Duration MAX_DELAY_LIMIT = Duration.ofMinutes(4);

    public GeneratorConfig {
        if (start == null) throw new IllegalArgumentException("start is required");
        if (duration == null || duration.isNegative() || duration.isZero())
            throw new IllegalArgumentException("duration must be positive");
        if (tenants < 1) throw new IllegalArgumentException("tenants must be >= 1");
        if (usersPerTenant < 10) throw new IllegalArgumentException("usersPerTenant must be >= 10");
        if (totalRecords <= 0 && !(ratePerSecond > 0))
            throw new IllegalArgumentException("either totalRecords > 0 or ratePerSecond > 0");
        if (minRecordsPerMessage < 1 || maxRecordsPerMessage < minRecordsPerMessage)
            throw new IllegalArgumentException("need 1 <= minRecordsPerMessage <= maxRecordsPerMessage");
        checkFraction("outOfOrderFraction", outOfOrderFraction);
        checkFraction("duplicateFraction", duplicateFraction);
        checkFraction("nonSignInFraction", nonSignInFraction);
        if (nonSignInFraction > 0.9) throw new IllegalArgumentException("nonSignInFraction must be <= 0.9");
        if (maxDelay == null || maxDelay.isNegative() || maxDelay.compareTo(MAX_DELAY_LIMIT) > 0)
            throw new IllegalArgumentException("maxDelay must be between 0 and 4 minutes");
        attacks = attacks == null || attacks.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(attacks));
    }

    private static void checkFraction(String name, double v) {
        if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException(name + " must be in [0, 1]");
    }

    public Instant end() {
        return start.plus(duration);
    }

    /** Average records per second of event time actually used. */
    public double effectiveRate() {
        return totalRecords > 0 ? totalRecords / (duration.toMillis() / 1000.0) : ratePerSecond;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.seed = seed;
        b.start = start;
        b.duration = duration;
        b.tenants = tenants;
        b.usersPerTenant = usersPerTenant;
        b.ratePerSecond = ratePerSecond;
        b.totalRecords = totalRecords;
        b.minRecordsPerMessage = minRecordsPerMessage;
        b.maxRecordsPerMessage = maxRecordsPerMessage;
        b.outOfOrderFraction = outOfOrderFraction;
        b.maxDelay = maxDelay;
        b.duplicateFraction = duplicateFraction;
        b.nonSignInFraction = nonSignInFraction;
        b.attacks = attacks.isEmpty() ? EnumSet.noneOf(AttackKind.class) : EnumSet.copyOf(attacks);
        return b;
    }

    /** Builder with defaults: seed 42, 2025-11-14T00:00Z, 1 day, 3 tenants x 500 users, 10 records/s. */
    public static final class Builder {
        private long seed = 42;
        private Instant start = Instant.parse("2025-11-14T00:00:00Z");
        private Duration duration = Duration.ofDays(1);
        private int tenants = 3;
        private int usersPerTenant = 500;
        private double ratePerSecond = 10;
        private long totalRecords = 0;
        private int minRecordsPerMessage = 1;
        private int maxRecordsPerMessage = 100;
        private double outOfOrderFraction = 0.03;
        private Duration maxDelay = MAX_DELAY_LIMIT;
        private double duplicateFraction = 0.005;
        private double nonSignInFraction = 0.03;
        private EnumSet<AttackKind> attacks = EnumSet.allOf(AttackKind.class);

        public Builder seed(long v) { seed = v; return this; }
        public Builder start(Instant v) { start = v; return this; }
        public Builder duration(Duration v) { duration = v; return this; }
        public Builder tenants(int v) { tenants = v; return this; }
        public Builder usersPerTenant(int v) { usersPerTenant = v; return this; }
        /** Average records per second; clears {@link #totalRecords(long)}. */
        public Builder ratePerSecond(double v) { ratePerSecond = v; totalRecords = 0; return this; }
        /** Exact number of distinct records over the duration (0 = use the rate). */
        public Builder totalRecords(long v) { totalRecords = v; return this; }
        public Builder recordsPerMessage(int min, int max) { minRecordsPerMessage = min; maxRecordsPerMessage = max; return this; }
        public Builder outOfOrderFraction(double v) { outOfOrderFraction = v; return this; }
        public Builder maxDelay(Duration v) { maxDelay = v; return this; }
        public Builder duplicateFraction(double v) { duplicateFraction = v; return this; }
        public Builder nonSignInFraction(double v) { nonSignInFraction = v; return this; }
        public Builder attacks(Set<AttackKind> v) {
            attacks = v == null || v.isEmpty() ? EnumSet.noneOf(AttackKind.class) : EnumSet.copyOf(v);
            return this;
        }
        public Builder attacks(AttackKind... v) { return attacks(v.length == 0 ? Set.of() : EnumSet.of(v[0], v)); }
        public Builder noAttacks() { attacks = EnumSet.noneOf(AttackKind.class); return this; }

        public GeneratorConfig build() {
            return new GeneratorConfig(seed, start, duration, tenants, usersPerTenant, ratePerSecond, totalRecords,
                    minRecordsPerMessage, maxRecordsPerMessage, outOfOrderFraction, maxDelay, duplicateFraction,
                    nonSignInFraction, attacks);
        }
    }
}
