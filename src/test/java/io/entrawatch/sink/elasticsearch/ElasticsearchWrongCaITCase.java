package io.entrawatch.sink.elasticsearch;

import io.entrawatch.testing.LocalElasticsearch;
import io.entrawatch.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS verification is on for Elasticsearch. With a CA that did not sign the
 * node's certificate, the job's first call (installing the index templates) fails with a message that
 * names the host and, in its causes, the certificate problem, and never the password; the right CA works.
 */
class ElasticsearchWrongCaITCase {
    @TempDir
    Path dir;

    @Test
    void aWrongCaFailsWithACertificateErrorAndTheRightOneWorks() throws Exception {
        LocalElasticsearch es = LocalElasticsearch.shared(LocalElasticsearch.V9, true);
        IndexTemplateInstaller.install(ConnectionSettings.builder().hosts(es.getUrl()).basicAuth(es.getUsername(), es.getPassword())
                .caCertificatesFile(es.getCaFile()).build(), "it-wrongca-alerts", "it-wrongca-dlq");

        ConnectionSettings wrong = ConnectionSettings.builder().hosts(es.getUrl()).basicAuth(es.getUsername(), es.getPassword())
                .caCertificatesFile(TestCertificates.unrelatedCa(dir, "Not The Node CA")).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> IndexTemplateInstaller.install(wrong, "it-wrongca-alerts", "it-wrongca-dlq"));
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) chain.append(t).append(" | ");
        String text = chain.toString();
        assertTrue(e.getMessage().contains("cannot install the index templates on") && e.getMessage().contains(es.getUrl()), text);
        assertTrue(text.contains("SSL") && (text.contains("PKIX") || text.contains("certification path")
                || text.contains("certificate")), text);
        assertFalse(text.contains(es.getPassword()), "the password is not in the error");
    }
}
