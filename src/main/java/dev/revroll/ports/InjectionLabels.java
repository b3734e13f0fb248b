package dev.revroll.ports;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The namespace labels that choose a namespace's sidecar injector (docs/istio-injection.md): the one definition of
 * their names, for the engine, the cluster and the Git record alike.
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

    /** Both injection labels, {@code null} for an absent one: how the journal and {@code revroll.dev/previous-labels} keep them. */
    public static Map<String, String> recorded(Map<String, String> labels) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(REVISION, labels.get(REVISION));
        m.put(INJECTION, labels.get(INJECTION));
        return m;
    }
}
