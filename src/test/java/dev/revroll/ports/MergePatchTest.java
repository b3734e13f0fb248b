package dev.revroll.ports;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MergePatchTest {

    @Test
    void nullRemovesAKeyAndNestedPathsShareObjects() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("istio.io/rev", "1-28-0");
        labels.put("istio-injection", null);
        String json = new MergePatch().setAll(labels, "metadata", "labels")
                .setAll(Map.of("revroll.dev/previous-labels", "{\"istio-injection\":\"enabled\"}"), "metadata", "annotations").json();
        assertEquals("{\"metadata\":{\"labels\":{\"istio.io/rev\":\"1-28-0\",\"istio-injection\":null},"
                + "\"annotations\":{\"revroll.dev/previous-labels\":\"{\\\"istio-injection\\\":\\\"enabled\\\"}\"}}}", json);
    }

    @Test
    void intOrStringWritesNumbersAsNumbers() {
        String json = new MergePatch()
                .set(MergePatch.intOrString("0"), "spec", "strategy", "rollingUpdate", "maxUnavailable")
                .set(MergePatch.intOrString("25%"), "spec", "strategy", "rollingUpdate", "maxSurge").json();
        assertEquals("{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxUnavailable\":0,\"maxSurge\":\"25%\"}}}}", json);
        assertEquals("{\"a\":null}", new MergePatch().set(MergePatch.intOrString(null), "a").json());
    }

    @Test
    void emptyMapsMakeNoPatch() {
        assertTrue(new MergePatch().setAll(Map.of(), "metadata", "labels").setAll(null, "metadata", "annotations").isEmpty());
    }
}
