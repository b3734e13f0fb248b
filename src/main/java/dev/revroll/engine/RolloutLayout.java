package dev.revroll.engine;

import dev.revroll.ports.ClusterModel.NamespaceState;

import java.util.List;
import java.util.Optional;

/** The resolved waves: which namespace steps run in which wave, and which namespaces were skipped and why. */
public record RolloutLayout(RevisionTarget target, List<WaveLayout> waves) {

    public record WaveLayout(int index, String name, int parallel, List<NamespaceTarget> targets, List<Skip> skipped) {
    }

    /** A namespace that gets a step; {@code currentRevision} by evaluating the injectors on its labels. */
    public record NamespaceTarget(String wave, int waveIndex, NamespaceState namespace, Optional<String> currentRevision) {
        public String name() {
            return namespace.name();
        }

        public String stepId() {
            return wave + "/" + namespace.name();
        }
    }

    public record Skip(String namespace, String wave, String reason) {
        @Override
        public String toString() {
            return namespace + " (wave " + wave + "): " + reason;
        }
    }

    public List<NamespaceTarget> allTargets() {
        return waves.stream().flatMap(w -> w.targets().stream()).toList();
    }

    public List<Skip> allSkips() {
        return waves.stream().flatMap(w -> w.skipped().stream()).toList();
    }
}
