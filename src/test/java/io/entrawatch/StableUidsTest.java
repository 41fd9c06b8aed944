package io.entrawatch;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.Secrets;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Savepoints survive rebuilds and refactoring only if every stateful operator of the production job
 * has a stable uid (an auto-generated id changes with the topology). Only operators that keep no
 * state may go without one; a new stateful operator without {@code .uid(...)} fails here.
 */
class StableUidsTest {
    /** Operators (by name prefix) that keep no state: filters and the like. */
    /** Stateless filters (chained, nothing to restore); matched by name prefix. */
    private static final Set<String> STATELESS = Set.of("Detection A filter", "Detection B filter", "Detection C filter",
            "Detection C stage 1 filter", "Detection C stage 2 filter", "Detection D filter", "Detection D stage 2 filter");

    @Test
    void everyStatefulOperatorOfTheProductionJobHasAUid() {
        for (String deadLetterTarget : List.of("elasticsearch", "kafka")) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            JobOptions options = JobOptions.parse(new String[] {"--source.bootstrap-servers", "example.servicebus.windows.net:9093",
                    "--es.hosts", "https://es.example.com:9200", "--dead-letter.target", deadLetterTarget}, null);
            EntraWatchJob.defineJob(env, options, Map.of(Secrets.EVENTHUBS_ENV,
                    "Endpoint=sb://example/;SharedAccessKeyName=k;SharedAccessKey=s"));
            StreamGraph graph = env.getStreamGraph();
            List<String> withoutUid = new ArrayList<>();
            for (StreamNode node : graph.getStreamNodes()) {
                if (node.getTransformationUID() == null && STATELESS.stream().noneMatch(node.getOperatorName()::startsWith)) {
                    withoutUid.add(node.getOperatorName());
                }
            }
            assertEquals(List.of(), withoutUid, "operators without a uid (dead letters to " + deadLetterTarget + ")");
        }
    }
}
