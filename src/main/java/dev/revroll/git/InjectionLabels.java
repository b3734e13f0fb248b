package dev.revroll.git;

import dev.revroll.ports.GitOpsRepository.StepChange;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The namespace labels that choose a namespace's sidecar injector, as the Git record reads and writes them: the
 * one definition of their names in the Git adapter ({@link JGitOpsRepository#REVISION_LABEL} and
 * {@link JGitOpsRepository#INJECTION_LABEL} are these).
 */
public final class InjectionLabels {

    public static final String REVISION = "istio.io/rev";
    public static final String INJECTION = "istio-injection";
    /** Every injection label, in the order they are compared and reported. */
    public static final List<String> ALL = List.of(REVISION, INJECTION);

    private InjectionLabels() {
    }

    /** The injection labels among {@code labels} that have a value, in the order of {@link #ALL}. */
    public static Map<String, String> of(Map<String, String> labels) {
        Map<String, String> injection = new LinkedHashMap<>();
        for (String key : ALL) {
            if (labels.get(key) != null) {
                injection.put(key, labels.get(key));
            }
        }
        return injection;
    }

    /** The labels a step sets: the change's own map, or the default move (set istio.io/rev, drop istio-injection). */
    static Map<String, String> setBy(StepChange change) {
        if (change.labels() != null && !change.labels().isEmpty()) {
            return change.labels();
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(REVISION, change.toRevision());
        labels.put(INJECTION, null);
        return labels;
    }
}
