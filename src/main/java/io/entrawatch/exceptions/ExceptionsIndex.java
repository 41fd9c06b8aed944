package io.entrawatch.exceptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The exceptions index in Elasticsearch (default {@code entrawatch-exceptions}): one document per exception,
 * in the same shape as a line of an exceptions file, with {@code _id} = the exception's id. Read by the live
 * job's exceptions source and written by {@code jobs/exceptions}.
 */
public final class ExceptionsIndex {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 1000;

    private final RestClient client;
    private final String index;

    public ExceptionsIndex(RestClient client, String index) {
        this.client = client;
        this.index = index;
    }

    public String name() {
        return index;
    }

    /** The index's mapping and settings (src/main/resources/elasticsearch/exceptions-mapping.json). */
    public static String mapping() {
        try (InputStream in = ExceptionsIndex.class.getResourceAsStream("/elasticsearch/exceptions-mapping.json")) {
            if (in == null) throw new IllegalStateException("exceptions-mapping.json is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates the index with its mapping unless it exists; true when it was created now. */
    public boolean install() throws IOException {
        if (exists()) return false;
        Request put = new Request("PUT", "/" + index);
        put.setEntity(new StringEntity(mapping(), ContentType.APPLICATION_JSON));
        try {
            client.performRequest(put);
            return true;
        } catch (ResponseException e) {
            if (EntityUtils.toString(e.getResponse().getEntity()).contains("resource_already_exists_exception")) return false;
            throw e;
        }
    }

    public boolean exists() throws IOException {
        Response r = client.performRequest(new Request("HEAD", "/" + index));
        return r.getStatusLine().getStatusCode() == 200;
    }

    /**
     * Every document, in the order Elasticsearch returns them (_doc); none when the index does not exist. An index
     * that cannot be searched (closed, no shard available) or only in part throws: that is not the set of exceptions.
     */
    public List<ExceptionDocuments.Document> readAll() throws IOException {
        List<ExceptionDocuments.Document> docs = new ArrayList<>();
        Request search = new Request("POST", "/" + index + "/_search");
        search.addParameter("scroll", "1m");
        search.setJsonEntity("{\"size\":" + PAGE + ",\"sort\":[\"_doc\"]}");
        JsonNode page;
        try {
            page = JSON.readTree(EntityUtils.toString(client.performRequest(search).getEntity()));
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) return docs;
            throw e;
        }
        String scrollId = page.path("_scroll_id").asText(null);
        try {
            while (true) {
                if (page.path("_shards").path("failed").asInt(0) > 0 || page.path("timed_out").asBoolean(false)) {
                    throw new IOException("only part of " + index + " could be read (shards " + page.path("_shards") + ")");
                }
                JsonNode hits = page.path("hits").path("hits");
                if (!hits.isArray() || hits.isEmpty()) break;
                for (JsonNode hit : hits) {
                    docs.add(new ExceptionDocuments.Document("document _id=" + hit.path("_id").asText(),
                            JSON.writeValueAsString(hit.path("_source"))));
                }
                if (hits.size() < PAGE || scrollId == null) break;
                Request next = new Request("POST", "/_search/scroll");
                next.setJsonEntity("{\"scroll\":\"1m\",\"scroll_id\":" + JSON.writeValueAsString(scrollId) + "}");
                page = JSON.readTree(EntityUtils.toString(client.performRequest(next).getEntity()));
                scrollId = page.path("_scroll_id").asText(scrollId);
            }
        } finally {
            if (scrollId != null) {
                Request clear = new Request("DELETE", "/_search/scroll");
                clear.setJsonEntity("{\"scroll_id\":" + JSON.writeValueAsString(scrollId) + "}");
                try {
                    client.performRequest(clear);
                } catch (IOException ignored) {
                    // the scroll expires by itself after a minute
                }
            }
        }
        return docs;
    }

    /** Indexes (creates or replaces) an exception under its id; visible to searches when this returns. */
    public void put(ExceptionItem exception) throws IOException {
        Request put = new Request("PUT", "/" + index + "/_doc/" + pathSegment(exception.id));
        put.addParameter("refresh", "wait_for");
        put.setEntity(new StringEntity(exception.json, ContentType.APPLICATION_JSON));
        client.performRequest(put);
    }

    /** The document of {@code id}, if there is one. */
    public Optional<String> get(String id) throws IOException {
        try {
            Response r = client.performRequest(new Request("GET", "/" + index + "/_source/" + pathSegment(id)));
            return Optional.of(EntityUtils.toString(r.getEntity()));
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) return Optional.empty();
            throw e;
        }
    }

    /** Deletes the document of {@code id}; false when there was none. */
    public boolean delete(String id) throws IOException {
        Request delete = new Request("DELETE", "/" + index + "/_doc/" + pathSegment(id));
        delete.addParameter("refresh", "wait_for");
        try {
            client.performRequest(delete);
            return true;
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) return false;
            throw e;
        }
    }

    /**
     * {@code id} as one URL path segment: percent-encoded, a space as {@code %20} (URLEncoder's form encoding
     * writes {@code +}, which a path keeps as a plus: the document would get another _id than the exception's id).
     */
    static String pathSegment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code json} with {@code field} set to {@code value} (a top-level string field). */
    public static String with(String json, String field, String value) throws IOException {
        ObjectNode node = (ObjectNode) JSON.readTree(json);
        node.put(field, value);
        return JSON.writeValueAsString(node);
    }
}
