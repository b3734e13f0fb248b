package dev.revroll.engine.step;

import dev.revroll.ports.ClusterModel.PodRef;
import dev.revroll.ports.GitOpsRepository.StepChange;
import dev.revroll.ports.MergePatch;
import dev.revroll.ports.ObjectRef;

/** One write an action makes: to an object of the cluster (a merge patch, a pod deletion) or to the Git record. */
public sealed interface Write {

    /** Why, in the words a preview and an admission error show: {@code relabel namespace shop}. */
    String reason();

    /** The write itself, for preview: object and patch. */
    String describe();

    record Patch(ObjectRef target, MergePatch patch, String reason) implements Write {
        @Override
        public String describe() {
            return "patch " + target.describe() + " " + patch.json();
        }
    }

    record Delete(PodRef target, String reason) implements Write {
        @Override
        public String describe() {
            return "delete " + target.describe();
        }
    }

    /** Commit (and push) the step's change; the commit id is the step's record. */
    record Commit(StepChange change, String reason) implements Write {
        @Override
        public String describe() {
            return "git commit: " + change.namespace() + " to " + change.toRevision();
        }
    }

    /** Revert the step's commit (and push). */
    record Revert(StepChange change, String commit, String reason) implements Write {
        @Override
        public String describe() {
            return "git revert " + commit;
        }
    }
}
