package io.entrawatch.sink.elasticsearch;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

/**
 * Wraps the user's converter so that a document larger than one bulk may carry (which
 * {@code AsyncSinkWriter} would answer by failing the job) becomes a {@code rejected} dead letter
 * with its source cut to size, instead of failing the job or vanishing.
 */
final class SizeGuardingConverter<InputT> implements ElementConverter<InputT, IndexRequestEntry> {
    private static final long serialVersionUID = 1L;

    private final ElementConverter<InputT, IndexRequestEntry> delegate;
    private final long maxRecordBytes;
    private final String deadLetterIndex;
    private final long maxDeadLetterPayloadBytes;

    SizeGuardingConverter(ElementConverter<InputT, IndexRequestEntry> delegate, long maxRecordBytes,
            String deadLetterIndex, long maxDeadLetterPayloadBytes) {
        this.delegate = delegate;
        this.maxRecordBytes = maxRecordBytes;
        this.deadLetterIndex = deadLetterIndex;
        this.maxDeadLetterPayloadBytes = maxDeadLetterPayloadBytes;
    }

    @Override
    public void open(WriterInitContext context) {
        delegate.open(context);
    }

    @Override
    public IndexRequestEntry apply(InputT element, SinkWriter.Context context) {
        IndexRequestEntry entry = delegate.apply(element, context);
        if (entry == null) throw new NullPointerException("the element converter returned null for an element");
        long size = BulkRequests.sizeInBytes(entry);
        if (size <= maxRecordBytes) return entry;
        return DeadLetterRouter.deadLetterFor(entry, "document_too_large: the document takes " + size
                + " bytes in a bulk request, more than the " + maxRecordBytes + " bytes allowed (es.bulk.max-bytes)",
                deadLetterIndex, maxDeadLetterPayloadBytes, maxRecordBytes, System.currentTimeMillis());
    }
}
