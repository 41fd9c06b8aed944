package io.entrawatch.detect;

import io.entrawatch.config.JobOptions;
import io.entrawatch.config.Option;

import java.util.Optional;
import java.util.function.Function;

/**
 * How the job makes a detection from its options: the rule it raises, the option that switches it on,
 * and its constructor. Each detection package declares one; the pipeline's catalogue lists them.
 */
public final class DetectionFactory<D extends Detection> {
    private final RuleMetadata rule;
    private final Option<Boolean> enabled;
    private final Function<JobOptions, D> create;

    public DetectionFactory(RuleMetadata rule, Option<Boolean> enabled, Function<JobOptions, D> create) {
        this.rule = rule;
        this.enabled = enabled;
        this.create = create;
    }

    public RuleMetadata rule() {
        return rule;
    }

    /** The option that switches the detection on or off, e.g. {@code --spray.enabled}. */
    public Option<Boolean> enabledOption() {
        return enabled;
    }

    /** The detection with its options, or nothing when it is switched off. */
    public Optional<Detection> fromOptions(JobOptions options) {
        return options.get(enabled) ? Optional.of(create.apply(options)) : Optional.empty();
    }

    /** The detection with its options, switched on or not (tests, benchmarks). */
    public D create(JobOptions options) {
        return create.apply(options);
    }
}
