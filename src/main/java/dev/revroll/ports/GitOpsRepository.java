package dev.revroll.ports;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Git record of each step (issue 4). A step's change is written, committed and pushed before the cluster is
 * touched, and reverted when the step is undone. Every call is idempotent: a commit or revert that is already on
 * the remote (found by its trailers) is returned, not made again. Implementations are thread-safe: the steps of a
 * wave running at once call them concurrently (docs/git-record.md#steps-in-flight-share-a-push).
 */
public interface GitOpsRepository {

    /** What a step changes in a namespace's manifest: labels to set (null value: remove). */
    record StepChange(String planName, String runId, String stepId, String namespace, String toRevision,
                      Map<String, String> labels) {
    }

    /** Problems that refuse the run (missing files, a file without that Namespace, unreachable remote); empty when fine. */
    List<String> preflight(List<String> namespaces);

    /** The unified diff the step would make (preview), without writing. */
    String previewDiff(StepChange change);

    /** Commits and pushes the change; returns the commit id. */
    String commit(StepChange change);

    /** Reverts the step's commit and pushes; returns the revert's id. */
    String revert(StepChange change, String commitId);

    /** The injection labels of a namespace's manifest at the remote's head, when the file and Namespace exist. */
    Optional<Map<String, String>> labelsAtRemote(String namespace);

    /** Where the record lives, for messages (credentials redacted). */
    String describe();
}
