package io.entrawatch.ingest;

import org.apache.kafka.common.security.auth.SslEngineFactory;
import org.apache.kafka.common.security.ssl.DefaultSslEngineFactory;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The Kafka client's TLS ({@code ssl.engine.factory.class}) with one change: on each connection, the
 * client's ApiVersions request v4 goes out as v3 ({@link ApiVersionsDowngrade}), for Event Hubs
 * namespaces that reset the connection at v4 (kafka-clients 3.9 and later send v4 and do not fall back
 * on a reset). Everything else is Kafka's own {@link DefaultSslEngineFactory}, configured with the same
 * settings (trust store, protocols, host name verification). Turned on by {@code
 * --source.api-versions-v3}; SASL_SSL only.
 */
public final class ApiVersionsV3SslEngineFactory implements SslEngineFactory {
    private final DefaultSslEngineFactory delegate = new DefaultSslEngineFactory();

    @Override
    public void configure(Map<String, ?> configs) {
        delegate.configure(configs);
    }

    @Override
    public SSLEngine createClientSslEngine(String peerHost, int peerPort, String endpointIdentification) {
        return new Engine(delegate.createClientSslEngine(peerHost, peerPort, endpointIdentification));
    }

    @Override
    public SSLEngine createServerSslEngine(String peerHost, int peerPort) {
        return delegate.createServerSslEngine(peerHost, peerPort);
    }

    @Override
    public boolean shouldBeRebuilt(Map<String, Object> nextConfigs) {
        return delegate.shouldBeRebuilt(nextConfigs);
    }

    @Override
    public Set<String> reconfigurableConfigs() {
        return delegate.reconfigurableConfigs();
    }

    @Override
    public KeyStore keystore() {
        return delegate.keystore();
    }

    @Override
    public KeyStore truststore() {
        return delegate.truststore();
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** A client engine that rewrites the plaintext it encrypts until {@link ApiVersionsDowngrade#done()}. */
    static final class Engine extends SSLEngine {
        private final SSLEngine engine;
        private final ApiVersionsDowngrade downgrade = new ApiVersionsDowngrade();

        Engine(SSLEngine engine) {
            super(engine.getPeerHost(), engine.getPeerPort());
            this.engine = engine;
        }

        /** How many ApiVersions requests this connection sent as v3 instead of v4. */
        int rewritten() {
            return downgrade.rewritten();
        }

        @Override
        public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
            if (downgrade.done()) return engine.wrap(srcs, offset, length, dst);
            int total = 0;
            for (int i = offset; i < offset + length; i++) total += srcs[i].remaining();
            if (total == 0) return engine.wrap(srcs, offset, length, dst);
            // a copy of the plaintext, rewritten, is what gets encrypted; the sources advance by what was used
            ByteBuffer copy = ByteBuffer.allocate(total);
            for (int i = offset; i < offset + length; i++) copy.put(srcs[i].duplicate());
            copy.flip();
            downgrade.copy().scan(copy, 0, total);
            SSLEngineResult result = engine.wrap(copy, dst);
            int consumed = copy.position();
            downgrade.scan(copy, 0, consumed);
            int left = consumed;
            for (int i = offset; i < offset + length && left > 0; i++) {
                int n = Math.min(left, srcs[i].remaining());
                srcs[i].position(srcs[i].position() + n);
                left -= n;
            }
            return result;
        }

        @Override
        public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
            return engine.unwrap(src, dsts, offset, length);
        }

        @Override
        public Runnable getDelegatedTask() {
            return engine.getDelegatedTask();
        }

        @Override
        public void closeInbound() throws SSLException {
            engine.closeInbound();
        }

        @Override
        public boolean isInboundDone() {
            return engine.isInboundDone();
        }

        @Override
        public void closeOutbound() {
            engine.closeOutbound();
        }

        @Override
        public boolean isOutboundDone() {
            return engine.isOutboundDone();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return engine.getSupportedCipherSuites();
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return engine.getEnabledCipherSuites();
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
            engine.setEnabledCipherSuites(suites);
        }

        @Override
        public String[] getSupportedProtocols() {
            return engine.getSupportedProtocols();
        }

        @Override
        public String[] getEnabledProtocols() {
            return engine.getEnabledProtocols();
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
            engine.setEnabledProtocols(protocols);
        }

        @Override
        public SSLSession getSession() {
            return engine.getSession();
        }

        @Override
        public SSLSession getHandshakeSession() {
            return engine.getHandshakeSession();
        }

        @Override
        public void beginHandshake() throws SSLException {
            engine.beginHandshake();
        }

        @Override
        public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
            return engine.getHandshakeStatus();
        }

        @Override
        public void setUseClientMode(boolean mode) {
            engine.setUseClientMode(mode);
        }

        @Override
        public boolean getUseClientMode() {
            return engine.getUseClientMode();
        }

        @Override
        public void setNeedClientAuth(boolean need) {
            engine.setNeedClientAuth(need);
        }

        @Override
        public boolean getNeedClientAuth() {
            return engine.getNeedClientAuth();
        }

        @Override
        public void setWantClientAuth(boolean want) {
            engine.setWantClientAuth(want);
        }

        @Override
        public boolean getWantClientAuth() {
            return engine.getWantClientAuth();
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {
            engine.setEnableSessionCreation(flag);
        }

        @Override
        public boolean getEnableSessionCreation() {
            return engine.getEnableSessionCreation();
        }

        @Override
        public SSLParameters getSSLParameters() {
            return engine.getSSLParameters();
        }

        @Override
        public void setSSLParameters(SSLParameters params) {
            engine.setSSLParameters(params);
        }

        @Override
        public String getApplicationProtocol() {
            return engine.getApplicationProtocol();
        }

        @Override
        public String getHandshakeApplicationProtocol() {
            return engine.getHandshakeApplicationProtocol();
        }

        @Override
        public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
            engine.setHandshakeApplicationProtocolSelector(selector);
        }

        @Override
        public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
            return engine.getHandshakeApplicationProtocolSelector();
        }
    }
}
