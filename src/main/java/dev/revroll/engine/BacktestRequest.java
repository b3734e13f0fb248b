package dev.revroll.engine;

import dev.revroll.ports.MetricsHistory;

import java.time.Duration;
import java.time.Instant;

/**
 * {@code preview --backtest LENGTH [--at-window] [--backtest-until TIME]}: replay every metric gate of the plan over
 * the history from {@code until - length} to {@code until}, for every namespace the plan would move
 * (docs/backtest.md). {@code atWindow}: simulated steps start only where the plan's maintenance window would let a
 * step start (open, and the step's gates fit before it closes).
 */
public record BacktestRequest(MetricsHistory history, Duration length, Instant until, boolean atWindow) {
}
