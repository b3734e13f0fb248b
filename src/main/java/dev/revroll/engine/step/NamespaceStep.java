package dev.revroll.engine.step;

import dev.revroll.plan.Plan;
import dev.revroll.plan.SurgePolicy;

import java.util.ArrayList;
import java.util.List;

/**
 * The actions of one namespace step, in the order they run (docs/architecture.md#the-loop). The runner runs them in
 * this order and, when the step is undone, the undos of the started ones newest first. A new kind of change is a new
 * {@link Action} and its place in this list.
 */
public final class NamespaceStep {

    private NamespaceStep() {
    }

    public static List<Action> actions(Plan plan) {
        boolean enforce = plan.spec().restart().surge() == SurgePolicy.ENFORCE;
        List<Action> actions = new ArrayList<>();
        actions.add(new JournalIntent());
        actions.add(new GitCommit());
        actions.add(new Relabel());
        if (enforce) {
            actions.add(new EnforceSurge());
        }
        actions.add(new Restart());
        actions.add(new WaitRollouts());
        if (enforce) {
            actions.add(new RestoreSurge());
        }
        actions.add(new ProxySync());
        actions.add(new Bake());
        actions.add(new JournalDone());
        return List.copyOf(actions);
    }
}
