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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Installs the {@link IndexTemplates} of the alert and dead-letter indices and bootstraps each as a
 * write alias: the one place that writes templates and aliases to Elasticsearch. Installing is a PUT,
 * so idempotent: each sink writer calls {@link #ensureInstalled} before its bulks, and tools call
 * {@link #install} once.
 */
public final class IndexTemplateInstaller {
    /** The sink writer's logger, so the "installed" line keeps its category. */
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSinkWriter.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final RequestOptions JSON_COMPAT = RequestOptions.DEFAULT.toBuilder()
            .addHeader("Accept", "application/vnd.elasticsearch+json; compatible-with=8")
            .build();
    private static final ContentType JSON_COMPAT_TYPE =
            ContentType.create("application/vnd.elasticsearch+json", new org.apache.http.NameValuePair[] {
                    new org.apache.http.message.BasicNameValuePair("compatible-with", "8")});

    private final RestClient client;
    private final String alertIndex;
    private final String deadLetterIndex;

    /** Completed once the templates are in place; replaced after a failure. One thread only (the writer's mailbox). */
    private CompletableFuture<Void> installed;

    /** Either index may be null to install only the other's template. The caller closes the client. */
    IndexTemplateInstaller(RestClient client, String alertIndex, String deadLetterIndex) {
        this.client = client;
        this.alertIndex = alertIndex;
        this.deadLetterIndex = deadLetterIndex;
    }

    /**
     * Installs (or updates) both templates now, synchronously; for tools and a job's {@code main()}.
     * {@code alertIndex} may be null to install only the dead-letter template.
     *
     * @throws IllegalStateException with Elasticsearch's reason when a template is refused or the
     *     cluster cannot be reached
     */
    public static void install(ConnectionSettings settings, String alertIndex, String deadLetterIndex) {
        try (RestClient client = settings.createClient(Duration.ofSeconds(30))) {
            new IndexTemplateInstaller(client, alertIndex, deadLetterIndex).installAsync().join();
        } catch (CompletionException e) {
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
    CompletableFuture<Void> installAsync() {
        List<CompletableFuture<Void>> puts = new ArrayList<>();
        if (alertIndex != null) {
            puts.add(put(alertIndex, IndexTemplates.alertTemplate(alertIndex))
                    .thenCompose(ignored -> bootstrapWriteAlias(alertIndex)));
        }
        if (deadLetterIndex != null) {
            puts.add(put(deadLetterIndex, IndexTemplates.deadLetterTemplate(deadLetterIndex))
                    .thenCompose(ignored -> bootstrapWriteAlias(deadLetterIndex)));
        }
        return CompletableFuture.allOf(puts.toArray(new CompletableFuture[0]));
    }

    /**
     * For a sink writer, before each bulk: the first call installs, later calls share its result;
     * after a failure the next call tries again. Logs once installed.
     */
    CompletableFuture<Void> ensureInstalled(String subtask) {
        CompletableFuture<Void> t = installed;
        if (t == null || t.isCompletedExceptionally()) {
            t = installAsync();
            t.thenRun(() -> LOG.info("Elasticsearch sink {}: index templates for {} and {} are installed", subtask,
                    alertIndex, deadLetterIndex));
            installed = t;
        }
        return t;
    }

    /**
     * Makes {@code name} a write alias when nothing of that name exists yet: creates
     * {@code name-000001} with {@code name} as its write alias, so ILM can roll it over. Idempotent and
     * safe among concurrent sink subtasks: an existing alias or index (a deployment that writes to a
     * concrete index, or one bootstrapped by deploy/elasticsearch/install) is left as it is.
     */
    CompletableFuture<Void> bootstrapWriteAlias(String name) {
        return send(new Request("HEAD", "/" + name), name, true).thenCompose(status -> {
            if (status != 404) return CompletableFuture.completedFuture(null);
            Request create = new Request("PUT", "/" + IndexTemplates.firstBackingIndex(name));
            ObjectNode body = MAPPER.createObjectNode();
            body.putObject("aliases").putObject(name).put("is_write_index", true);
            try {
                create.setEntity(new ByteArrayEntity(MAPPER.writeValueAsBytes(body), JSON_COMPAT_TYPE));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return send(create, name, false).thenApply(ignored -> null);
        });
    }

    /** Sends a request; completes with its status (404 too when {@code notFoundIsAnswer}); "already exists" is success. */
    private CompletableFuture<Integer> send(Request request, String name, boolean notFoundIsAnswer) {
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

    private CompletableFuture<Void> put(String index, byte[] body) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Request request = new Request("PUT", "/_index_template/" + IndexTemplates.templateName(index));
        request.setOptions(JSON_COMPAT);
        request.setEntity(new ByteArrayEntity(body, JSON_COMPAT_TYPE));
        client.performRequestAsync(request, new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                done.complete(null);
            }

            @Override
            public void onFailure(Exception e) {
                done.completeExceptionally(classify(IndexTemplates.templateName(index), e));
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
                    + (status == 403 ? " (installing templates needs the manage_index_templates privilege, which the job's "
                            + "role entrawatch_writer does not have: run deploy/elasticsearch/install as a user with the role "
                            + "entrawatch_installer and start the job with --es.install-template false)" : ""));
            this.status = status;
        }

        /** The write-alias bootstrap ({@code HEAD /name}, {@code PUT /name-000001}) was refused. */
        TemplateRefusedException(String what, String request, int status, String reason) {
            super(what + ": " + request + " refused with HTTP " + status + (reason == null ? "" : ": " + reason)
                    + (status == 403 ? " (creating an index with an alias needs the manage privilege on it, which the "
                            + "job's role entrawatch_writer does not have: run deploy/elasticsearch/install as a user with the role "
                            + "entrawatch_installer, which creates the write alias, and start the job with --es.install-template false)" : ""));
            this.status = status;
        }

        /** 408, 429, 5xx, and 401 (for a moment after a secured node starts): worth retrying. */
        boolean isRetryable() {
            return status == 401 || status == 408 || status == 429 || status >= 500;
        }
    }
}
