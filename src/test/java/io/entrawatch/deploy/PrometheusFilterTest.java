package io.entrawatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.entrawatch.testing.DeploymentMetrics;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DelegatingConfiguration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.runtime.metrics.filter.DefaultReporterFilters;
import org.apache.flink.runtime.metrics.filter.ReporterFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FlinkDeployment's {@code metrics.reporter.prom.filter.includes}, loaded the way a Flink 2.2 JVM
 * loads its config.yaml and applied by Flink's own reporter filter ({@code DefaultReporterFilters}),
 * selects the metrics operators and the Grafana dashboard need, by logical scope and bare name as
 * Flink's metric registry hands them to the filter, and leaves out the rest (e.g. the Kafka
 * consumer's own metrics). ClusterITCase checks the same against a live cluster's scrape.
 */
class PrometheusFilterTest {
    private static final Metric COUNTER = new SimpleCounter();
    private static final Metric GAUGE = (Gauge<Long>) () -> 0L;

    @TempDir
    Path dir;

    private ReporterFilter<Metric> shippedFilter() throws Exception {
        StringBuilder yaml = new StringBuilder();
        DeploymentMetrics.options().forEach((k, v) -> yaml.append(k).append(": '").append(v.replace("'", "''")).append("'\n"));
        Files.writeString(dir.resolve("config.yaml"), yaml);
        Configuration conf = GlobalConfiguration.loadConfiguration(dir.toString());
        return DefaultReporterFilters.metricsFromConfiguration(new DelegatingConfiguration(conf, "metrics.reporter.prom."));
    }

    @Test
    void shippedFilterIncludesWhatOperatorsNeedAndNotTheRest() throws Exception {
        ReporterFilter<Metric> filter = shippedFilter();
        // {logical scope, name, included?}
        List<Object[]> cases = List.of(
                new Object[] {"taskmanager.job.task.operator.entrawatch", "messagesIn", true},
                new Object[] {"taskmanager.job.task.operator.entrawatch", "signIns", true},
                new Object[] {"taskmanager.job.task.operator.entrawatch", "deadLetters", true},
                new Object[] {"taskmanager.job.task.operator.entrawatch", "lateRecords", true},
                new Object[] {"taskmanager.job.task.operator.entrawatch.rule", "alerts", true},
                new Object[] {"taskmanager.job.task.operator.entrawatch.exceptions", "inForce", true},
                new Object[] {"taskmanager.job.task.operator.entrawatch.category", "msSinceLastSeen", true},
                new Object[] {"taskmanager.job.task.operator", "documentsIndexed", true},
                new Object[] {"taskmanager.job.task.operator", "documentsRejected", true},
                new Object[] {"taskmanager.job.task.operator", "deadLettersIndexed", true},
                new Object[] {"taskmanager.job.task.operator", "bulkRequestsRetried", true},
                new Object[] {"taskmanager.job.task.operator", "failuresInARow", true},
                new Object[] {"taskmanager.job.task.operator", "currentInputWatermark", true},
                new Object[] {"taskmanager.job.task.operator", "currentOutputWatermark", true},
                new Object[] {"jobmanager.job", "lastCheckpointDuration", true},
                new Object[] {"jobmanager.job", "lastCheckpointSize", true},
                new Object[] {"jobmanager.job", "numberOfFailedCheckpoints", true},
                new Object[] {"jobmanager.job", "numRestarts", true},
                new Object[] {"jobmanager.Status.JVM.Memory.Heap", "Used", true},
                new Object[] {"taskmanager.Status.JVM.Memory.Heap", "Used", true},
                // not needed: the Kafka client's hundreds of series, per-buffer network metrics
                new Object[] {"taskmanager.job.task.operator.KafkaSourceReader.KafkaConsumer", "records-lag-max", false},
                new Object[] {"taskmanager.job.task.Shuffle.Netty.Input.Buffers", "inputQueueLength", false},
                new Object[] {"taskmanager.Status.Network", "TotalMemorySegments", false});
        List<String> wrong = new ArrayList<>();
        for (Object[] c : cases) {
            Metric metric = c[1].equals("alerts") || ((String) c[1]).startsWith("documents") ? COUNTER : GAUGE;
            if (filter.filter(metric, (String) c[1], (String) c[0]) != (Boolean) c[2]) wrong.add(c[0] + ":" + c[1] + " -> " + !(Boolean) c[2]);
        }
        assertEquals(List.of(), wrong, "metrics.reporter.prom.filter.includes " + DeploymentMetrics.options().get("metrics.reporter.prom.filter.includes"));
    }

    @Test
    void filterOfTheFormerShapeMatchedNoMetricOfTheJob() throws Exception {
        // one filter, scope "*", the name patterns matched against bare names: "*entrawatch*" and
        // "*Status.JVM.Memory*" are parts of scopes, never of a name
        Files.writeString(dir.resolve("config.yaml"), "metrics.reporter.prom.filter.includes: '*:*entrawatch*,*Status.JVM.Memory*'\n");
        ReporterFilter<Metric> old = DefaultReporterFilters.metricsFromConfiguration(
                new DelegatingConfiguration(GlobalConfiguration.loadConfiguration(dir.toString()), "metrics.reporter.prom."));
        assertEquals(Map.of("signIns", false, "Used", false), Map.of(
                "signIns", old.filter(COUNTER, "signIns", "taskmanager.job.task.operator.entrawatch"),
                "Used", old.filter(GAUGE, "Used", "taskmanager.Status.JVM.Memory.Heap")));
    }
}
