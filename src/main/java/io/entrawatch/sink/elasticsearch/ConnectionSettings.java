package io.entrawatch.sink.elasticsearch;

import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The network settings of the sink: where Elasticsearch is, how to log in (basic auth or an API key),
 * an optional CA certificate for https, and the timeout of one request. Immutable and serializable,
 * because it travels with the sink to the TaskManagers.
 *
 * <p>Secrets arrive as values, already read by the caller, and are never shown: {@link #toString()}
 * masks them, and no exception or log line built here contains them. The CA certificate is carried as
 * PEM text, read once on the client, so TaskManagers need not have the file.
 */
public final class ConnectionSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> hosts;
    private final String username;
    private final String password;
    private final String apiKey;
    private final String caCertificatesPem;
    /** Where the CA PEM came from, for messages (a file name or "inline"). */
    private final String caCertificatesSource;
    private final Duration requestTimeout;

    private ConnectionSettings(Builder b) {
        this.hosts = List.copyOf(b.hosts);
        this.username = b.username;
        this.password = b.password;
        this.apiKey = b.apiKey;
        this.caCertificatesPem = b.caCertificatesPem;
        this.caCertificatesSource = b.caCertificatesSource;
        this.requestTimeout = b.requestTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<String> hosts() {
        return hosts;
    }

    /** Socket timeout of one HTTP call: a bulk without an answer for this long fails and is retried. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** A low-level REST client for these settings with their {@link #requestTimeout()}. The caller closes it. */
    public RestClient createClient() {
        return createClient(requestTimeout);
    }

    /**
     * A low-level REST client for these settings. Socket timeout = {@code requestTimeout}: a bulk that
     * gets no answer for that long fails and is retried. The caller closes it.
     */
    public RestClient createClient(Duration requestTimeout) {
        List<HttpHost> httpHosts = new ArrayList<>();
        String pathPrefix = null;
        for (String h : hosts) {
            URI uri = parseHost(h);
            httpHosts.add(new HttpHost(uri.getHost(), uri.getPort() < 0 ? defaultPort(uri) : uri.getPort(), uri.getScheme()));
            String path = uri.getRawPath() == null || uri.getRawPath().equals("/") ? "" : uri.getRawPath();
            if (pathPrefix != null && !pathPrefix.equals(path)) {
                throw new IllegalArgumentException("all Elasticsearch hosts must have the same path prefix");
            }
            pathPrefix = path;
        }
        RestClientBuilder builder = RestClient.builder(httpHosts.toArray(new HttpHost[0]));
        if (pathPrefix != null && !pathPrefix.isEmpty()) builder.setPathPrefix(pathPrefix);
        builder.setDefaultHeaders(authHeaders());
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis());
        builder.setRequestConfigCallback(rc -> rc.setConnectTimeout(Math.min(timeoutMs, 10_000))
                .setSocketTimeout(timeoutMs).setConnectionRequestTimeout(timeoutMs));
        if (caCertificatesPem != null) {
            SSLContext ssl = PemTrust.sslContext(caCertificatesPem, caCertificatesSource);
            builder.setHttpClientConfigCallback(hc -> hc.setSSLContext(ssl));
        }
        return builder.build();
    }

    /** Preemptive credentials: no 401 round trip per connection, and no credentials provider to leak them. */
    private Header[] authHeaders() {
        if (apiKey != null) return new Header[] {new BasicHeader("Authorization", "ApiKey " + apiKey)};
        if (username != null) {
            String token = Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
            return new Header[] {new BasicHeader("Authorization", "Basic " + token)};
        }
        return new Header[0];
    }

    /** Whether requests carry credentials (basic auth or an API key). */
    public boolean hasCredentials() {
        return apiKey != null || username != null;
    }

    /** The basic-auth user name (not a secret), or null. */
    public String username() {
        return username;
    }

    /**
     * {@code text} with the password, the API key and the basic-auth token replaced by {@code ***}: for
     * messages that quote a client error.
     */
    public String redact(String text) {
        if (text == null) return null;
        String out = text;
        for (Header h : authHeaders()) {
            String value = h.getValue();
            out = out.replace(value.substring(value.indexOf(' ') + 1), "***");
        }
        if (password != null) out = out.replace(password, "***");
        if (apiKey != null) out = out.replace(apiKey, "***");
        return out;
    }

    private static int defaultPort(URI uri) {
        return "https".equals(uri.getScheme()) ? 443 : 9200;
    }

    static URI parseHost(String host) {
        URI uri;
        try {
            uri = URI.create(host.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Elasticsearch host '" + host + "' is not a URL such as https://es.example.com:9200");
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme) || uri.getHost() == null) {
            throw new IllegalArgumentException("Elasticsearch host '" + host + "' must be http(s)://host[:port]");
        }
        if (uri.getUserInfo() != null) {
            // Never echo the URL back: it holds credentials.
            throw new IllegalArgumentException("Elasticsearch hosts must not carry credentials; use --es.username or an API key");
        }
        return uri;
    }

    @Override
    public String toString() {
        String auth = apiKey != null ? "apiKey=" + mask(apiKey)
                : username != null ? "user=" + username + ", password=" + mask(password) : "no auth";
        return "ConnectionSettings{hosts=" + hosts + ", " + auth + ", ca="
                + (caCertificatesPem == null ? "JVM trust store" : caCertificatesSource) + "}";
    }

    /** A secret for messages: never more than its length. */
    private static String mask(String secret) {
        return secret == null ? "(none)" : "(" + secret.length() + " characters, hidden)";
    }

    /** Builds {@link ConnectionSettings}; either basic auth or an API key, not both. */
    public static final class Builder {
        private List<String> hosts = List.of("http://localhost:9200");
        private String username;
        private String password;
        private String apiKey;
        private String caCertificatesPem;
        private String caCertificatesSource;
        private Duration requestTimeout = Duration.ofSeconds(60);

        private Builder() {}

        /** Base URLs, e.g. {@code https://es1:9200}; requests spread over them. */
        public Builder hosts(List<String> hosts) {
            if (hosts == null || hosts.isEmpty()) throw new IllegalArgumentException("at least one Elasticsearch host is needed");
            hosts.forEach(ConnectionSettings::parseHost);
            this.hosts = List.copyOf(hosts);
            return this;
        }

        public Builder hosts(String... hosts) {
            return hosts(List.of(hosts));
        }

        public Builder basicAuth(String username, String password) {
            if (username == null || username.isEmpty() || password == null) {
                throw new IllegalArgumentException("basic auth needs a user name and a password");
            }
            this.username = username;
            this.password = password;
            return this;
        }

        /** The encoded API key ({@code base64(id:key)}), sent as {@code Authorization: ApiKey <key>}. */
        public Builder apiKey(String apiKey) {
            if (apiKey == null || apiKey.isBlank()) throw new IllegalArgumentException("the API key is empty");
            this.apiKey = apiKey.strip();
            return this;
        }

        /** Trust exactly the CA certificates in this PEM file (instead of the JVM's trust store). */
        public Builder caCertificatesFile(Path pemFile) {
            try {
                this.caCertificatesPem = Files.readString(pemFile, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read CA file " + pemFile + ": " + e, e);
            }
            this.caCertificatesSource = pemFile.toString();
            PemTrust.certificates(caCertificatesPem, caCertificatesSource); // fail now, on the client, if unreadable
            return this;
        }

        /** Trust exactly the CA certificates in this PEM text. */
        public Builder caCertificatesPem(String pem) {
            PemTrust.certificates(pem, "inline PEM");
            this.caCertificatesPem = pem;
            this.caCertificatesSource = "inline PEM";
            return this;
        }

        /** Socket timeout of one HTTP call (default 60 s); a bulk without an answer for this long is retried. */
        public Builder requestTimeout(Duration requestTimeout) {
            if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("the request timeout must be positive");
            }
            this.requestTimeout = requestTimeout;
            return this;
        }

        public ConnectionSettings build() {
            if (apiKey != null && username != null) {
                throw new IllegalArgumentException("set either basic auth (--es.username) or an API key, not both");
            }
            return new ConnectionSettings(this);
        }
    }
}
