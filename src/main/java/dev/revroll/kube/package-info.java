/**
 * The Kubernetes adapter (client-java 27): {@link dev.revroll.kube.KubeConnection} finds the cluster as kubectl does;
 * {@link dev.revroll.kube.ClientJavaKubernetesGateway} implements the engine's
 * {@link dev.revroll.ports.KubernetesGateway} port with one {@code KindStrategy} per workload kind;
 * {@link dev.revroll.kube.ConfigMapJournalStore} and {@link dev.revroll.kube.LeaseRunLock} keep run journals and the
 * run lock in the cluster. Retries and timeouts are decided in {@link dev.revroll.kube.KubeResilience} only; every
 * failure reaches the caller as a {@link dev.revroll.kube.KubeApiException} (a {@code RevrollException}).
 */
package dev.revroll.kube;
