package dev.revroll.plan;

/** How revroll treats a workload's rollout strategy: make it make-before-break for the restart, refuse unless it is, or leave it. */
public enum SurgePolicy implements YamlEnum {
    ENFORCE("enforce"), REQUIRE("require"), KEEP("keep");

    private final String yaml;

    SurgePolicy(String yaml) {
        this.yaml = yaml;
    }

    @Override
    public String yaml() {
        return yaml;
    }
}
