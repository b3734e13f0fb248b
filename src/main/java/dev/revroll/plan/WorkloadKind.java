package dev.revroll.plan;

/** The workload kinds revroll restarts. */
public enum WorkloadKind {
    Deployment, StatefulSet, DaemonSet
}
