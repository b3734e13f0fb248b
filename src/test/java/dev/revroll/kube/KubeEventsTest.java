package dev.revroll.kube;

import dev.revroll.plan.WorkloadKind;
import dev.revroll.ports.ClusterModel.EventType;
import dev.revroll.ports.ClusterModel.NamespaceRef;
import dev.revroll.ports.ClusterModel.ReportedEvent;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import io.kubernetes.client.openapi.models.EventsV1Event;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The events.k8s.io/v1 object revroll sends: what the API server requires and the limits it keeps. */
class KubeEventsTest {

    static ReportedEvent event(String note) {
        return new ReportedEvent("shop", new NamespaceRef("shop"), EventType.Warning, "RevrollGateFailed", "EvaluateGate", note,
                "mesh-20261202-010203", Instant.parse("2026-12-02T01:02:03.123456789Z"));
    }

    @Test
    void aNamespaceEventCarriesWhatTheApiServerRequires() {
        EventsV1Event e = KubeEvents.toEvent(event("gate error-rate failed"));

        assertEquals("events.k8s.io/v1", e.getApiVersion());
        assertEquals("shop", e.getMetadata().getNamespace());
        assertTrue(e.getMetadata().getName().startsWith("shop."), e.getMetadata().getName());
        assertEquals("Warning", e.getType());
        assertEquals("RevrollGateFailed", e.getReason());
        assertEquals("EvaluateGate", e.getAction());
        assertEquals("revroll.dev/revroll", e.getReportingController());
        assertEquals("mesh-20261202-010203", e.getReportingInstance());
        assertEquals("Namespace", e.getRegarding().getKind());
        assertEquals("v1", e.getRegarding().getApiVersion());
        assertEquals("shop", e.getRegarding().getName());
        assertEquals("shop", e.getRegarding().getNamespace(), "outside 'default' the API server needs the regarding namespace");
        assertEquals(Instant.parse("2026-12-02T01:02:03.123456789Z"), e.getEventTime().toInstant());
    }

    @Test
    void aWorkloadIsReferencedByItsApiGroup() {
        var ref = KubeEvents.reference(new WorkloadRef(WorkloadKind.StatefulSet, "shop", "db"), "shop");
        assertEquals("apps/v1", ref.getApiVersion());
        assertEquals("StatefulSet", ref.getKind());
        assertEquals("db", ref.getName());
    }

    @Test
    void namesAreUniqueEvenAtTheSameInstant() {
        Instant at = Instant.parse("2026-12-02T01:02:03Z");
        assertNotEquals(KubeEvents.name("shop", at), KubeEvents.name("shop", at));
    }

    @Test
    void aLongNoteIsCutToOneKibibyteOnACharacterBoundary() {
        String note = "é".repeat(2000);
        String sent = KubeEvents.toEvent(event(note)).getNote();
        assertTrue(sent.getBytes(StandardCharsets.UTF_8).length <= 1024, sent.length() + " chars");
        assertTrue(sent.endsWith("é…"), sent.substring(sent.length() - 3));
        assertEquals("short", KubeEvents.noteOf("short"));
    }
}
