package dev.revroll.engine;

/** The actions of a namespace step, in order, each with what it does and what its undo does. */
public enum ActionKind {
    JOURNAL_INTENT("journal-intent", "record the step's intent", "mark the step rolled back"),
    GIT_COMMIT("git-commit", "commit and push the namespace's new labels", "revert the step's commit and push"),
    RELABEL("relabel", "set istio.io/rev, remove istio-injection (one merge patch)", "restore the injection labels exactly, restart the pods back onto the old revision and verify"),
    RESTART("restart", "restart the selected workloads (make-before-break per restart.surge)", "put back rolling-update values revroll changed"),
    WAIT_ROLLOUTS("wait-rollouts", "wait for every rollout (kubectl's rule) within restart.timeout", "nothing"),
    PROXY_SYNC("proxy-sync", "every injected pod on the target revision and SYNCED in its istiod", "nothing"),
    METRIC_GATES("metric-gates", "evaluate the metric gates through the bake time", "nothing"),
    JOURNAL_DONE("journal-done", "record the step done", "nothing");

    private final String id;
    private final String does;
    private final String undoes;

    ActionKind(String id, String does, String undoes) {
        this.id = id;
        this.does = does;
        this.undoes = undoes;
    }

    public String id() {
        return id;
    }

    public String does() {
        return does;
    }

    public String undoes() {
        return undoes;
    }

    public static ActionKind byId(String id) {
        for (ActionKind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown action " + id);
    }
}
