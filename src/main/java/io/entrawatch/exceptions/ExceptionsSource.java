package io.entrawatch.exceptions;

import io.entrawatch.sink.elasticsearch.ConnectionSettings;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.metrics.Counter;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The live job's exceptions source: one reader that polls the exceptions index (or file) every
 * {@code --exceptions.refresh} and emits what it found as an {@link ExceptionSnapshot} for
 * {@link LiveExceptions} to broadcast. Invalid documents are left out, each logged with its id and reason
 * (when the set of problems changes) and counted by the gauge {@code entrawatch.exceptions.invalidDocuments};
 * a source that cannot be read yields an "unavailable" snapshot and the last set stays in force.
 *
 * <p>It never holds back event time: its watermark is always the end of time, so the sign-ins' watermarks
 * alone drive the detections' windows.
 */
public final class ExceptionsSource {
    private ExceptionsSource() {}

    /** Reads the documents; throws IOException when the source cannot be read now. */
    public interface Reader extends Serializable {
        String origin();

        default void open() throws Exception {}

        List<ExceptionDocuments.Document> read() throws IOException;

        default void close() throws Exception {}
    }

    /** The source for {@code reader}, polled every {@code refresh} (the first poll at start). */
    public static DataGeneratorSource<ExceptionSnapshot> create(Reader reader, RuleList rules, Duration refresh) {
        double perSecond = 1000.0 / Math.max(1, refresh.toMillis());
        return new DataGeneratorSource<>(new Poll(reader, rules), Long.MAX_VALUE, RateLimiterStrategy.perSecond(perSecond),
                TypeInformation.of(ExceptionSnapshot.class));
    }

    /** Its watermark is the end of time, so a connected stream's watermark is the sign-ins' alone. */
    public static WatermarkStrategy<ExceptionSnapshot> watermarks() {
        return WatermarkStrategy.forGenerator(ctx -> new WatermarkGenerator<>() {
            @Override
            public void onEvent(ExceptionSnapshot event, long eventTimestamp, WatermarkOutput output) {
                output.emitWatermark(new Watermark(Long.MAX_VALUE));
            }

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                output.emitWatermark(new Watermark(Long.MAX_VALUE));
            }
        });
    }

    /** An exceptions file, re-read at every poll; a missing or unreadable file keeps the last set. */
    public static Reader file(Path file) {
        return new FileReader(file.toAbsolutePath().toString());
    }

    /** The exceptions index; creates it with its mapping first when {@code install} is set. */
    public static Reader index(ConnectionSettings connection, String index, boolean install) {
        return new IndexReader(connection, index, install);
    }

    private static final class FileReader implements Reader {
        private static final long serialVersionUID = 1L;
        private final String path;

        FileReader(String path) {
            this.path = path;
        }

        @Override
        public String origin() {
            return "file " + path;
        }

        @Override
        public List<ExceptionDocuments.Document> read() throws IOException {
            Path p = Path.of(path);
            if (!Files.isRegularFile(p)) throw new IOException(path + " does not exist or is not a file");
            return ExceptionDocuments.lines(p);
        }
    }

    private static final class IndexReader implements Reader {
        private static final long serialVersionUID = 1L;
        private static final Logger LOG = LoggerFactory.getLogger(ExceptionsSource.class);
        private final ConnectionSettings connection;
        private final String index;
        private final boolean install;
        private transient RestClient client;
        private transient boolean installed;

        IndexReader(ConnectionSettings connection, String index, boolean install) {
            this.connection = connection;
            this.index = index;
            this.install = install;
        }

        @Override
        public String origin() {
            return "Elasticsearch index " + index;
        }

        @Override
        public void open() {
            client = connection.createClient(Duration.ofSeconds(10));
        }

        @Override
        public List<ExceptionDocuments.Document> read() throws IOException {
            ExceptionsIndex exceptions = new ExceptionsIndex(client, index);
            if (install && !installed) {
                if (exceptions.install()) LOG.info("exceptions: created the index {} with its mapping", index);
                installed = true;
            }
            return exceptions.readAll();
        }

        @Override
        public void close() throws IOException {
            if (client != null) client.close();
        }
    }

    /** One poll per generated number: read, validate, report what changed. */
    private static final class Poll implements GeneratorFunction<Long, ExceptionSnapshot> {
        private static final long serialVersionUID = 1L;
        private static final Logger LOG = LoggerFactory.getLogger(ExceptionsSource.class);
        private final Reader reader;
        private final RuleList rules;
        private transient ExceptionParser parser;
        private transient Counter unavailable;
        private transient volatile int invalidNow;
        private transient List<String> lastProblems;
        private transient String lastFailure;

        Poll(Reader reader, RuleList rules) {
            this.reader = reader;
            this.rules = rules;
        }

        @Override
        public void open(SourceReaderContext context) throws Exception {
            parser = rules.parser();
            var group = context.metricGroup().addGroup("entrawatch").addGroup("exceptions");
            group.gauge("invalidDocuments", () -> invalidNow);
            unavailable = group.counter("sourceUnavailable");
            lastProblems = List.of();
            reader.open();
        }

        @Override
        public ExceptionSnapshot map(Long ignored) {
            long now = System.currentTimeMillis();
            List<ExceptionDocuments.Document> docs;
            try {
                docs = reader.read();
            } catch (Exception e) {
                unavailable.inc();
                String failure = String.valueOf(e.getMessage());
                if (!failure.equals(lastFailure)) {
                    LOG.warn("exceptions: cannot read {} ({}); the last set stays in force, retrying every poll", reader.origin(), failure);
                }
                lastFailure = failure;
                return ExceptionSnapshot.unavailable(reader.origin(), failure, now);
            }
            if (lastFailure != null) LOG.info("exceptions: {} is readable again", reader.origin());
            lastFailure = null;
            ExceptionDocuments.Validated v = ExceptionDocuments.validate(docs, parser);
            invalidNow = v.problems().size();
            if (!v.problems().equals(lastProblems)) {
                for (String p : v.problems()) LOG.warn("exceptions: skipped invalid {} in {}", p, reader.origin());
                lastProblems = v.problems();
            }
            return ExceptionSnapshot.of(reader.origin(), v.valid(), now);
        }

        @Override
        public void close() throws Exception {
            reader.close();
        }
    }
}
