package dev.revroll.ports;

import dev.revroll.ports.ClusterModel.NamespaceRef;
import dev.revroll.ports.ClusterModel.PodRef;
import dev.revroll.ports.ClusterModel.WorkloadRef;

/** An object revroll writes to: a namespace, a workload or a pod. */
public sealed interface ObjectRef permits NamespaceRef, WorkloadRef, PodRef {

    /** The object for messages: {@code Namespace shop}, {@code Deployment shop/web}. */
    String describe();
}
