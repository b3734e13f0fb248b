package dev.revroll.errors;

import java.util.List;

/** Preflight refused the run: every reason listed; nothing in the cluster or in Git was touched. */
public class PreflightException extends RevrollException {

    private final List<String> reasons;

    public PreflightException(List<String> reasons) {
        super("preflight refused the run; nothing was touched:\n  - " + String.join("\n  - ", reasons));
        this.reasons = List.copyOf(reasons);
    }

    public List<String> reasons() {
        return reasons;
    }
}
