package io.entrawatch.sink.elasticsearch;

import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.Collection;
import java.util.Collections;

/**
 * Bulk-indexes documents into Elasticsearch 8.x or 9.x with Elasticsearch's low-level REST client
 * (elasticsearch-rest-client 8.19); requests say {@code compatible-with=8}, so a 9.x server answers
 * in the 8.x format too.
 *
 * <p>Delivery: at least once. Buffered documents are part of the checkpoint and in-flight bulks
 * complete before it; with deterministic ids (alerts, dead letters) a replay overwrites, so the index
 * ends up exactly-once.
 *
 * <p>Failures never fail the job and never lose a document:
 * <ul>
 *   <li>a bulk that fails as a whole (connection refused, timeout, 429, 5xx, ...) is retried with
 *       exponential backoff (default 100 ms doubling to 30 s), logged at WARN at most every 30 s;
 *   <li>an item answered 408/429/5xx is retried the same way;
 *   <li>an item Elasticsearch refuses (other 4xx, e.g. a mapping conflict) is written to the
 *       dead-letter index as kind {@code rejected} with the reason and its source; a refused dead
 *       letter is logged at ERROR and counted, never retried.
 * </ul>
 * While Elasticsearch is down the sink backpressures, and its checkpoints wait for the in-flight bulks.
 * An outage longer than {@code execution.checkpointing.timeout} therefore makes checkpoints expire, one
 * after another (see {@link ElasticsearchSinkWriter}). Up to
 * {@code execution.checkpointing.tolerable-failed-checkpoints} in a row, the job keeps running and
 * indexes everything once Elasticsearch is back. One more and it fails over: it restarts from the last
 * completed checkpoint, waits for Elasticsearch again, and still loses nothing. The deployment tolerates
 * 36 (about 6 h at a 10-min timeout). The trade-off: no checkpoint completes during the outage, so Kafka
 * offsets are not committed, and a failover reads again everything since the outage began. A restart
 * does not bring Elasticsearch back any sooner, but an unlimited tolerance would never fail over a job
 * whose checkpoints fail for other reasons (docs/operations.md, "Elasticsearch outages and checkpoints").
 *
 * <p>Metrics on the writer's group: {@code documentsIndexed} (documents other than dead letters),
 * {@code documentsRejected} (refused and dead-lettered), {@code deadLettersIndexed},
 * {@code deadLettersFailed} (a dead letter refused in turn: logged, dropped), {@code bulkRequestsRetried}
 * (whole bulks retried), {@code documentsRetried} (items answered 408/429/5xx), and the gauge
 * {@code failuresInARow}.
 */
public class ElasticsearchSink<InputT> extends AsyncSinkBase<InputT, IndexRequestEntry> {
    private static final long serialVersionUID = 1L;

    private final ElasticsearchSinkSettings settings;

    ElasticsearchSink(ElementConverter<InputT, IndexRequestEntry> elementConverter, ElasticsearchSinkSettings settings) {
        super(new SizeGuardingConverter<>(elementConverter, settings.bulk().maxDocumentBytes(),
                        settings.deadLetters().index(), settings.deadLetterPayloadBytes()),
                settings.bulk().maxActions(), settings.bulk().maxInFlight(), settings.bulk().maxBuffered(),
                settings.bulk().maxBytes(), settings.bulk().flushIntervalMs(), settings.bulk().maxDocumentBytes(),
                settings.writerTimeoutMs(), false);
        this.settings = settings;
    }

    /** A builder; see {@link ElasticsearchSinkBuilder} for the settings it takes. */
    public static <InputT> ElasticsearchSinkBuilder<InputT> builder() {
        return new ElasticsearchSinkBuilder<>();
    }

    public ElasticsearchSinkSettings settings() {
        return settings;
    }

    @Override
    public ElasticsearchSinkWriter<InputT> createWriter(WriterInitContext context) {
        return restoreWriter(context, Collections.emptyList());
    }

    @Override
    public ElasticsearchSinkWriter<InputT> restoreWriter(WriterInitContext context,
            Collection<BufferedRequestState<IndexRequestEntry>> recoveredState) {
        return new ElasticsearchSinkWriter<>(getElementConverter(), context, settings, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<IndexRequestEntry>> getWriterStateSerializer() {
        return new IndexRequestEntrySerializer();
    }

    @Override
    public String toString() {
        return "ElasticsearchSink{" + settings.connection() + ", deadLetterIndex=" + settings.deadLetters().index() + "}";
    }
}
