package dev.revroll.kube;

import dev.revroll.ports.ClusterModel.NamespaceRef;
import dev.revroll.ports.ClusterModel.PodRef;
import dev.revroll.ports.ClusterModel.ReportedEvent;
import dev.revroll.ports.ClusterModel.WorkloadRef;
import dev.revroll.ports.ObjectRef;
import io.kubernetes.client.openapi.models.EventsV1Event;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds the events.k8s.io/v1 Event the API server accepts from a {@link ReportedEvent} (docs/kubernetes-events.md):
 * the API server's limits (reason, action and reportingInstance at most 128 characters, note at most 1 KiB) are kept
 * by shortening, and a Namespace as the regarding object carries the Event's namespace, since the API server refuses
 * an Event outside {@code default} whose regarding object has none.
 */
final class KubeEvents {

    /** Every Event revroll writes names this controller. */
    static final String REPORTING_CONTROLLER = "revroll.dev/revroll";
    static final int NAME_LIMIT = 128;
    static final int NOTE_BYTES = 1024;

    /** Nanoseconds since the epoch of the last name handed out: names stay unique within the process. */
    private static final AtomicLong LAST = new AtomicLong();

    private KubeEvents() {
    }

    static EventsV1Event toEvent(ReportedEvent e) {
        V1ObjectReference regarding = reference(e.regarding(), e.namespace());
        return new EventsV1Event()
                .apiVersion("events.k8s.io/v1")
                .kind("Event")
                .metadata(new V1ObjectMeta().name(name(regarding.getName(), e.at())).namespace(e.namespace()))
                .eventTime(e.at().atOffset(ZoneOffset.UTC))
                .type(e.type().name())
                .reason(limit(e.reason(), NAME_LIMIT))
                .action(limit(e.action(), NAME_LIMIT))
                .note(noteOf(e.note()))
                .regarding(regarding)
                .reportingController(REPORTING_CONTROLLER)
                .reportingInstance(limit(e.reportingInstance(), NAME_LIMIT));
    }

    static V1ObjectReference reference(ObjectRef ref, String eventNamespace) {
        if (ref instanceof NamespaceRef ns) {
            return new V1ObjectReference().apiVersion("v1").kind("Namespace").name(ns.name()).namespace(eventNamespace);
        }
        if (ref instanceof WorkloadRef w) {
            return new V1ObjectReference().apiVersion("apps/v1").kind(w.kind().name()).namespace(w.namespace()).name(w.name());
        }
        PodRef p = (PodRef) ref;
        return new V1ObjectReference().apiVersion("v1").kind("Pod").namespace(p.namespace()).name(p.name());
    }

    /** {@code <object>.<hex nanoseconds>}, as Kubernetes' own event recorders name Events; unique within the process. */
    static String name(String object, Instant at) {
        long nanos = at.getEpochSecond() * 1_000_000_000L + at.getNano();
        long unique = LAST.updateAndGet(last -> Math.max(last + 1, nanos));
        String base = object.length() > 200 ? object.substring(0, 200) : object;
        return base + "." + Long.toHexString(unique);
    }

    static String limit(String s, int chars) {
        return s.length() <= chars ? s : s.substring(0, chars);
    }

    /** The note cut to the API server's 1 KiB (UTF-8 bytes), ending in "…" when cut, never inside a character. */
    static String noteOf(String note) {
        byte[] bytes = note.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= NOTE_BYTES) {
            return note;
        }
        String ellipsis = "…";
        int budget = NOTE_BYTES - ellipsis.getBytes(StandardCharsets.UTF_8).length;
        StringBuilder sb = new StringBuilder();
        int used = 0;
        for (int i = 0; i < note.length(); ) {
            int cp = note.codePointAt(i);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (used + size > budget) {
                break;
            }
            sb.appendCodePoint(cp);
            used += size;
            i += Character.charCount(cp);
        }
        return sb.append(ellipsis).toString();
    }
}
