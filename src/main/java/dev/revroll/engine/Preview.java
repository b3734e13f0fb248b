package dev.revroll.engine;

import dev.revroll.engine.step.StepPreview;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@code revroll preview} shows: the survey (targets, skips, workloads, refusals, warnings) and, per namespace
 * step, every write {@code run} would make with the API server's answer to its dry run, the Git diff and each gate's
 * resolved PromQL with its value now; and an estimated duration.
 */
public record Preview(Survey survey, Map<String, StepPreview> steps, Duration estimate, Duration upperBound) {

    public StepPreview step(String namespace) {
        return steps.getOrDefault(namespace, new StepPreview());
    }

    public List<String> admissionErrors(String namespace) {
        return step(namespace).admissionErrors();
    }
}
