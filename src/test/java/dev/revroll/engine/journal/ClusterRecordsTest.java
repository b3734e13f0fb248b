package dev.revroll.engine.journal;

import dev.revroll.engine.journal.ClusterRecords.BreakGlassMark;
import dev.revroll.errors.RecordException;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every revroll.dev/* annotation is written and read by the one codec; what does not read back names its namespace. */
class ClusterRecordsTest {

    @Test
    void previousLabelsKeepAnAbsentLabelAsNull() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("istio.io/rev", "1-27-0");
        labels.put("istio-injection", null);
        String json = ClusterRecords.labels(labels);
        assertEquals("{\"istio.io/rev\":\"1-27-0\",\"istio-injection\":null}", json);
        assertEquals(labels, ClusterRecords.labels("shop", json));
        RecordException e = assertThrows(RecordException.class, () -> ClusterRecords.labels("shop", "not json"));
        assertTrue(e.getMessage().startsWith("namespace shop: annotation revroll.dev/previous-labels is not a JSON object"), e.getMessage());
    }

    @Test
    void theBreakGlassMarkRoundTripsAndAPartialOneIsRefused() {
        BreakGlassMark mark = new BreakGlassMark("r1", "w/shop", "abc123", "2026-12-01T10:00:00Z");
        String json = ClusterRecords.breakGlass(mark);
        assertEquals("{\"run\":\"r1\",\"step\":\"w/shop\",\"commit\":\"abc123\",\"at\":\"2026-12-01T10:00:00Z\"}", json);
        assertEquals(mark, ClusterRecords.breakGlass("shop", json));
        assertEquals("", ClusterRecords.breakGlass("shop", "{\"run\":\"r1\",\"step\":\"s\",\"commit\":\"c\"}").at());
        RecordException e = assertThrows(RecordException.class, () -> ClusterRecords.breakGlass("shop", "{\"run\":\"r1\"}"));
        assertTrue(e.getMessage().contains("run, step and commit are required"), e.getMessage());
    }

    @Test
    void anUnreadableJournalIsARecordProblem() {
        assertThrows(RecordException.class, () -> ClusterRecords.journal("{\"steps\": 3"));
    }
}
