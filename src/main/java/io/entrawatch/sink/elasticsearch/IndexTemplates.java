package io.entrawatch.sink.elasticsearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RequestOptions;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The composable index templates of the alert and dead-letter indices (ECS types for alerts; a
 * dead-letter mapping that cannot refuse a payload), from {@code elasticsearch/*.json} in the job jar.
 * Installing is a PUT, so idempotent: each sink subtask does it before its first bulk, or the job's
 * {@code main()} calls {@link #install} before execution.
 *
 * <p>Each template is named after its index and matches the index itself and {@code <index>-*}
 * (rollover-style backing indices behind a write alias). The dead-letter template has the higher
 * priority, so it wins if the alert pattern happens to cover the dead-letter index.
 */
public final class IndexTemplates {
    static final String ALERTS_RESOURCE = "/elasticsearch/alerts-template.json";
    static final String DEAD_LETTERS_RESOURCE = "/elasticsearch/dead-letters-template.json";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final RequestOptions JSON_COMPAT = RequestOptions.DEFAULT.toBuilder()
            .addHeader("Accept", "application/vnd.elasticsearch+json; compatible-with=8")
            .build();
    private static final ContentType JSON_COMPAT_TYPE =
            ContentType.create("application/vnd.elasticsearch+json", new org.apache.http.NameValuePair[] {
                    new org.apache.http.message.BasicNameValuePair("compatible-with", "8")});

    private IndexTemplates() {}

    /** The template name for an index: the index name itself (template names are their own namespace). */
    public static String templateName(String index) {
        return index;
    }

    /**
     * Installs (or updates) both templates now, synchronously; for a job's {@code main()}.
     * {@code alertIndex} may be null to install only the dead-letter template.
     *
     * @throws IllegalStateException with Elasticsearch's reason when a template is refused or the
     *     cluster cannot be reached
     */
    public static void install(ConnectionSettings settings, String alertIndex, String deadLetterIndex) {
        try (RestClient client = settings.createClient(Duration.ofSeconds(30))) {
            installAsync(client, alertIndex, deadLetterIndex).join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("cannot install the index templates on " + settings.hosts() + ": "
                    + describe(cause), cause);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // closing the client
        }
    }

    /**
     * PUTs the templates, then bootstraps each name as a write alias ({@link #bootstrapWriteAlias});
     * the future fails with {@link TemplateRefusedException} or the I/O error.
     */
    static CompletableFuture<Void> installAsync(RestClient client, String alertIndex, String deadLetterIndex) {
        List<CompletableFuture<Void>> puts = new ArrayList<>();
        if (alertIndex != null) {
            puts.add(put(client, alertIndex, alertTemplate(alertIndex))
                    .thenCompose(ignored -> bootstrapWriteAlias(client, alertIndex)));
        }
        if (deadLetterIndex != null) {
            puts.add(put(client, deadLetterIndex, deadLetterTemplate(deadLetterIndex))
                    .thenCompose(ignored -> bootstrapWriteAlias(client, deadLetterIndex)));
        }
        return CompletableFuture.allOf(puts.toArray(new CompletableFuture[0]));
    }

    /** The first backing index behind the write alias {@code name}: {@code name-000001} (ILM rollover's naming). */
    public static String firstBackingIndex(String name) {
        return name + "-000001";
    }

    /** The optional component template that adds ILM settings (installed by deploy/elasticsearch/install). */
    public static String lifecycleComponentTemplate(String name) {
        return name + "-lifecycle";
    }

    /**
     * Makes {@code name} a write alias when nothing of that name exists yet: creates
     * {@code name-000001} with {@code name} as its write alias, so ILM can roll it over. Idempotent and
     * safe among concurrent sink subtasks: an existing alias or index (a deployment that writes to a
     * concrete index, or one bootstrapped by deploy/elasticsearch/install) is left as it is.
     */
    static CompletableFuture<Void> bootstrapWriteAlias(RestClient client, String name) {
        return send(client, new Request("HEAD", "/" + name), name, true).thenCompose(status -> {
            if (status != 404) return CompletableFuture.completedFuture(null);
            Request create = new Request("PUT", "/" + firstBackingIndex(name));
            ObjectNode body = MAPPER.createObjectNode();
            body.putObject("aliases").putObject(name).put("is_write_index", true);
            try {
                create.setEntity(new ByteArrayEntity(MAPPER.writeValueAsBytes(body), JSON_COMPAT_TYPE));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return send(client, create, name, false).thenApply(ignored -> null);
        });
    }

    /** Sends a request; completes with its status (404 too when {@code notFoundIsAnswer}); "already exists" is success. */
    private static CompletableFuture<Integer> send(RestClient client, Request request, String name, boolean notFoundIsAnswer) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        request.setOptions(JSON_COMPAT);
        client.performRequestAsync(request, new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                done.complete(response.getStatusLine().getStatusCode());
            }

            @Override
            public void onFailure(Exception e) {
                if (e instanceof ResponseException) {
                    Response r = ((ResponseException) e).getResponse();
                    int status = r.getStatusLine().getStatusCode();
                    String reason = status == 404 && notFoundIsAnswer ? null : BulkRequests.requestErrorReason(r);
                    if ((status == 404 && notFoundIsAnswer)
                            || (status == 400 && reason != null && reason.contains("already_exists"))) {
                        done.complete(status); // absent, or created meanwhile by another subtask
                        return;
                    }
                    done.completeExceptionally(new TemplateRefusedException("write alias " + name, request.getMethod()
                            + " " + request.getEndpoint(), status, reason));
                    return;
                }
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** The alert template, matching {@code alertIndex} and {@code alertIndex-*}. */
    static byte[] alertTemplate(String alertIndex) {
        return withPatterns(ALERTS_RESOURCE, alertIndex);
    }

    /** The dead-letter template, matching {@code deadLetterIndex} and {@code deadLetterIndex-*}. */
    static byte[] deadLetterTemplate(String deadLetterIndex) {
        return withPatterns(DEAD_LETTERS_RESOURCE, deadLetterIndex);
    }

    static ObjectNode load(String resource) {
        try (InputStream in = IndexTemplates.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is missing from the job jar");
            return (ObjectNode) MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static byte[] withPatterns(String resource, String index) {
        if (index.contains("*") || index.contains(",")) {
            throw new IllegalArgumentException("index '" + index + "' must be a plain index or alias name");
        }
        ObjectNode template = load(resource);
        template.putArray("index_patterns").add(index).add(index + "-*");
        // ILM settings come from an optional component template, so the same template works on
        // clusters with and without ILM (deploy/elasticsearch/install adds it)
        template.putArray("composed_of").add(lifecycleComponentTemplate(index));
        template.putArray("ignore_missing_component_templates").add(lifecycleComponentTemplate(index));
        try {
            return MAPPER.writeValueAsBytes(template);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CompletableFuture<Void> put(RestClient client, String index, byte[] body) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Request request = new Request("PUT", "/_index_template/" + templateName(index));
        request.setOptions(JSON_COMPAT);
        request.setEntity(new ByteArrayEntity(body, JSON_COMPAT_TYPE));
        client.performRequestAsync(request, new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                done.complete(null);
            }

            @Override
            public void onFailure(Exception e) {
                done.completeExceptionally(classify(templateName(index), e));
            }
        });
        return done;
    }

    private static Exception classify(String template, Exception e) {
        if (e instanceof ResponseException) {
            Response r = ((ResponseException) e).getResponse();
            int status = r.getStatusLine().getStatusCode();
            String reason = BulkRequests.requestErrorReason(r);
            return new TemplateRefusedException(template, status, reason);
        }
        return e;
    }

    static String describe(Throwable t) {
        return t instanceof TemplateRefusedException ? t.getMessage() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** Elasticsearch answered the template PUT with an error status. */
    static final class TemplateRefusedException extends IOException {
        private static final long serialVersionUID = 1L;
        final int status;

        TemplateRefusedException(String template, int status, String reason) {
            super("index template '" + template + "' refused with HTTP " + status + (reason == null ? "" : ": " + reason)
                    + (status == 403 ? " (the user needs the manage_index_templates privilege, or install the "
                            + "templates otherwise and set --es.install-template false)" : ""));
            this.status = status;
        }

        /** The write-alias bootstrap ({@code HEAD /name}, {@code PUT /name-000001}) was refused. */
        TemplateRefusedException(String what, String request, int status, String reason) {
            super(what + ": " + request + " refused with HTTP " + status + (reason == null ? "" : ": " + reason)
                    + (status == 403 ? " (creating an index with an alias needs the manage privilege on it, which the "
                            + "least-privilege role entrawatch_writer does not have: run deploy/elasticsearch/install once, "
                            + "which creates the write alias, or give the job's user manage on the -* backing indices)" : ""));
            this.status = status;
        }

        /** 408, 429, 5xx, and 401 (for a moment after a secured node starts): worth retrying. */
        boolean isRetryable() {
            return status == 401 || status == 408 || status == 429 || status >= 500;
        }
    }
}
