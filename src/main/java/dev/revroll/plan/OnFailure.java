package dev.revroll.plan;

/** What a failed step does: undo itself, its wave, the whole run, or stop where it is (resumable). */
public enum OnFailure implements YamlEnum {
    ROLLBACK_STEP("rollback-step"), ROLLBACK_WAVE("rollback-wave"), ROLLBACK_ALL("rollback-all"), PAUSE("pause");

    private final String yaml;

    OnFailure(String yaml) {
        this.yaml = yaml;
    }

    @Override
    public String yaml() {
        return yaml;
    }
}
