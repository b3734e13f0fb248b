package dev.revroll.engine;

import dev.revroll.engine.step.StepPreview;
import dev.revroll.gates.Backtest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code revroll preview} shows: the survey (targets, skips, workloads, refusals, warnings) and, per namespace
 * step, every write {@code run} would make with the API server's answer to its dry run, the Git diff and each gate's
 * resolved PromQL with its value now; an estimated duration, and (with a maintenance window) the openings the run will
 * need at that estimate, with the steps that fall in each; with {@code --backtest}, each metric gate replayed over
 * history for every namespace it would judge (docs/backtest.md); the plan's cap on workloads of a namespace
 * mid-rollout at once ({@code restart.maxConcurrentRestarts}; empty: a restart group's workloads all at once).
 */
public record Preview(Survey survey, Map<String, StepPreview> steps, Duration estimate, Duration upperBound, Optional<String> window,
                      WindowPlan.Layout windows, Optional<Backtest.Report> backtest, java.util.OptionalInt maxConcurrentRestarts) {

    public StepPreview step(String namespace) {
        return steps.getOrDefault(namespace, new StepPreview());
    }

    public List<String> admissionErrors(String namespace) {
        return step(namespace).admissionErrors();
    }
}
