package dev.revroll.kube;

import dev.revroll.errors.RevrollException;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a journal document is kept in its ConfigMap: gzip in binaryData, older plain data still read. */
class ConfigMapJournalDocumentTest {

    private static V1ConfigMap configMap() {
        return new V1ConfigMap().metadata(new V1ObjectMeta().namespace("revroll-system").name("revroll-run-r1"));
    }

    @Test
    void compressedDocumentRoundTrips() {
        String document = "{\"runId\":\"r1\",\"query\":\"sum(rate(istio_requests_total{namespace=\\\"shop\\\"}[5m])) ✓\"}\n".repeat(2000);
        byte[] compressed = ConfigMapJournalStore.compress(document);
        assertTrue(compressed.length < document.length() / 20, "compressed to " + compressed.length);
        V1ConfigMap cm = configMap().binaryData(Map.of(ConfigMapJournalStore.GZIP_KEY, compressed));
        assertEquals(document, ConfigMapJournalStore.document(cm));
    }

    @Test
    void plainDocumentOfAnEarlierVersionIsRead() {
        V1ConfigMap cm = configMap().data(Map.of(ConfigMapJournalStore.KEY, "{\"runId\":\"r1\"}"));
        assertEquals("{\"runId\":\"r1\"}", ConfigMapJournalStore.document(cm));
        assertEquals("", ConfigMapJournalStore.document(configMap()));
    }

    @Test
    void compressedDocumentWinsOverALeftoverPlainOne() {
        V1ConfigMap cm = configMap().data(Map.of(ConfigMapJournalStore.KEY, "{\"old\":true}"))
                .binaryData(Map.of(ConfigMapJournalStore.GZIP_KEY, ConfigMapJournalStore.compress("{\"new\":true}")));
        assertEquals("{\"new\":true}", ConfigMapJournalStore.document(cm));
    }

    @Test
    void corruptCompressedDocumentNamesTheConfigMap() {
        V1ConfigMap cm = configMap().binaryData(Map.of(ConfigMapJournalStore.GZIP_KEY, "not gzip".getBytes()));
        RevrollException e = assertThrows(RevrollException.class, () -> ConfigMapJournalStore.document(cm));
        assertTrue(e.getMessage().contains("revroll-system/revroll-run-r1") && e.getMessage().contains("journal.json.gz"), e.getMessage());
    }
}
