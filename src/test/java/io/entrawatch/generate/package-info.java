/**
 * Realistic, deterministic traffic for entrawatch: Microsoft Entra ID sign-in logs as Azure Monitor
 * streams them to an Event Hub, with planted attacks and the exact alerts they must raise.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * GeneratorConfig cfg = GeneratorConfig.builder().seed(42).duration(Duration.ofHours(12))
 *         .tenants(3).usersPerTenant(200).ratePerSecond(2).attacks(AttackKind.parseList("all")).build();
 * TrafficGenerator gen = new TrafficGenerator(cfg);
 * GroundTruth truth = gen.groundTruth();            // planted attacks + expected alerts
 * Iterator<byte[]> values = gen.messageBytes();     // one Event Hubs message body each
 * }</pre>
 * From a shell: {@code jobs/generate --out traffic.ndjson --records 1000000 --truth truth.json}.
 *
 * <p>A tool, not part of the job: it lives in the test source tree so that the job jar holds the job
 * only; jobs/generate, jobs/demo and jobs/bench run it from target/test-classes (jobs/lib.sh).
 *
 * <h2>What is generated</h2>
 * <ul>
 *   <li>Tenants with users (some guests, some with capitalised UPNs), devices, apps, service
 *       principals, managed identities and conditional-access policies ({@code World}).</li>
 *   <li>Background sign-ins in the four categories (non-interactive about two thirds), mostly
 *       successes, ordinary failures (50140, 50074, 50076, 500121, 70043, 53003, 7000215, ...),
 *       IPs from ISPs, corporate egress and Microsoft's ASN 8075, with a daily rhythm; plus
 *       AuditLogs, ProvisioningLogs, ADFSSignInLogs and MicrosoftServicePrincipalSignInLogs
 *       records, which the job must skip.</li>
 *   <li>Detection-relevant noise that never alerts: a few users per tenant with a stale password
 *       fail 4-10 times (FAILURE_CODES) on one app within one hour; up to three users per tenant
 *       get 81xxx Seamless SSO failures.</li>
 *   <li>Planted attacks and near misses ({@link io.entrawatch.generate.AttackKind}), each in its own
 *       aligned hour and tenant-hour kept free of background noise; detection D's plants (a spray in
 *       which one password works, and near misses) use addresses of their own instead.</li>
 *   <li>Delivery: messages of 1-100 records (envelope, sometimes a bare array or a single record,
 *       under 1 MB), a fraction of records delayed by up to 4 minutes, a fraction re-delivered
 *       byte-identically in a later message.</li>
 * </ul>
 *
 * <h2>Ground truth</h2>
 * {@link io.entrawatch.generate.GroundTruth#expectedAlerts()} is computed by a batch reference
 * implementation of docs/detections.md (ReferenceDetections) over the planted records; because the
 * background never raises an alert (a test checks this on the full output), it is the complete set
 * of alerts the job must produce, including the rare-app (B) alerts every sprayed user causes.
 */
package io.entrawatch.generate;
