package dev.revroll.cli;

import dev.revroll.errors.UsageException;
import dev.revroll.git.JGitOpsRepository;
import dev.revroll.kube.ClientJavaKubernetesGateway;
import dev.revroll.kube.KubeConnection;
import dev.revroll.plan.Plan;
import dev.revroll.ports.KubernetesGateway;

import java.io.PrintWriter;
import java.util.Optional;

/** What {@code drift} and {@code reconcile} work on: the plan, the cluster it names and its GitOps clone. */
record GitOpsTargets(Plan plan, KubernetesGateway kube, JGitOpsRepository git) implements AutoCloseable {

    static GitOpsTargets open(PlanArgument planArgument, GlobalOptions global, PrintWriter err) {
        Plan plan = planArgument.load();
        Plan.GitConfig gitConfig = plan.spec().git().orElseThrow(() -> new UsageException(
                planArgument.file() + ": the plan has no spec.git section, so there is no Git record to compare or reconcile"));
        Optional<String> planContext = plan.spec().cluster().context();
        if (global.context().isPresent() && planContext.isPresent() && !global.context().equals(planContext)) {
            throw new UsageException("--context " + global.context().get() + " is not the plan's cluster context "
                    + planContext.get() + " (spec.cluster.context)");
        }
        KubeConnection connection = KubeConnection.open(global.kubeconfig(), global.context().or(() -> planContext));
        KubernetesGateway kube = new ClientJavaKubernetesGateway(connection);
        JGitOpsRepository git = JGitOpsRepository.open(gitConfig, plan.name(), event -> {
            if (global.verbose()) {
                err.println("git: " + event.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " " + event.detail());
                err.flush();
            }
        });
        return new GitOpsTargets(plan, kube, git);
    }

    @Override
    public void close() {
        git.close();
    }
}
