package io.entrawatch.sink.elasticsearch;

import java.io.Serializable;

/**
 * Which index templates the sink installs before its first bulk (see {@link IndexTemplateInstaller}):
 * the alert template (ECS alert mapping) for {@code alertIndex} and the dead-letter template for the
 * {@link DeadLetterRouting} index, each with its write alias. The converter still decides where each
 * document goes. Immutable and serializable.
 */
public final class IndexTemplateSettings implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final IndexTemplateSettings NONE = new IndexTemplateSettings(null, false);

    private final String alertIndex;
    private final boolean install;

    private IndexTemplateSettings(String alertIndex, boolean install) {
        this.alertIndex = alertIndex;
        this.install = install;
    }

    /** Install both templates, the alert template for {@code alertIndex}. */
    public static IndexTemplateSettings install(String alertIndex) {
        return of(alertIndex, true);
    }

    /**
     * The alert index, and whether to install the templates (when not, they are installed otherwise,
     * e.g. by deploy/elasticsearch/install); the alert index must differ from the dead-letter index.
     */
    public static IndexTemplateSettings of(String alertIndex, boolean install) {
        if (alertIndex == null || alertIndex.isEmpty()) throw new IllegalArgumentException("the alert index is empty");
        return new IndexTemplateSettings(alertIndex, install);
    }

    /** No alert index, nothing installed (the default). */
    public static IndexTemplateSettings none() {
        return NONE;
    }

    /** The alert index, or null. */
    public String alertIndex() {
        return alertIndex;
    }

    public boolean installs() {
        return install;
    }

    @Override
    public String toString() {
        return "IndexTemplateSettings{alertIndex=" + alertIndex + ", install=" + install + "}";
    }
}
