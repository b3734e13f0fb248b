package dev.revroll.e2e.world;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Skips a {@link Needs} test where the backend the world would start on lacks what it needs. The backend is decided
 * the same way {@link SandboxWorld#get()} decides it ({@link WorldBackendChoice#decide}), once, without starting
 * anything; a shared running world ({@code REVROLL_E2E_SANDBOX_DIR}) is the local sandbox. When the choice itself
 * fails (k3s requested, no Docker engine), the test runs and the world's start reports that.
 */
public final class NeedsCondition implements ExecutionCondition {

    private static volatile WorldBackendChoice.Decision decision;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Set<WorldFeature> needed = EnumSet.noneOf(WorldFeature.class);
        context.getElement().flatMap(e -> AnnotationSupport.findAnnotation(e, Needs.class)).ifPresent(n -> needed.addAll(List.of(n.value())));
        if (needed.isEmpty()) {
            return ConditionEvaluationResult.enabled("needs nothing special of the world");
        }
        WorldBackendChoice.Decision d;
        try {
            d = decision();
        } catch (WorldException e) {
            return ConditionEvaluationResult.enabled("no backend could be chosen (" + e.getMessage() + "); the world's start says why");
        }
        return evaluate(needed, d);
    }

    /** The verdict for what a test needs on a chosen backend. */
    static ConditionEvaluationResult evaluate(Set<WorldFeature> needed, WorldBackendChoice.Decision decision) {
        Set<WorldFeature> has = WorldFeature.of(decision.backend());
        List<WorldFeature> missing = needed.stream().filter(f -> !has.contains(f)).sorted().toList();
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("the " + name(decision) + " world has " + needed);
        }
        return ConditionEvaluationResult.disabled("skipped on the " + name(decision) + " world (" + decision.reason() + "): it lacks "
                + missing.stream().map(f -> f.name() + " — " + f.why()).collect(Collectors.joining("; ")));
    }

    private static String name(WorldBackendChoice.Decision d) {
        return d.backend().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static WorldBackendChoice.Decision decision() {
        WorldBackendChoice.Decision d = decision;
        if (d == null) {
            String shared = System.getenv("REVROLL_E2E_SANDBOX_DIR");
            d = shared != null && !shared.isBlank()
                    ? new WorldBackendChoice.Decision(WorldBackendChoice.Backend.LOCAL, "REVROLL_E2E_SANDBOX_DIR: a shared running sandbox")
                    : WorldBackendChoice.decide(System.getenv(WorldBackendChoice.ENV), WorldBackendChoice.goOnPath(System.getenv("PATH")), DockerEngine.probe());
            decision = d;
        }
        return d;
    }
}
