package io.entrawatch.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Deterministic generator of realistic Microsoft Entra ID sign-in traffic as it arrives on an Azure
 * Event Hub: a stream of message bodies ({@code {"records":[...]}}, sometimes a bare array or a single
 * record), in approximate arrival order, with planted attacks and their ground truth.
 *
 * <p>Same {@link GeneratorConfig} => byte-identical messages. Output is streamed: memory holds the
 * population (about 1 KB per user) plus the records not yet delivered (those delayed up to
 * {@link GeneratorConfig#maxDelay()}), never the whole run.
 *
 * <p>Delivery guarantees (what tests and benchmarks may rely on):
 * <ul>
 *   <li>A record is delivered at most {@code maxDelay} (at most 4 minutes) after its event time
 *       (properties.createdDateTime, else time), and messages are emitted in delivery order, so no
 *       record lags the largest event time delivered before it by more than {@code maxDelay}. Nor
 *       does it lag the largest event time of its own message by more than max(maxDelay, 1 minute),
 *       for a job that stamps a whole message with its largest event time.</li>
 *   <li>A duplicate is byte-identical to its original and comes in a later message.</li>
 *   <li>Background traffic never raises a detection of docs/detections.md: only planted records do, and
 *       {@link #groundTruth()} lists exactly the alerts they must raise.</li>
 * </ul>
 */
public final class TrafficGenerator {
    private static final long SECOND = Json.TICKS_PER_SECOND;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    /** A message is closed once it grows past this many bytes (Event Hubs' limit is 1 MB; a record is < 20 KB). */
    static final int MAX_MESSAGE_BYTES = 900_000;
    /** A message collects records for at most this long (arrival time) before it is sent. */
    private static final long MAX_MESSAGE_SPAN = 60 * SECOND;

    private static final int[] NI_FAILURES = {70043, 150, 700082, 50, 50076, 70, 50074, 30, 50173, 30, 53003, 20, 530003, 20,
        65001, 10, 50089, 10};
    private static final int[] SI_FAILURES = {50140, 400, 50074, 200, 50076, 150, 500121, 100, 50072, 50, 53003, 50, 50089, 50,
        50097, 30};
    private static final int[] SSO_CODES = {81010, 81016, 81012};
    private static final int[] SP_FAILURES = {7000215, 7000222, 700016};

    private final GeneratorConfig cfg;
    private final World world;
    private final AttackPlanner.Plan plan;
    private final GroundTruth truth;

    public TrafficGenerator(GeneratorConfig cfg) {
        this.cfg = cfg;
        this.world = new World(cfg.seed(), cfg.tenants(), cfg.usersPerTenant());
        this.plan = AttackPlanner.plan(cfg, world);
        if (cfg.totalRecords() > 0 && cfg.totalRecords() < plan.records().size()) {
            throw new IllegalArgumentException("totalRecords " + cfg.totalRecords() + " is below the " + plan.records().size()
                    + " planted records");
        }
        List<String> tenantIds = new ArrayList<>();
        for (World.Tenant t : world.tenants) tenantIds.add(t.id);
        this.truth = new GroundTruth(cfg.seed(), cfg.start(), cfg.end(), List.copyOf(tenantIds), plan.attacks(),
                List.copyOf(ReferenceDetections.compute(plan.records())));
    }

    public GeneratorConfig config() {
        return cfg;
    }

    /** What was planted and the exact alerts the job must raise. Available before generating. */
    public GroundTruth groundTruth() {
        return truth;
    }

    /** A new, independent pass over the run's messages (each pass yields the same messages). */
    public MessageIterator messages() {
        return new MessageIterator();
    }

    /** The run's messages as a sequential stream. */
    public Stream<String> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(messages(),
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** The run's messages as UTF-8 bytes (Kafka record values). */
    public Iterator<byte[]> messageBytes() {
        MessageIterator it = messages();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public byte[] next() {
                return it.nextBytes();
            }
        };
    }

    /**
     * Writes every message as one line (NDJSON) to {@code out} (not closed; flushed at the end).
     *
     * @param progress called every 1,000 messages and at the end with the counters so far; may be null
     */
    public GeneratorStats writeNdjson(OutputStream out, Consumer<GeneratorStats> progress) throws IOException {
        MessageIterator it = messages();
        long bytes = 0;
        long n = 0;
        ByteSink m;
        while ((m = it.advance()) != null) {
            m.writeTo(out);
            out.write('\n');
            bytes += m.length() + 1;
            if (progress != null && ++n % 1000 == 0) progress.accept(it.stats(bytes));
        }
        out.flush();
        GeneratorStats s = it.stats(bytes);
        if (progress != null) progress.accept(s);
        return s;
    }

    /**
     * The messages of one pass, in delivery order: {@link #next()} as text, {@link #nextBytes()} as the
     * UTF-8 bytes (cheaper: that is how they are built). Not thread-safe.
     */
    public final class MessageIterator implements Iterator<String> {
        private final SplittableRandom rnd = new SplittableRandom(cfg.seed() * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
        private final PriorityQueue<Rec> queue = new PriorityQueue<>(1024, (a, b) -> a.arrivalTicks != b.arrivalTicks
                ? Long.compare(a.arrivalTicks, b.arrivalTicks) : Long.compare(a.seq, b.seq));
        private final RecordRenderer renderer = new RecordRenderer();
        private ByteSink msg = new ByteSink(1 << 18);
        /** Finished messages not yet handed out, and buffers to reuse. */
        private final java.util.ArrayDeque<ByteSink> ready = new java.util.ArrayDeque<>(4);
        private final java.util.ArrayDeque<ByteSink> free = new java.util.ArrayDeque<>(4);
        /** The message last handed out by {@link #advance()}; recycled on the next call. */
        private ByteSink handedOut;
        private final boolean recordsMode = cfg.totalRecords() > 0;
        private final long endTicks = AttackPlanner.ticks(cfg.end());
        private final long maxDelayTicks = cfg.maxDelay().toMillis() * Json.TICKS_PER_MS;
        private final double ratePerSecond;
        private long seq;
        private long tNext = AttackPlanner.ticks(cfg.start());
        private boolean backgroundDone;
        private long budget;
        private int msgCount;
        private int msgTarget;
        private int msgForm; // 0 envelope, 1 bare array, 2 single record
        private long msgFirstArrival;
        private long msgMinEvent;
        private long msgMaxEvent;
        /** Largest event-time spread inside one message: max(maxDelay, 1 minute). */
        private final long maxSpread = Math.max(cfg.maxDelay().toMillis() * Json.TICKS_PER_MS, MAX_MESSAGE_SPAN);
        private long messageNo;
        private byte[] lookahead;
        private boolean finished;
        // Counters.
        private long records, duplicates, messages, planted, delayed;
        private final long[] byCategory = new long[Rec.CATEGORY_NAMES.length];
        private long minEvent = Long.MAX_VALUE, maxEvent = Long.MIN_VALUE;
        private int maxQueued;

        private MessageIterator() {
            long plantCount = plan.records().size();
            budget = recordsMode ? cfg.totalRecords() - plantCount : Long.MAX_VALUE;
            // In record-count mode the base rate is set so that the expected count over [start, end), day
            // and night included, is the budget: the run then ends close to the configured end.
            ratePerSecond = recordsMode ? Math.max(budget, 1) / diurnalSeconds(AttackPlanner.ticks(cfg.start()), endTicks)
                    : cfg.ratePerSecond();
            seq = plantCount;
            for (Rec p : plan.records()) {
                Rec c = p.copy();
                schedule(c);
            }
        }

        @Override
        public boolean hasNext() {
            if (lookahead == null && !finished) {
                ByteSink m = advance();
                if (m == null) finished = true;
                else lookahead = m.toByteArray();
            }
            return lookahead != null;
        }

        @Override
        public String next() {
            return new String(nextBytes(), StandardCharsets.UTF_8);
        }

        /** The next message as UTF-8 bytes. */
        public byte[] nextBytes() {
            if (!hasNext()) throw new NoSuchElementException();
            byte[] m = lookahead;
            lookahead = null;
            return m;
        }

        /** Counters so far ({@code bytes} as counted by the caller). */
        public GeneratorStats stats(long bytes) {
            Map<String, Long> cats = new LinkedHashMap<>();
            long signIns = 0, others = 0;
            for (int i = 0; i < byCategory.length; i++) {
                if (byCategory[i] == 0) continue;
                cats.put(Rec.CATEGORY_NAMES[i], byCategory[i]);
                if (i <= Rec.MANAGED_IDENTITY) signIns += byCategory[i];
                else others += byCategory[i];
            }
            return new GeneratorStats(records, duplicates, messages, bytes, signIns, others, planted, delayed, cats,
                    records == 0 ? null : AttackPlanner.instant(minEvent), records == 0 ? null : AttackPlanner.instant(maxEvent));
        }

        /**
         * The next message, or null at the end. The returned buffer is valid until the next call (it
         * is then reused): the zero-copy path {@link #writeNdjson} takes.
         */
        ByteSink advance() {
            if (lookahead != null) throw new IllegalStateException("advance() after hasNext() looked ahead");
            if (handedOut != null) {
                free.add(handedOut);
                handedOut = null;
            }
            while (ready.isEmpty()) {
                long frontier = backgroundDone ? Long.MAX_VALUE : tNext;
                Rec head;
                while (ready.isEmpty() && (head = queue.peek()) != null && head.arrivalTicks <= frontier) {
                    queue.poll();
                    deliver(head);
                }
                if (!ready.isEmpty()) break;
                if (backgroundDone) {
                    if (msgCount > 0) finishMessage();
                    else return null;
                } else {
                    activity();
                }
            }
            handedOut = ready.poll();
            return handedOut;
        }

        // ------------------------------------------------------------ delivery

        private void deliver(Rec rec) {
            if (msgCount > 0 && ((rec.duplicate && rec.firstMessage == messageNo)
                    || rec.arrivalTicks - msgFirstArrival > MAX_MESSAGE_SPAN
                    || Math.max(msgMaxEvent, rec.eventTicks) - Math.min(msgMinEvent, rec.eventTicks) > maxSpread)) {
                finishMessage();
            }
            if (msgCount == 0) {
                startMessage(rec.arrivalTicks);
                msgMinEvent = rec.eventTicks;
                msgMaxEvent = rec.eventTicks;
            } else {
                msgMinEvent = Math.min(msgMinEvent, rec.eventTicks);
                msgMaxEvent = Math.max(msgMaxEvent, rec.eventTicks);
            }
            if (msgCount > 0) msg.append(',');
            renderer.render(rec, msg);
            msgCount++;
            if (rec.duplicate) {
                duplicates++;
            } else {
                records++;
                byCategory[rec.category]++;
                if (rec.planted) planted++;
                if (rec.delayed) delayed++;
                minEvent = Math.min(minEvent, rec.eventTicks);
                maxEvent = Math.max(maxEvent, rec.eventTicks);
                if (cfg.duplicateFraction() > 0 && rnd.nextDouble() < cfg.duplicateFraction()) scheduleDuplicate(rec);
            }
            if (msgCount >= msgTarget || msg.length() > MAX_MESSAGE_BYTES) finishMessage();
        }

        private void scheduleDuplicate(Rec rec) {
            Rec d = rec.copyAsDuplicate();
            d.firstMessage = messageNo;
            long latest = rec.eventTicks + maxDelayTicks; // never more than maxDelay behind
            long at = rec.arrivalTicks + SECOND + rnd.nextLong(90 * SECOND);
            d.arrivalTicks = Math.max(rec.arrivalTicks, Math.min(at, latest));
            d.seq = seq++;
            queue.add(d);
        }

        private void startMessage(long arrival) {
            messageNo++;
            int min = cfg.minRecordsPerMessage();
            int max = cfg.maxRecordsPerMessage();
            if (min == 1 && rnd.nextInt(100) < 4) {
                msgTarget = 1;
            } else {
                double u = rnd.nextDouble();
                msgTarget = Math.min(max, min + (int) ((max - min + 1) * u * Math.sqrt(u)));
            }
            if (msgTarget == 1) msgForm = rnd.nextBoolean() ? 2 : 0;
            else msgForm = rnd.nextInt(100) < 3 ? 1 : 0;
            msg.setLength(0);
            if (msgForm == 0) msg.ascii(rnd.nextInt(4) == 0 ? "{\"records\": [" : "{\"records\":[");
            else if (msgForm == 1) msg.append('[');
            msgFirstArrival = arrival;
        }

        private void finishMessage() {
            if (msgForm == 0) msg.ascii("]}");
            else if (msgForm == 1) msg.append(']');
            messages++;
            msgCount = 0;
            ready.add(msg);
            msg = free.isEmpty() ? new ByteSink(1 << 18) : free.poll();
        }

        // ------------------------------------------------------------ background

        private void schedule(Rec rec) {
            if (cfg.outOfOrderFraction() > 0 && rnd.nextDouble() < cfg.outOfOrderFraction() && maxDelayTicks > 0) {
                double u = rnd.nextDouble();
                long d = Math.min(maxDelayTicks, Math.max(SECOND, (long) (maxDelayTicks * u * u)));
                rec.arrivalTicks = rec.eventTicks + d;
                rec.delayed = true;
            } else {
                rec.arrivalTicks = rec.eventTicks;
            }
            if (!rec.planted) {
                rec.seq = seq++;
                budget--;
            }
            queue.add(rec);
            if (queue.size() > maxQueued) maxQueued = queue.size();
        }

        /** Largest number of records ever waiting for delivery (what bounds memory). */
        int maxQueued() {
            return maxQueued;
        }

        private boolean reserved(World.Tenant t, long ticks) {
            return !plan.reserved().isEmpty()
                    && plan.reserved().contains(AttackPlanner.reserveKey(t.index, Math.floorDiv(ticks, HOUR)));
        }

        private void activity() {
            long t = tNext;
            if (recordsMode ? budget <= 0 : t >= endTicks) {
                backgroundDone = true;
                return;
            }
            double lambda = ratePerSecond * diurnal(t);
            double gap = -Math.log(1 - rnd.nextDouble()) / lambda;
            tNext = t + Math.max(1, (long) (gap * SECOND));

            World.Tenant tn = world.tenants[rnd.nextInt(world.tenants.length)];
            if (rnd.nextDouble() < cfg.nonSignInFraction()) {
                other(tn, t);
                return;
            }
            int y = rnd.nextInt(100);
            if (y < 66) nonInteractive(tn, t);
            else if (y < 76) interactive(tn, t);
            else if (y < 90) principal(tn, t, false);
            else principal(tn, t, true);
        }

        /** Daily rhythm of sign-ins (mean 1 over a day): busiest mid-afternoon UTC, quietest at night. */
        private static double diurnal(long ticks) {
            double hourOfDay = Math.floorMod(ticks / SECOND, 86_400L) / 3600.0;
            return 1 + 0.5 * Math.sin(2 * Math.PI * (hourOfDay - 9) / 24);
        }

        /** The integral of {@link #diurnal} over [from, to), in seconds. */
        private static double diurnalSeconds(long from, long to) {
            double sum = 0;
            long step = MINUTE;
            for (long t = from; t < to; t += step) sum += diurnal(t) * Math.min(step, to - t) / (double) SECOND;
            return Math.max(sum, 1);
        }

        private World.User pickUser(World.Tenant tn) {
            double u = rnd.nextDouble();
            return tn.users[(int) (tn.users.length * u * u)];
        }

        private Rec userRec(byte category, World.Tenant tn, World.User u, long t) {
            Rec rec = new Rec();
            rec.category = category;
            rec.tenant = tn;
            rec.user = u;
            rec.upn = rnd.nextInt(100) < 3 ? u.upnVariant : u.upnStored;
            rec.app = u.apps[rnd.nextInt(u.apps.length)];
            rec.resource = rnd.nextInt(rec.app.resourceIds.length);
            rec.eventTicks = t;
            rec.timeTicks = t + 2_000_000L + rnd.nextLong(100 * SECOND);
            rec.renderSeed = rnd.nextLong();
            rec.omitAsn = rnd.nextInt(100) < 3;
            rec.device = u.devices[rnd.nextInt(u.devices.length)];
            return rec;
        }

        private int pick(int[] table, int perTenThousand) {
            int x = rnd.nextInt(10_000);
            for (int i = 0; i < table.length; i += 2) {
                if (x < table[i + 1]) return table[i];
                x -= table[i + 1];
            }
            return 0;
        }

        private void nonInteractive(World.Tenant tn, long t) {
            if (!tn.staleUsers.isEmpty() && rnd.nextInt(1000) < 2 && burst(tn, t)) return;
            World.User u = pickUser(tn);
            Rec rec = userRec(Rec.NON_INTERACTIVE, tn, u, t);
            rec.interactive = false;
            rec.multiFactor = rnd.nextInt(100) < 25;
            int x = rnd.nextInt(100);
            rec.ip = x < 40 ? tn.officeIps[rnd.nextInt(tn.officeIps.length)] : x < 60 ? u.homeIp : x < 70 ? u.mobileIp
                    : world.microsoftPool[rnd.nextInt(world.microsoftPool.length)];
            rec.userAgent = rnd.nextInt(100) < 45 ? null : rec.device.userAgent;
            if (u.ssoBroken && rnd.nextInt(100) < 30 && !reserved(tn, t)) {
                rec.errorCode = SSO_CODES[rnd.nextInt(SSO_CODES.length)];
            } else {
                rec.errorCode = pick(NI_FAILURES, 10_000);
            }
            schedule(rec);
        }

        private void interactive(World.Tenant tn, long t) {
            World.User u = pickUser(tn);
            Rec rec = userRec(Rec.SIGN_IN, tn, u, t);
            rec.interactive = true;
            rec.multiFactor = rnd.nextInt(100) < 55;
            int x = rnd.nextInt(100);
            rec.ip = x < 55 ? tn.officeIps[rnd.nextInt(tn.officeIps.length)] : x < 85 ? u.homeIp : u.mobileIp;
            rec.userAgent = rnd.nextInt(100) < 3 ? null : rec.device.userAgent;
            rec.errorCode = pick(SI_FAILURES, 10_000);
            schedule(rec);
        }

        /**
         * A device with a stale password retrying: 4-10 failures (FAILURE_CODES) of one user on one
         * app, all inside one aligned hour, so the rare-app detection never sees 1-3 of them in an
         * hour and the spray detection never sees more than the tenant's few stale users.
         */
        private boolean burst(World.Tenant tn, long t) {
            World.User u = tn.staleUsers.get(rnd.nextInt(tn.staleUsers.size()));
            long hourEnd = (Math.floorDiv(t, HOUR) + 1) * HOUR;
            int k = 4 + rnd.nextInt(7);
            if (hourEnd - t < 30 * SECOND || reserved(tn, t) || (recordsMode && k > budget)) return false;
            long span = Math.min(20 * MINUTE, hourEnd - t - SECOND);
            boolean interactive = rnd.nextInt(100) < 25;
            int code = rnd.nextInt(10) < 8 ? 50126 : 50055;
            World.Ip ip = rnd.nextBoolean() ? u.homeIp : u.mobileIp;
            for (int i = 0; i < k; i++) {
                long at = i == 0 ? t : t + rnd.nextLong(span);
                Rec rec = userRec(interactive ? Rec.SIGN_IN : Rec.NON_INTERACTIVE, tn, u, at);
                rec.app = u.staleApp;
                rec.resource = 0;
                rec.ip = ip;
                rec.interactive = interactive;
                rec.multiFactor = false;
                rec.errorCode = code == 50126 && i == k - 1 && rnd.nextInt(3) == 0 ? 50053 : code;
                rec.userAgent = interactive ? rec.device.userAgent : null;
                rec.clientAppUsed = interactive ? "Browser" : "Exchange ActiveSync";
                schedule(rec);
            }
            return true;
        }

        private void principal(World.Tenant tn, long t, boolean managed) {
            World.Principal[] pool = managed ? tn.mis : tn.sps;
            Rec rec = new Rec();
            rec.category = managed ? Rec.MANAGED_IDENTITY : Rec.SERVICE_PRINCIPAL;
            rec.tenant = tn;
            rec.principal = pool[rnd.nextInt(pool.length)];
            rec.ip = rec.principal.ip;
            rec.eventTicks = t;
            rec.timeTicks = t + 2_000_000L + rnd.nextLong(100 * SECOND);
            rec.renderSeed = rnd.nextLong();
            rec.omitAsn = rnd.nextInt(100) < 3;
            if (managed) rec.errorCode = rnd.nextInt(1000) < 3 ? 500011 : 0;
            else rec.errorCode = rnd.nextInt(100) < 3 ? SP_FAILURES[rnd.nextInt(SP_FAILURES.length)] : 0;
            schedule(rec);
        }

        private void other(World.Tenant tn, long t) {
            int y = rnd.nextInt(100);
            World.User u = pickUser(tn);
            Rec rec;
            if (y < 80 || y >= 95) {
                rec = userRec(y < 80 ? Rec.AUDIT : Rec.PROVISIONING, tn, u, t);
                rec.ip = rnd.nextBoolean() ? tn.officeIps[0] : u.homeIp;
                // No createdDateTime here: a reader takes `time` as the event time, so it must not run
                // ahead of delivery (the 4-minute lateness bound holds for every record).
                rec.timeTicks = t;
            } else if (y < 88) {
                rec = userRec(Rec.ADFS, tn, u, t);
                rec.interactive = true;
                rec.ip = tn.officeIps[rnd.nextInt(tn.officeIps.length)];
                rec.userAgent = rec.device.userAgent;
            } else {
                rec = new Rec();
                rec.category = Rec.MS_SERVICE_PRINCIPAL;
                rec.tenant = tn;
                rec.principal = tn.sps[rnd.nextInt(tn.sps.length)];
                rec.ip = world.microsoftPool[rnd.nextInt(world.microsoftPool.length)];
                rec.eventTicks = t;
                rec.timeTicks = t + 2_000_000L + rnd.nextLong(100 * SECOND);
                rec.renderSeed = rnd.nextLong();
            }
            schedule(rec);
        }
    }
}
