package dev.revroll.e2e.world;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

import java.util.EnumSet;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The skipping of {@link Needs} tests, without Docker and without a world. */
class NeedsConditionTest {

    private static final DockerEngine ANSWERS = () -> Optional.empty();

    @Test
    void theLocalWorldHasEverything() {
        ConditionEvaluationResult r = NeedsCondition.evaluate(EnumSet.allOf(WorldFeature.class),
                WorldBackendChoice.decide("local", true, ANSWERS));
        assertFalse(r.isDisabled(), r.getReason().orElse(""));
    }

    @Test
    void theK3sWorldSkipsAgentFaultsAndIstiodStopsSayingWhy() {
        WorldBackendChoice.Decision k3s = WorldBackendChoice.decide("k3s", true, ANSWERS);
        ConditionEvaluationResult r = NeedsCondition.evaluate(EnumSet.of(WorldFeature.ISTIOD_STOP_START, WorldFeature.MESH_AGENT_FAULTS), k3s);
        assertTrue(r.isDisabled());
        String reason = r.getReason().orElseThrow();
        assertTrue(reason.startsWith("skipped on the k3s world (REVROLL_WORLD_BACKEND=k3s): it lacks MESH_AGENT_FAULTS — the mesh agent's faults"), reason);
        assertTrue(reason.contains("ISTIOD_STOP_START — stopping and starting an istiod"), reason);
    }

    @Test
    void autoWithoutGoButWithDockerIsK3sAndSkipsMadeUpImages() {
        WorldBackendChoice.Decision auto = WorldBackendChoice.decide("auto", false, ANSWERS);
        ConditionEvaluationResult r = NeedsCondition.evaluate(EnumSet.of(WorldFeature.PODS_OF_ANY_IMAGE), auto);
        assertTrue(r.isDisabled());
        assertTrue(r.getReason().orElseThrow().contains("PODS_OF_ANY_IMAGE"), r.getReason().orElseThrow());
    }

    @Test
    void aTestThatNeedsNothingSpecialRunsOnK3s() {
        assertFalse(NeedsCondition.evaluate(EnumSet.noneOf(WorldFeature.class), WorldBackendChoice.decide("k3s", true, ANSWERS)).isDisabled());
    }
}
