package io.entrawatch;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.Secrets;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The production job sets its maximum parallelism explicitly on every operator, so the key-group count of its
 * savepoints does not depend on the parallelism it was started with, and rescaling keeps it
 * (docs/operations.md, "Rescaling").
 */
class MaxParallelismTest {
    private static StreamGraph graph(Configuration flink, String... extra) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        List<String> args = new ArrayList<>(List.of("--source.bootstrap-servers", "example.servicebus.windows.net:9093",
                "--es.hosts", "https://es.example.com:9200"));
        args.addAll(List.of(extra));
        EntraWatchJob.defineJob(env, JobOptions.parse(args.toArray(new String[0]), null), Map.of(Secrets.EVENTHUBS_ENV,
                "Endpoint=sb://example/;SharedAccessKeyName=k;SharedAccessKey=s"));
        return env.getStreamGraph();
    }

    private static Set<Integer> maxParallelisms(StreamGraph graph) {
        Set<Integer> values = new TreeSet<>();
        for (StreamNode node : graph.getStreamNodes()) values.add(node.getMaxParallelism());
        return values;
    }

    @Test
    void everyOperatorHas128UnlessTold() {
        assertEquals(Set.of(128), maxParallelisms(graph(new Configuration())), "the default, whatever the parallelism");
        assertEquals(Set.of(128), maxParallelisms(graph(new Configuration(), "--parallelism", "100")),
                "not Flink's 256, which it would derive from parallelism 100");
        assertEquals(Set.of(512), maxParallelisms(graph(new Configuration(), "--max-parallelism", "512", "--parallelism", "100")));
    }

    @Test
    void flinksPipelineMaxParallelismIsTakenWhenTheOptionIsNotGivenAndMustAgreeWhenItIs() {
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.MAX_PARALLELISM, 256);
        assertEquals(Set.of(256), maxParallelisms(graph(flink)));
        assertEquals(Set.of(256), maxParallelisms(graph(flink, "--max-parallelism", "256")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> graph(flink, "--max-parallelism", "128"));
        assertTrue(e.getMessage().contains("--max-parallelism 128 and Flink's pipeline.max-parallelism 256 disagree"), e.getMessage());
    }

    @Test
    void aParallelismAboveItIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> graph(new Configuration(), "--parallelism", "200"));
        assertTrue(e.getMessage().startsWith("parallelism 200 exceeds the maximum parallelism 128 (--max-parallelism)"), e.getMessage());
        Configuration cluster = new Configuration();
        cluster.set(org.apache.flink.configuration.CoreOptions.DEFAULT_PARALLELISM, 200); // -p 200
        assertThrows(IllegalArgumentException.class, () -> graph(cluster));
    }

    @Test
    void theOptionTakesFlinksRange() {
        assertEquals(128, JobOptions.defaults().get(io.entrawatch.config.RunOptions.MAX_PARALLELISM));
        for (String bad : List.of("0", "-1", "32769", "many")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> JobOptions.parse(new String[] {"--max-parallelism", bad}, null));
            assertEquals("--max-parallelism '" + bad + "': expected a whole number from 1 to 32768", e.getMessage());
        }
        assertEquals(32768, JobOptions.parse(new String[] {"--max-parallelism", "32768"}, null)
                .get(io.entrawatch.config.RunOptions.MAX_PARALLELISM));
    }
}
