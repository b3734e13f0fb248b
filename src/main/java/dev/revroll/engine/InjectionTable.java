package dev.revroll.engine;

import dev.revroll.ports.ClusterModel.InjectorWebhook;
import dev.revroll.ports.InjectionLabels;
import dev.revroll.ports.ClusterModel.WebhookEntry;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which injector webhook a pod gets, evaluated in pure code from the webhooks' namespace and object selectors
 * (docs/istio-injection.md#the-webhook-entries-and-their-selectors). Used for a namespace's current revision, for what a workload will do after the relabel,
 * and for Istio's IST0139 (two injectors matching one namespace).
 */
public final class InjectionTable {

    public static final String INJECT_POD = "sidecar.istio.io/inject";

    private final List<InjectorWebhook> webhooks;

    public InjectionTable(List<InjectorWebhook> webhooks) {
        this.webhooks = List.copyOf(webhooks);
    }

    public List<InjectorWebhook> webhooks() {
        return webhooks;
    }

    /** The injector configurations that would mutate a pod with these labels in a namespace with these labels. */
    public List<InjectorWebhook> injectorsFor(Map<String, String> namespaceLabels, Map<String, String> podLabels) {
        return webhooks.stream().filter(w -> w.entries().stream().anyMatch(e -> matches(e, namespaceLabels, podLabels))).toList();
    }

    private static boolean matches(WebhookEntry entry, Map<String, String> namespaceLabels, Map<String, String> podLabels) {
        return entry.namespaceSelector().matches(namespaceLabels) && entry.objectSelector().matches(podLabels);
    }

    /** The revision a plain pod (no labels) in this namespace would run, when exactly one injector matches. */
    public Optional<String> revisionOf(Map<String, String> namespaceLabels) {
        List<InjectorWebhook> matching = injectorsFor(namespaceLabels, Map.of());
        if (matching.size() != 1) {
            return Optional.empty();
        }
        return matching.get(0).revision();
    }

    /** The namespace's labels after revroll's relabel: {@code istio.io/rev=<label>}, {@code istio-injection} removed. */
    public static Map<String, String> relabelled(Map<String, String> labels, String targetLabel) {
        Map<String, String> after = new HashMap<>(labels);
        after.put(InjectionLabels.REVISION, targetLabel);
        after.remove(InjectionLabels.INJECTION);
        return after;
    }

    /** True when the pod opts out ({@code sidecar.istio.io/inject=false} as label or annotation). */
    public static boolean optedOut(Map<String, String> podLabels, Map<String, String> podAnnotations) {
        return "false".equalsIgnoreCase(podLabels.get(INJECT_POD)) || "false".equalsIgnoreCase(podAnnotations.get(INJECT_POD));
    }
}
