package dev.revroll.gates;

/** A gate's outcome: four, never two (docs/gates.md). */
public enum GateOutcome {
    PASS, FAIL, INCONCLUSIVE, NO_DATA
}
