package dev.revroll.engine;

import dev.revroll.ports.GitOpsRepository;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The plan has no {@code git} section: steps are not recorded in Git. Commits and reverts are no-ops (no id). */
public final class NoGitRecord implements GitOpsRepository {

    @Override
    public List<String> preflight(List<String> namespaces) {
        return List.of();
    }

    @Override
    public String previewDiff(StepChange change) {
        return "";
    }

    @Override
    public String commit(StepChange change) {
        return null;
    }

    @Override
    public String revert(StepChange change, String commitId) {
        return null;
    }

    @Override
    public Optional<Map<String, String>> labelsAtRemote(String namespace) {
        return Optional.empty();
    }

    @Override
    public String describe() {
        return "no Git record (the plan has no git section)";
    }
}
