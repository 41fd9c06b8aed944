package io.entrawatch.exceptions;

import io.entrawatch.config.ElasticsearchOptions;
import io.entrawatch.config.ExceptionOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.model.SignIn;
import io.entrawatch.sink.elasticsearch.ConnectionSettings;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the pipeline's exceptions come from: none, a fixed set (replay), or snapshots polled while the job
 * runs (the live job), applied by {@link #applyTo} right after the ingest gate. Each sign-in leaves it marked
 * with the rules it is hidden from ({@link SignIn#hiddenFrom}), and each detection leaves out what is hidden
 * from it.
 */
public abstract class ExceptionsInput implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Marks the sign-ins; the step runs at their parallelism. */
    public abstract DataStream<SignIn> applyTo(DataStream<SignIn> signIns, RuleList rules);

    public static ExceptionsInput none() {
        return new None();
    }

    /** A set that does not change while the job runs. */
    public static ExceptionsInput fixed(List<ExceptionItem> exceptions) {
        return exceptions.isEmpty() ? none() : new Fixed(exceptions);
    }

    /** Snapshots polled while the job runs, through broadcast state. */
    public static ExceptionsInput live(DataStream<ExceptionSnapshot> snapshots) {
        return new Live(snapshots);
    }

    /**
     * {@code --exceptions.file}, validated as a whole now: a fixed set, or none without the option; an invalid
     * file throws {@link ExceptionDocuments.InvalidExceptionsException} naming each invalid exception.
     */
    public static ExceptionsInput fromFile(JobOptions options, RuleList rules) {
        String file = options.get(ExceptionOptions.FILE);
        return file == null ? none() : fixed(readFile(Path.of(file), rules));
    }

    /**
     * The live job's exceptions: {@code --exceptions.file} (validated now, then re-read every refresh) or else the
     * {@code --exceptions.index} in Elasticsearch; none when the index option is empty.
     */
    public static ExceptionsInput fromOptions(StreamExecutionEnvironment env, JobOptions options, RuleList rules,
            ConnectionSettings elasticsearch) {
        String file = options.get(ExceptionOptions.FILE);
        String index = options.get(ExceptionOptions.INDEX);
        ExceptionsSource.Reader reader;
        if (file != null) {
            readFile(Path.of(file), rules);
            reader = ExceptionsSource.file(Path.of(file));
        } else if (index != null && !index.isBlank()) {
            reader = ExceptionsSource.index(elasticsearch, index, options.get(ElasticsearchOptions.INSTALL_TEMPLATE));
        } else {
            return none();
        }
        DataStream<ExceptionSnapshot> snapshots = env
                .fromSource(ExceptionsSource.create(reader, rules, options.get(ExceptionOptions.REFRESH)),
                        ExceptionsSource.watermarks(), "Exceptions: " + reader.origin())
                .setParallelism(1)
                .uid("exceptions-source");
        return live(snapshots);
    }

    private static List<ExceptionItem> readFile(Path file, RuleList rules) {
        try {
            return ExceptionDocuments.readFile(file, rules.parser());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the exceptions file " + file + ": " + e.getMessage(), e);
        }
    }

    private static final class None extends ExceptionsInput {
        private static final long serialVersionUID = 1L;

        @Override
        public DataStream<SignIn> applyTo(DataStream<SignIn> signIns, RuleList rules) {
            return signIns;
        }
    }

    private static final class Fixed extends ExceptionsInput {
        private static final long serialVersionUID = 1L;
        private final List<ExceptionItem> exceptions;

        Fixed(List<ExceptionItem> exceptions) {
            this.exceptions = List.copyOf(exceptions);
        }

        @Override
        public DataStream<SignIn> applyTo(DataStream<SignIn> signIns, RuleList rules) {
            return signIns.map(new FixedExceptions(exceptions, rules)).setParallelism(signIns.getParallelism())
                    .name("Exceptions: " + exceptions.size() + " fixed");
        }
    }

    private static final class Live extends ExceptionsInput {
        private static final long serialVersionUID = 1L;
        private final transient DataStream<ExceptionSnapshot> snapshots;

        Live(DataStream<ExceptionSnapshot> snapshots) {
            this.snapshots = snapshots;
        }

        @Override
        public DataStream<SignIn> applyTo(DataStream<SignIn> signIns, RuleList rules) {
            return signIns.connect(snapshots.broadcast(LiveExceptions.STATE))
                    .process(new LiveExceptions(rules))
                    .setParallelism(signIns.getParallelism())
                    .uid("exceptions").name("Exceptions: broadcast");
        }
    }
}
