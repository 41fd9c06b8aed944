package io.entrawatch.sink.elasticsearch;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** An {@link SSLContext} that trusts exactly the CA certificates of a PEM text (one or more certificates). */
final class PemTrust {
    private PemTrust() {}

    static List<Certificate> certificates(String pem, String source) {
        if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException("CA " + source + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (certs.isEmpty()) throw new IllegalArgumentException("CA " + source + " holds no certificate");
            return new ArrayList<>(certs);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("CA " + source + " is not a valid PEM certificate: " + e.getMessage(), e);
        }
    }

    static SSLContext sslContext(String pem, String source) {
        List<Certificate> certs = certificates(pem, source);
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            for (int i = 0; i < certs.size(); i++) {
                trust.setCertificateEntry("ca-" + i, certs.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build a TLS context from CA " + source + ": " + e.getMessage(), e);
        }
    }
}
