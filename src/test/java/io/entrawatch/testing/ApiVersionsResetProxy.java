package io.entrawatch.testing;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a {@link LocalKafka} listener that behaves as Azure Event Hubs' Kafka endpoint
 * has been reported to: it resets the connection (TCP RST: {@code SO_LINGER 0}, no TLS close_notify) when
 * a client sends an ApiVersions request (api_key 18) at {@code resetFromVersion} or above, and forwards
 * everything else both ways.
 *
 * <p>The broker speaks SASL_SSL, so the proxy terminates TLS to read the requests: it serves the broker's
 * own certificate (the clients' CA file trusts it) and opens a TLS connection of its own to the broker.
 * It reads every request frame a client sends ({@code int32 size, int16 api_key, int16 api_version,
 * ...}), not only the first: a Java client sends ApiVersions v0 before its SASL login and the
 * ApiVersions request of its protocol version after it.
 *
 * <p>It records, per connection, the api_key/api_version of the requests it saw (up to the reset), and
 * how many connections it reset.
 */
public final class ApiVersionsResetProxy implements AutoCloseable {
    /** api_key of ApiVersions. */
    public static final int API_VERSIONS = 18;
    /** api_key of SaslHandshake. */
    public static final int SASL_HANDSHAKE = 17;
    /** api_key of SaslAuthenticate. */
    public static final int SASL_AUTHENTICATE = 36;
    private static final int REQUESTS_RECORDED = 8;

    /** A request as the proxy saw it. */
    public record Request(int apiKey, int apiVersion) {
        @Override
        public String toString() {
            return apiKey + "v" + apiVersion;
        }
    }

    private final ServerSocket server;
    private volatile SSLContext serverTls;
    private volatile SSLContext clientTls;
    private final int resetFromVersion;
    private volatile InetSocketAddress upstream;
    private final List<List<Request>> connections = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger resets = new AtomicInteger();
    private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    /**
     * Binds a free port on 127.0.0.1 at once (so that a broker can advertise it, {@link
     * LocalKafka#startBehindProxy}); serves once {@link #forwardTo} names the broker.
     */
    public ApiVersionsResetProxy(int resetFromVersion) throws IOException {
        this.resetFromVersion = resetFromVersion;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "api-versions-reset-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:PORT}: the bootstrap servers of a client that goes through the proxy. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port();
    }

    /**
     * Forwards to the broker's proxied listener from now on, serving the broker's own certificate to
     * clients and trusting it (its CA file) towards the broker.
     */
    public void forwardTo(LocalKafka kafka) throws Exception {
        LocalKafka.ServerKeyStore keyStore = kafka.serverKeyStore();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore.location())) {
            ks.load(in, keyStore.password().toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, keyStore.password().toCharArray());
        SSLContext serverSide = SSLContext.getInstance("TLS");
        serverSide.init(kmf.getKeyManagers(), null, null);

        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(kafka.getCaFile())) {
            int i = 0;
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) trust.setCertificateEntry("ca" + i++, cert);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext clientSide = SSLContext.getInstance("TLS");
        clientSide.init(null, tmf.getTrustManagers(), null);

        if (kafka.getProxiedPort() == 0) throw new IllegalArgumentException(kafka + " has no proxied listener: LocalKafka.startBehindProxy");
        serverTls = serverSide;
        clientTls = clientSide;
        upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), kafka.getProxiedPort());
    }

    /** The requests of every connection so far (the first few of each), in the order connections came. */
    public List<List<Request>> connections() {
        synchronized (connections) {
            List<List<Request>> copy = new ArrayList<>();
            for (List<Request> c : connections) {
                synchronized (c) {
                    copy.add(List.copyOf(c));
                }
            }
            return copy;
        }
    }

    /** How many connections the proxy reset. */
    public int resets() {
        return resets.get();
    }

    /** The versions of the ApiVersions requests sent after a SASL login, over all connections. */
    public List<Integer> apiVersionsAfterLogin() {
        List<Integer> out = new ArrayList<>();
        for (List<Request> c : connections()) {
            boolean loggedIn = false;
            for (Request r : c) {
                if (r.apiKey() == SASL_AUTHENTICATE) loggedIn = true;
                else if (r.apiKey() == API_VERSIONS && loggedIn) out.add(r.apiVersion());
            }
        }
        return out;
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            Thread t = new Thread(() -> serve(client), "api-versions-reset-proxy-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket tcp) {
        List<Request> seen = Collections.synchronizedList(new ArrayList<>());
        connections.add(seen);
        open.add(tcp);
        SSLSocket tls = null;
        SSLSocket broker = null;
        try {
            InetSocketAddress to = upstream;
            if (to == null) throw new IOException("the proxy has no broker to forward to yet");
            tls = (SSLSocket) serverTls.getSocketFactory().createSocket(tcp, null, true);
            tls.setUseClientMode(false);
            tls.startHandshake();
            broker = (SSLSocket) clientTls.getSocketFactory().createSocket(to.getAddress(), to.getPort());
            open.add(broker);
            broker.startHandshake();
            SSLSocket b = broker;
            SSLSocket c = tls;
            Thread back = new Thread(() -> copy(b, c), "api-versions-reset-proxy-back");
            back.setDaemon(true);
            back.start();
            forwardRequests(c, b, tcp, seen);
        } catch (IOException e) {
            // the client or the broker went away: close both ends
        } finally {
            closeQuietly(broker);
            closeQuietly(tls);
            closeQuietly(tcp);
            open.remove(tcp);
            if (broker != null) open.remove(broker);
        }
    }

    /** Reads whole request frames from the client and forwards them, or resets at an ApiVersions request it refuses. */
    private void forwardRequests(SSLSocket client, SSLSocket broker, Socket tcp, List<Request> seen) throws IOException {
        DataInputStream in = new DataInputStream(client.getInputStream());
        OutputStream out = broker.getOutputStream();
        while (true) {
            int size;
            try {
                size = in.readInt();
            } catch (EOFException e) {
                return;
            }
            if (size < 4 || size > 100 * 1024 * 1024) throw new IOException("not a Kafka request frame: size " + size);
            byte[] frame = new byte[size];
            in.readFully(frame);
            int apiKey = ((frame[0] & 0xff) << 8) | (frame[1] & 0xff);
            int apiVersion = ((frame[2] & 0xff) << 8) | (frame[3] & 0xff);
            if (seen.size() < REQUESTS_RECORDED) seen.add(new Request(apiKey, apiVersion));
            if (apiKey == API_VERSIONS && apiVersion >= resetFromVersion) {
                resets.incrementAndGet();
                tcp.setSoLinger(true, 0);
                tcp.close(); // RST, without a TLS close_notify
                return;
            }
            synchronized (out) {
                out.write(new byte[] {(byte) (size >>> 24), (byte) (size >>> 16), (byte) (size >>> 8), (byte) size});
                out.write(frame);
                out.flush();
            }
        }
    }

    private static void copy(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // closed
        } finally {
            closeQuietly(to);
            closeQuietly(from);
        }
    }

    private static void closeQuietly(Socket s) {
        if (s == null) return;
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        synchronized (open) {
            for (Socket s : List.copyOf(open)) closeQuietly(s);
        }
    }

    @Override
    public String toString() {
        return "ApiVersionsResetProxy[" + bootstrapServers() + " -> " + upstream + ", reset at ApiVersions v" + resetFromVersion + "+]";
    }
}
