package io.entrawatch.sink.elasticsearch;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

import java.util.function.IntSupplier;

/**
 * The writer's metrics, on its group (see {@link ElasticsearchSink}). The counters are thread-safe:
 * the REST client's threads count outcomes.
 */
final class SinkWriterMetrics {
    /** Documents other than dead letters that Elasticsearch indexed. */
    final Counter documentsIndexed;
    final Counter deadLettersIndexed;
    /** Documents refused and dead-lettered. */
    final Counter documentsRejected;
    /** Dead letters refused in turn: logged and dropped. */
    final Counter deadLettersFailed;
    /** Whole bulks retried. */
    final Counter bulkRequestsRetried;
    /** Items answered 408/429/5xx, retried. */
    final Counter documentsRetried;
    /** Flink's standard count of records the sink could not send. */
    final Counter sendErrors;

    SinkWriterMetrics(SinkWriterMetricGroup metrics, IntSupplier failuresInARow) {
        this.documentsIndexed = metrics.counter("documentsIndexed", new ThreadSafeSimpleCounter());
        this.deadLettersIndexed = metrics.counter("deadLettersIndexed", new ThreadSafeSimpleCounter());
        this.documentsRejected = metrics.counter("documentsRejected", new ThreadSafeSimpleCounter());
        this.deadLettersFailed = metrics.counter("deadLettersFailed", new ThreadSafeSimpleCounter());
        this.bulkRequestsRetried = metrics.counter("bulkRequestsRetried", new ThreadSafeSimpleCounter());
        this.documentsRetried = metrics.counter("documentsRetried", new ThreadSafeSimpleCounter());
        metrics.gauge("failuresInARow", failuresInARow::getAsInt);
        this.sendErrors = metrics.getNumRecordsSendErrorsCounter();
    }
}
