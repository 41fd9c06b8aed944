package io.entrawatch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.RunOptions;
import io.entrawatch.detect.rareapp.RareAppDetection;
import io.entrawatch.detect.spray.PasswordSprayDetection;
import io.entrawatch.detect.sso.SeamlessSsoSprayDetection;
import io.entrawatch.testing.Savepoints;
import io.entrawatch.testing.TestClusters;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import static io.entrawatch.pipeline.FrozenSavepoint.ALERTS_BEFORE;
import static io.entrawatch.pipeline.FrozenSavepoint.ALERTS_UNINTERRUPTED;
import static io.entrawatch.pipeline.FrozenSavepoint.PART_2;
import static io.entrawatch.pipeline.FrozenSavepoint.SAVEPOINT_DIR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Upgrades: a savepoint of the released topology restores into the current code. The savepoint in
 * {@code src/test/resources/savepoints/entrawatch-0.1/} was taken by the 0.1 code in the middle of a
 * scenario ({@link FrozenSavepoint}), with state in every stateful operator: open 10-minute windows of
 * detection A, open hours and pair histories of B, open hours of both stages of C, the ingest gate's
 * per-partition maximum. Restored with {@code allowNonRestoredState=false} into the job graph the current
 * {@link DetectionPipeline#defineWorkflow} builds, and fed the rest of the scenario, the job must raise
 * exactly the alerts an uninterrupted run of the 0.1 code raised after the savepoint. A changed uid fails
 * the restore (state no operator takes); a renamed state, or a state type whose serializer cannot read
 * the old bytes, fails it or changes the alerts.
 */
class SavepointCompatibilityITCase {
    /**
     * Alert fields added after 0.1, so absent from the frozen alerts: every restored alert must carry them,
     * and they are left out of the document-for-document comparison (nothing else may differ).
     */
    static final List<String> FIELDS_ADDED_SINCE_0_1 = List.of("ecs.version", "threat.tactic.id", "threat.tactic.reference");

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path dir;

    private static Path frozen() throws Exception {
        return Path.of(SavepointCompatibilityITCase.class.getResource(FrozenSavepoint.RESOURCE).toURI());
    }

    private static List<String> lines(String file) throws Exception {
        return Files.readAllLines(frozen().resolve(file), StandardCharsets.UTF_8);
    }

    @Test
    void theSavepointHoldsStateOfEveryStatefulOperator() throws Exception {
        CheckpointMetadata metadata = Savepoints.metadata(frozen().resolve(SAVEPOINT_DIR));
        Map<OperatorID, OperatorState> byId = new HashMap<>();
        for (OperatorState s : metadata.getOperatorStates()) byId.put(s.getOperatorID(), s);
        for (String uid : FrozenSavepoint.PIPELINE_UIDS) {
            OperatorState state = byId.get(Savepoints.operatorId(uid));
            assertNotNull(state, "the savepoint has no state of the operator with uid " + uid);
            Predicate<OperatorSubtaskState> has = uid.equals("ingest-gate") ? s -> !s.getManagedOperatorState().isEmpty()
                    : s -> !s.getManagedKeyedState().isEmpty();
            assertTrue(state.getStates().stream().anyMatch(has), "the savepoint's state of " + uid + " is empty");
        }
        OperatorState source = byId.get(Savepoints.operatorId(FrozenSavepoint.SOURCE_UID));
        assertNotNull(source, "the savepoint has no state of the file source");
        assertNotNull(source.getCoordinatorState(), "the file source's enumerator state (the files it read)");
    }

    /**
     * The 0.1 job left the maximum parallelism to Flink, which derived 128 for every operator; the default of
     * {@code --max-parallelism}, which the job now sets explicitly, must be that value: a savepoint restores only
     * into operators of its own maximum parallelism (the restore test below runs with it).
     */
    @Test
    void theDefaultMaximumParallelismIsTheOneOfTheSavepoint() throws Exception {
        int configured = JobOptions.defaults().get(RunOptions.MAX_PARALLELISM);
        for (OperatorState s : Savepoints.metadata(frozen().resolve(SAVEPOINT_DIR)).getOperatorStates()) {
            assertEquals(configured, s.getMaxParallelism(), "maximum parallelism of operator " + s.getOperatorID() + " in the savepoint");
        }
        StreamGraph graph = FrozenSavepoint.graph(new Configuration(), dir, null);
        for (StreamNode node : graph.getStreamNodes()) {
            assertEquals(configured, node.getMaxParallelism(), "maximum parallelism of " + node.getOperatorName());
        }
    }

    /** What the frozen run shows: alerts after the savepoint that only the restored state can raise. */
    @Test
    void theFrozenAlertsAfterTheSavepointNeedItsState() throws Exception {
        List<String> after = afterTheSavepoint();
        // A: [03:50, 04:00) of the other tenant, 18 users before the savepoint, 14 after
        assertTrue(after.stream().map(FrozenSavepoint::json).anyMatch(a -> a.at("/rule/id").asText().equals(PasswordSprayDetection.RULE.id)
                && a.at("/detection/window/start").asText().equals("2025-11-14T03:50:00Z") && a.at("/detection/unique_user_count").asLong() == 32),
                "A with the restored window's 18 users");
        // B: an open hour with 2 failures before and 1 after; 16 spray users whose only failure came before
        assertEquals(3, rareApp(after, "rare.open@contoso.com").at("/detection/failed_count").asLong(), "B with the restored open hour");
        assertEquals(32, after.stream().map(FrozenSavepoint::json).filter(a -> a.at("/rule/id").asText().equals(RareAppDetection.RULE.id)
                && a.at("/azure/signinlogs/properties/user_principal_name").asText().startsWith("a2.user")).count(), "B of every a2 user");
        // B: the history suppresses or exceeds; the gate's maximum makes late.pair late
        for (String quiet : List.of("rare.supp@contoso.com", "rare.hist@contoso.com", "a1.user01@contoso.com", "late.pair@contoso.com")) {
            assertEquals(null, rareApp(after, quiet), "no B for " + quiet + " after the savepoint");
        }
        // C: 4 accounts before, 3 after; the SigninLogs sign-ins of both addresses came before
        List<String> c = new ArrayList<>();
        for (String line : after) {
            JsonNode a = FrozenSavepoint.json(line);
            if (a.at("/rule/id").asText().equals(SeamlessSsoSprayDetection.RULE.id)) {
                c.add(a.at("/source/ip").asText() + " " + a.at("/detection/table").asText() + " " + a.at("/detection/distinct_accounts").asLong());
            }
        }
        c.sort(null);
        assertEquals(List.of("192.0.2.20 AADNonInteractiveUserSignInLogs 7", "192.0.2.20 SigninLogs 7",
                "192.0.2.21 AADNonInteractiveUserSignInLogs 7", "192.0.2.21 SigninLogs 7"), c, "C with both stages' restored hours");
    }

    private static JsonNode rareApp(List<String> alerts, String upn) {
        return alerts.stream().map(FrozenSavepoint::json).filter(a -> a.at("/rule/id").asText().equals(RareAppDetection.RULE.id)
                && a.at("/azure/signinlogs/properties/user_principal_name").asText().equals(upn)).findFirst().orElse(null);
    }

    /** The uninterrupted run's alerts less those raised before the savepoint. */
    private static List<String> afterTheSavepoint() throws Exception {
        List<String> after = new ArrayList<>(lines(ALERTS_UNINTERRUPTED));
        for (String b : lines(ALERTS_BEFORE)) assertTrue(after.remove(b), "raised before the savepoint, not by the uninterrupted run: " + b);
        return after;
    }

    /**
     * The current job graph restores the savepoint (every piece of state taken: allowNonRestoredState=false),
     * reads part 2 and is drained: its alerts plus those raised before the savepoint are, document for
     * document, the alerts of the uninterrupted run. On the heap backend it was written with, and on RocksDB
     * (the cluster's backend; a canonical savepoint is backend-independent).
     */
    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void theCurrentJobRestoresTheSavepointAndRaisesTheAlertsOfAnUninterruptedRun(String stateBackend) throws Exception {
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Files.copy(frozen().resolve(PART_2), inbox.resolve(PART_2));
        List<String> part2 = lines(PART_2);
        FrozenSavepoint.run(FrozenSavepoint.configuration(stateBackend, dir), inbox, frozen().resolve(SAVEPOINT_DIR).toUri().toString(),
                part2.size(), true, dir.resolve("savepoints"));
        List<String> expected = FrozenSavepoint.canonicalSorted(afterTheSavepoint());
        List<String> actual = FrozenSavepoint.canonicalSorted(withoutFieldsAddedSince01(FrozenSavepoint.takeAlerts()));
        List<String> missing = new ArrayList<>(expected);
        List<String> unexpected = new ArrayList<>();
        for (String a : actual) if (!missing.remove(a)) unexpected.add(a);
        assertTrue(missing.isEmpty() && unexpected.isEmpty(), "alerts of the restored job (" + stateBackend + "), "
                + actual.size() + " of " + expected.size() + " expected; missing " + missing.size() + ":\n" + summary(missing)
                + "unexpected " + unexpected.size() + ":\n" + summary(unexpected));
        assertEquals(expected, actual);
    }

    /** The alerts with {@link #FIELDS_ADDED_SINCE_0_1} taken out; fails when an alert lacks one of them. */
    static List<String> withoutFieldsAddedSince01(List<String> alerts) {
        List<String> out = new ArrayList<>(alerts.size());
        for (String line : alerts) {
            JsonNode doc = FrozenSavepoint.json(line);
            for (String field : FIELDS_ADDED_SINCE_0_1) {
                String[] parts = field.split("\\.");
                List<ObjectNode> path = new ArrayList<>(List.of((ObjectNode) doc));
                for (int i = 0; i < parts.length - 1; i++) path.add((ObjectNode) path.get(i).path(parts[i]));
                assertTrue(path.get(parts.length - 1).has(parts[parts.length - 1]), "alert " + doc.path("_id").asText() + " lacks " + field);
                // take the field out, and the objects it leaves empty (ecs.version leaves no ecs)
                for (int i = parts.length - 1; i >= 0; i--) {
                    path.get(i).remove(parts[i]);
                    if (i > 0 && !path.get(i).isEmpty()) break;
                }
            }
            out.add(doc.toString());
        }
        return out;
    }

    private static String summary(List<String> alerts) {
        StringBuilder sb = new StringBuilder();
        for (String line : alerts) {
            JsonNode a = FrozenSavepoint.json(line);
            sb.append("  ").append(a.at("/_id").asText()).append(' ').append(a.at("/@timestamp").asText()).append(' ')
                    .append(a.at("/message").asText()).append('\n');
        }
        return sb.toString();
    }

    /**
     * Every piece of state in the savepoint has its operator in the current job graph (what
     * allowNonRestoredState=false enforces at submission), named by uid when it is missing.
     */
    @Test
    void everyStateOfTheSavepointHasAnOperatorWithItsUidInTheCurrentJobGraph() throws Exception {
        StreamGraph graph = FrozenSavepoint.graph(new Configuration(), dir, null);
        Set<OperatorID> current = new HashSet<>();
        for (StreamNode node : graph.getStreamNodes()) {
            if (node.getTransformationUID() != null) current.add(Savepoints.operatorId(node.getTransformationUID()));
        }
        Map<OperatorID, String> known = new HashMap<>();
        for (String uid : FrozenSavepoint.PIPELINE_UIDS) known.put(Savepoints.operatorId(uid), uid);
        known.put(Savepoints.operatorId(FrozenSavepoint.SOURCE_UID), FrozenSavepoint.SOURCE_UID);
        List<String> orphaned = new ArrayList<>();
        for (OperatorState s : Savepoints.metadata(frozen().resolve(SAVEPOINT_DIR)).getOperatorStates()) {
            boolean hasState = s.getCoordinatorState() != null || s.getStates().stream().anyMatch(OperatorSubtaskState::hasState);
            if (hasState && !current.contains(s.getOperatorID())) {
                orphaned.add(known.getOrDefault(s.getOperatorID(), "operator id " + s.getOperatorID()));
            }
        }
        assertEquals(List.of(), orphaned, "state of the savepoint whose uid no operator of the current job graph has");
    }

    /** Regenerates the frozen folder; run only deliberately (see its README.md). */
    @Test
    @EnabledIfSystemProperty(named = "entrawatch.savepoint.regenerate", matches = "true")
    void regenerate() throws Exception {
        FrozenSavepoint.generate(FrozenSavepoint.SOURCE_FOLDER.toAbsolutePath(), dir);
    }
}
