package io.entrawatch.preflight;

import io.entrawatch.config.DeadLetterOptions;
import io.entrawatch.config.PreflightOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrawatch.config.Durations;
import io.entrawatch.config.ElasticsearchOptions;
import io.entrawatch.config.JobOptions;
import io.entrawatch.config.Secrets;
import io.entrawatch.sink.elasticsearch.ConnectionSettings;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Elasticsearch part of the start-up check, with the job's own {@link ConnectionSettings} (hosts,
 * credentials, CA): {@code POST /_security/user/_has_privileges} for the privileges the job uses on the
 * alert and dead-letter indices. Any user may ask this about itself, so it tests TLS, the credentials
 * and the role in one go. A cluster without security answers that it has no such endpoint; then
 * reaching it is all there is to check.
 *
 * <p>What the job uses depends on {@code --es.install-template}. With false (production, after
 * deploy/elasticsearch/install ran as {@code entrawatch_installer}) it only writes through the write
 * aliases: {@code index} and {@code view_index_metadata} on both names, the role {@code entrawatch_writer},
 * no cluster privilege; and since it creates nothing, both names must exist ({@code HEAD}, which
 * {@code view_index_metadata} allows). With true it also installs the templates and bootstraps the
 * aliases: {@code manage_index_templates}, and {@code create_index} on both names.
 */
final class ElasticsearchCheck {
    static final String ROLE = "entrawatch_writer";
    static final String ROLE_FILE = "deploy/elasticsearch/role-entrawatch-writer.json";
    static final String INSTALLER_ROLE = "entrawatch_installer";
    static final String INSTALL_SCRIPT = "deploy/elasticsearch/install";
    private static final String INSTALL_TEMPLATE = "--" + ElasticsearchOptions.INSTALL_TEMPLATE.name;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOSTS = "--" + ElasticsearchOptions.HOSTS.name;
    private static final String CA_FILE = "--" + ElasticsearchOptions.CA_FILE.name;

    private ElasticsearchCheck() {}

    static List<String> run(JobOptions options, Map<String, String> environment, Duration timeout) {
        ConnectionSettings settings;
        try {
            settings = ElasticsearchOptions.connection(options, environment);
        } catch (IllegalArgumentException e) {
            return List.of(e.getMessage()); // the settings' own messages name the option and hold no secret
        }
        String hosts = String.join(",", settings.hosts());
        Request request = new Request("POST", "/_security/user/_has_privileges");
        request.setJsonEntity(privilegesRequest(options).toString());
        try (RestClient client = settings.createClient(timeout)) {
            Response response;
            try {
                response = client.performRequest(request);
            } catch (ResponseException e) {
                List<String> problems = answer(options, settings, hosts, e);
                // security off: nothing to check but that the names exist when the job creates none
                return problems.isEmpty() ? missingNames(options, client) : problems;
            }
            JsonNode body = JSON.readTree(EntityUtils.toString(response.getEntity()));
            if (!body.path("has_all_requested").asBoolean(false)) {
                return List.of(settings.redact(missingPrivileges(options, settings, body)));
            }
            return missingNames(options, client);
        } catch (IOException | RuntimeException e) {
            return List.of(settings.redact(connectionProblem(options, hosts, timeout, e)));
        }
    }

    /**
     * What the job does: index into both names and look them up ({@code view_index_metadata}); when it
     * installs the templates, also {@code manage_index_templates} and {@code create_index} for the aliases'
     * first indices. Without the install it needs no cluster privilege and creates no index.
     */
    static ObjectNode privilegesRequest(JobOptions options) {
        boolean installs = options.get(ElasticsearchOptions.INSTALL_TEMPLATE);
        ObjectNode body = JSON.createObjectNode();
        ArrayNode cluster = body.putArray("cluster");
        if (installs) cluster.add("manage_index_templates");
        ObjectNode index = body.putArray("index").addObject();
        index.putArray("names").add(options.get(ElasticsearchOptions.INDEX)).add(options.get(DeadLetterOptions.INDEX));
        ArrayNode privileges = index.putArray("privileges").add("index");
        if (installs) privileges.add("create_index");
        privileges.add("view_index_metadata");
        return body;
    }

