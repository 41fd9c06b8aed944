package io.entrawatch.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Certificates for TLS failure tests, made with the JDK's keytool. */
public final class TestCertificates {
    private TestCertificates() {}

    /** A fresh self-signed CA certificate (subject {@code CN=cn}) as a PEM file in {@code dir}: trusted by nobody. */
    public static Path unrelatedCa(Path dir, String cn) throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path ks = dir.resolve("other.p12");
        Path pem = dir.resolve("other-ca.pem");
        Commands.output(List.of(keytool, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + cn,
                "-ext", "bc:c", "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit"));
        Commands.output(List.of(keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ks.toString(), "-storepass", "changeit",
                "-file", pem.toString()));
        if (!Files.readString(pem).startsWith("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalStateException("keytool wrote no PEM certificate to " + pem);
        }
        return pem;
    }

}
