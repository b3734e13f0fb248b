package dev.revroll.e2e.world;

import java.nio.file.Path;

/** The local sandbox ({@code k3s-tests/sandbox}): every part is a process on this machine, built from its Go module. */
final class LocalSandboxBackend implements WorldBackend {

    @Override
    public String name() {
        return "local";
    }

    @Override
    public String whatRuns() {
        return "k3s-tests/sandbox on this machine: etcd + kube-apiserver + controllers + kwok nodes, istiod processes for both revisions, "
                + "the Go mesh agent (proxies, traffic, faults), Prometheus 3, git daemon";
    }

    @Override
    public SandboxWorld start(Path checkout) {
        return SandboxWorld.startLocal(checkout);
    }
}