    /**
     * With {@code --es.install-template false} the job creates no index, so the alert and dead-letter
     * names must exist (the write aliases deploy/elasticsearch/install bootstraps, or concrete indices):
     * one problem per missing name. With true the job creates them itself, and nothing is checked.
     */
    static List<String> missingNames(JobOptions options, RestClient client) throws IOException {
        if (options.get(ElasticsearchOptions.INSTALL_TEMPLATE)) return List.of();
        List<String> problems = new ArrayList<>();
        Map<String, String> names = new java.util.LinkedHashMap<>();
        names.put(options.get(ElasticsearchOptions.INDEX), "--" + ElasticsearchOptions.INDEX.name);
        names.putIfAbsent(options.get(DeadLetterOptions.INDEX), "--" + DeadLetterOptions.INDEX.name);
        for (Map.Entry<String, String> name : names.entrySet()) {
            int status;
            try {
                status = client.performRequest(new Request("HEAD", "/" + name.getKey())).getStatusLine().getStatusCode();
            } catch (ResponseException e) {
                status = e.getResponse().getStatusLine().getStatusCode();
            }
            if (status == 404) {
                problems.add("Elasticsearch has no index or alias '" + name.getKey() + "' (" + name.getValue() + ") and "
                        + INSTALL_TEMPLATE + " is false, so the job creates none: run " + INSTALL_SCRIPT + " first (as a user with the role "
                        + INSTALLER_ROLE + "), which creates the write alias with its template, or check " + name.getValue());
            }
        }
        return problems;
    }

    private static String missingPrivileges(JobOptions options, ConnectionSettings settings, JsonNode body) {
        List<String> missing = new ArrayList<>();
        collectFalse(body.path("cluster"), "cluster", missing);
        for (Iterator<Map.Entry<String, JsonNode>> it = body.path("index").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            collectFalse(e.getValue(), "'" + e.getKey() + "'", missing);
        }
        String user = body.path("username").asText(settings.username() == null ? "?" : settings.username());
        String role = "the role " + ROLE + " (" + ROLE_FILE + ", with the names of --" + ElasticsearchOptions.INDEX.name
                + " and --" + DeadLetterOptions.INDEX.name + ")";
        String fix = options.get(ElasticsearchOptions.INSTALL_TEMPLATE)
                ? "with " + INSTALL_TEMPLATE + " true the job installs its templates and write aliases itself, which needs "
                        + INSTALLER_ROLE + " as well as " + role + "; or run " + INSTALL_SCRIPT + " as a user with "
                        + INSTALLER_ROLE + ", then start the job with " + INSTALL_TEMPLATE + " false and only " + ROLE
                : "give it " + role;
        return "Elasticsearch user '" + user + "' lacks privileges the job needs (" + String.join("; ", missing) + "): " + fix;
    }

