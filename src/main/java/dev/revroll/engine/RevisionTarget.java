package dev.revroll.engine;

import dev.revroll.ports.ClusterModel.InjectorWebhook;

import java.util.List;
import java.util.Optional;

/**
 * What {@code revision.to} stands for: the label value namespaces get ({@code label}), the revision whose istiod
 * serves them ({@code revision}), and the injector configuration that will inject them. A tag resolves to the
 * revision it points at (its webhook's {@code istio.io/rev} label).
 */
public record RevisionTarget(String label, String revision, Optional<String> tag, String webhook) {

    public static Optional<RevisionTarget> resolve(String to, List<InjectorWebhook> webhooks) {
        for (InjectorWebhook w : webhooks) {
            if (w.tag().filter(to::equals).isPresent() && w.revision().isPresent()) {
                return Optional.of(new RevisionTarget(to, w.revision().get(), Optional.of(to), w.name()));
            }
        }
        for (InjectorWebhook w : webhooks) {
            if (w.tag().isEmpty() && w.revision().filter(to::equals).isPresent()) {
                return Optional.of(new RevisionTarget(to, to, Optional.empty(), w.name()));
            }
        }
        return Optional.empty();
    }

    public boolean isInjectedBy(InjectorWebhook w) {
        return w.name().equals(webhook);
    }

    public String describe() {
        return tag.map(t -> "tag " + t + " (revision " + revision + ")").orElse("revision " + revision);
    }
}
