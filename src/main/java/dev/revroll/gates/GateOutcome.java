package dev.revroll.gates;

/** A gate's outcome: four, never two (design.md section 4). */
public enum GateOutcome {
    PASS, FAIL, INCONCLUSIVE, NO_DATA
}