    private static void collectFalse(JsonNode privileges, String on, List<String> out) {
        Set<String> names = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = privileges.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            if (!p.getValue().asBoolean(true)) names.add(p.getKey());
        }
        if (!names.isEmpty()) out.add(on + ": " + String.join(", ", names));
    }

    /** Elasticsearch answered with an error status. */
    private static List<String> answer(JobOptions options, ConnectionSettings settings, String hosts, ResponseException e) {
        int status = e.getResponse().getStatusLine().getStatusCode();
        String body;
        try {
            body = e.getResponse().getEntity() == null ? "" : EntityUtils.toString(e.getResponse().getEntity());
        } catch (IOException | RuntimeException ignored) {
            body = "";
        }
        if (status == 400 && body.contains("no handler found")) {
            return List.of(); // security is off: no credentials or privileges to check, and the node answered
        }
        if (status == 401) return List.of(credentialsRefused(options, settings, hosts));
        if (status == 403) {
            return List.of("Elasticsearch at " + hosts + " refused the privileges check of " + who(settings)
                    + " (HTTP 403): give it the role " + ROLE + " (" + ROLE_FILE + ")");
        }
        return List.of(settings.redact("Elasticsearch at " + hosts + " answered HTTP " + status
                + " to the privileges check [" + Causes.oneLine(body) + "]: check " + HOSTS + " (the URL of Elasticsearch itself)"));
    }

    private static String credentialsRefused(JobOptions options, ConnectionSettings settings, String hosts) {
        String user = options.get(ElasticsearchOptions.USERNAME);
        if (user != null) {
            String file = options.get(ElasticsearchOptions.PASSWORD_FILE);
            return "Elasticsearch at " + hosts + " refused the password of user '" + user + "' (HTTP 401): check --"
                    + ElasticsearchOptions.USERNAME.name + " and " + Secrets.ES_PASSWORD_ENV + " or --" + ElasticsearchOptions.PASSWORD_FILE.name
                    + " (now: " + (file != null ? "the file " + file : "the environment variable " + Secrets.ES_PASSWORD_ENV) + ")";
        }
        if (settings.hasCredentials()) {
            String file = options.get(ElasticsearchOptions.API_KEY_FILE);
            return "Elasticsearch at " + hosts + " refused the API key (HTTP 401): check " + Secrets.ES_API_KEY_ENV
                    + " or --" + ElasticsearchOptions.API_KEY_FILE.name + " (now: "
                    + (file != null ? "the file " + file : "the environment variable " + Secrets.ES_API_KEY_ENV)
                    + "; the encoded key, base64 of 'id:key', not expired or invalidated)";
        }
        return "Elasticsearch at " + hosts + " requires credentials (HTTP 401): set --" + ElasticsearchOptions.USERNAME.name
                + " with " + Secrets.ES_PASSWORD_ENV + " (or --" + ElasticsearchOptions.PASSWORD_FILE.name + "), or "
                + Secrets.ES_API_KEY_ENV + " (or --" + ElasticsearchOptions.API_KEY_FILE.name + ")";
    }

    private static String who(ConnectionSettings settings) {
        return settings.username() != null ? "user '" + settings.username() + "'"
                : settings.hasCredentials() ? "the API key" : "an anonymous request";
    }

    /** No HTTP answer: TLS, name resolution, network. */
    private static String connectionProblem(JobOptions options, String hosts, Duration timeout, Exception e) {
        String detail = " [" + Causes.rootDetail(e) + "]";
        if (Causes.find(e, SSLPeerUnverifiedException.class) != null
                || Causes.mentions(e, "does not match the certificate", "subject alternative name", "No name matching")) {
            return "the Elasticsearch certificate does not name the host in " + HOSTS + " (now: " + hosts
                    + "): use a host name the certificate holds" + detail;
        }
        if (Causes.mentions(e, "PKIX", "certification path", "CertPathBuilder", "CertPathValidator")) {
            String ca = options.get(ElasticsearchOptions.CA_FILE);
            return "the Elasticsearch certificate of " + hosts + " is not trusted: check " + CA_FILE + " (now: "
                    + (ca == null ? "the JVM trust store" : ca) + ")" + detail;
        }
        if (Causes.find(e, SSLException.class) != null) {
            return "the TLS handshake with Elasticsearch at " + hosts + " failed: check http:// or https:// and the port in "
                    + HOSTS + ", and " + CA_FILE + detail;
        }
        if (Causes.find(e, UnknownHostException.class) != null) {
            return "cannot resolve the Elasticsearch host in " + HOSTS + " (now: " + hosts + ")" + detail;
        }
        if (Causes.find(e, SocketTimeoutException.class) != null
                || Causes.find(e, org.apache.http.conn.ConnectTimeoutException.class) != null) {
            return Preflight.NO_ANSWER + "Elasticsearch at " + hosts + " within " + Durations.format(timeout) + ": check " + HOSTS
                    + " (host, port, http/https), that this network reaches it, and --" + PreflightOptions.TIMEOUT.name + detail;
        }
        if (Causes.find(e, ConnectException.class) != null || Causes.find(e, NoRouteToHostException.class) != null) {
            return Preflight.CANNOT_REACH + "Elasticsearch at " + hosts + ": check " + HOSTS
                    + " (host, port, http/https) and that this network reaches it" + detail;
        }
        return "the Elasticsearch check against " + hosts + " failed: check " + HOSTS + " (host, port, http/https)" + detail;
    }
}
