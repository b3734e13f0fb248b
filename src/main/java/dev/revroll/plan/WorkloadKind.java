package dev.revroll.plan;

/** The workload kinds revroll restarts. */
public enum WorkloadKind implements YamlEnum {
    Deployment, StatefulSet, DaemonSet;

    /** The Kubernetes kind, as the plan writes it. */
    @Override
    public String yaml() {
        return name();
    }
}
