package dev.revroll.git;

import dev.revroll.errors.GitRecordException.Reason;
import dev.revroll.ports.GitOpsRepository.StepChange;
import dev.revroll.ports.InjectionLabels;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.FooterLine;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A step's commits in the clone's object database, never in its working tree: the step commit (one file's new text
 * on top of a given head), its revert (a three-way merge onto a given head), their messages and trailers, and finding
 * either again on the remote's history by those trailers, so that asking twice returns the commit made the first time.
 */
final class StepCommits {

    static final String TRAILER_RUN = "Revroll-Run";
    static final String TRAILER_STEP = "Revroll-Step";
    static final String TRAILER_PLAN = "Revroll-Plan";
    static final String TRAILER_REVERT_OF = "Revroll-Revert-Of";

    /** How far back the remote branch is searched for a step's commit (idempotent resume). */
    private static final int HISTORY_DEPTH = 5000;

    private final GitClone clone;
    private final Repository repo;

    StepCommits(GitClone clone) {
        this.clone = clone;
        this.repo = clone.repo();
    }

    // ---- writing -------------------------------------------------------------------------------------------------

    /** The step's commit on {@code head}: {@code path} holds {@code content}, every other file is as in head. */
    RevCommit writeStep(ObjectId head, StepChange change, String path, String content) {
        return writeCommit(head, path, content, stepMessage(change, path));
    }

    /**
     * The revert of the step commit {@code commitId} on {@code head}: the commit's change undone by a three-way merge,
     * so that later edits of other lines stay. Refuses a commit that is not on the remote (nothing to revert), a merge
     * or root commit, and a revert that conflicts with what changed since.
     */
    RevCommit writeRevert(ObjectId head, StepChange change, String commitId) {
        String remoteName = clone.remoteName();
        String shortId = GitMessages.abbreviate(commitId);
        try (RevWalk rw = new RevWalk(repo)) {
            ObjectId id = repo.resolve(commitId);
            if (id == null) {
                throw new CommitNotOnRemoteException("commit " + shortId
                        + " is not in the clone " + clone.config().repo() + " (not on " + remoteName + "?); nothing to revert");
            }
            RevCommit target;
            try {
                target = rw.parseCommit(id);
            } catch (MissingObjectException e) {
                throw new CommitNotOnRemoteException("commit " + shortId + " is not on " + remoteName
                        + " (nor in the clone " + clone.config().repo() + "); there is nothing to revert in Git");
            }
            RevCommit headCommit = rw.parseCommit(head);
            if (!rw.isMergedInto(target, headCommit)) {
                throw new CommitNotOnRemoteException("commit " + shortId + " is not on "
                        + remoteName + "; there is nothing to revert in Git");
            }
            if (target.getParentCount() != 1) {
                throw new GitException(Reason.CONFLICT, "commit " + shortId
                        + " is a merge or root commit; revroll only reverts its own step commits");
            }
            RevCommit parent = rw.parseCommit(target.getParent(0));
            ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(repo, true);
            merger.setBase(target.getTree());
            merger.setCommitNames(new String[] {"parent of " + shortId, "HEAD", shortId});
            if (!merger.merge(headCommit, parent)) {
                Set<String> paths = new TreeSet<>(merger.getUnmergedPaths());
                if (merger.getFailingPaths() != null) {
                    paths.addAll(merger.getFailingPaths().keySet());
                }
                String blame = paths.isEmpty() ? "" : lastChange(target, headCommit, paths.iterator().next());
                throw new GitException(Reason.CONFLICT, "cannot revert " + shortId
                        + " (" + target.getShortMessage() + "): " + String.join(", ", paths) + " changed since on "
                        + remoteName + blame + "; the revert conflicts, nothing was pushed; revert it by hand with "
                        + "'git revert " + commitId + "' and push, then run 'revroll reconcile'");
            }
            return writeCommit(head, merger.getResultTreeId(), revertMessage(change, target));
        } catch (IOException e) {
            throw new GitException(Reason.WRITE_FAILED, "cannot revert " + shortId + ": " + e.getMessage(), e);
        }
    }

    private RevCommit writeCommit(ObjectId parent, String path, String content, String message) {
        try (ObjectInserter inserter = repo.newObjectInserter(); RevWalk rw = new RevWalk(repo)) {
            RevCommit base = rw.parseCommit(parent);
            ObjectId blob = inserter.insert(Constants.OBJ_BLOB, content.getBytes(StandardCharsets.UTF_8));
            DirCache index = DirCache.newInCore();
            DirCacheBuilder builder = index.builder();
            builder.addTree(new byte[0], DirCacheEntry.STAGE_0, rw.getObjectReader(), base.getTree());
            builder.finish();
            DirCacheEditor editor = index.editor();
            editor.add(new DirCacheEditor.PathEdit(path) {
                @Override
                public void apply(DirCacheEntry entry) {
                    if (entry.getRawMode() == 0) {
                        entry.setFileMode(FileMode.REGULAR_FILE);
                    }
                    entry.setObjectId(blob);
                }
            });
            editor.finish();
            ObjectId tree = index.writeTree(inserter);
            inserter.flush();
            return writeCommit(parent, tree, message);
        } catch (IOException e) {
            throw new GitException(Reason.WRITE_FAILED, "cannot write the commit for " + path + ": " + e.getMessage(), e);
        }
    }

    private RevCommit writeCommit(ObjectId parent, ObjectId tree, String message) {
        try (ObjectInserter inserter = repo.newObjectInserter(); RevWalk rw = new RevWalk(repo)) {
            PersonIdent who = author();
            CommitBuilder cb = new CommitBuilder();
            cb.setTreeId(tree);
            cb.setParentId(parent);
            cb.setAuthor(who);
            cb.setCommitter(who);
            cb.setMessage(message);
            ObjectId id = inserter.insert(cb);
            inserter.flush();
            return rw.parseCommit(id);
        } catch (IOException e) {
            throw new GitException(Reason.WRITE_FAILED, "cannot write a commit: " + e.getMessage(), e);
        }
    }

    /** The plan's author, else Git config {@code user.name/user.email}, else {@code revroll <revroll@localhost>}. */
    PersonIdent author() {
        String name = clone.config().authorName().orElseGet(() -> repo.getConfig().getString("user", null, "name"));
        String email = clone.config().authorEmail().orElseGet(() -> repo.getConfig().getString("user", null, "email"));
        return new PersonIdent(name == null || name.isBlank() ? "revroll" : name,
                email == null || email.isBlank() ? "revroll@localhost" : email);
    }

    // ---- messages ------------------------------------------------------------------------------------------------

    private String stepMessage(StepChange change, String path) {
        StringBuilder body = new StringBuilder();
        labelsSetBy(change).forEach((k, v) ->
                body.append(v == null ? "Remove label " + k : "Set label " + k + "=" + v).append('\n'));
        return clone.planName() + ": move " + change.namespace() + " to revision " + change.toRevision() + "\n\n"
                + "Namespace " + change.namespace() + " (" + path + "):\n" + body + "\n"
                + TRAILER_RUN + ": " + change.runId() + "\n"
                + TRAILER_STEP + ": " + change.stepId() + "\n"
                + TRAILER_PLAN + ": " + clone.planName() + "\n";
    }

    private String revertMessage(StepChange change, RevCommit target) {
        return clone.planName() + ": revert move of " + change.namespace() + " to " + change.toRevision() + "\n\n"
                + "This reverts commit " + target.name() + ".\n\n"
                + TRAILER_RUN + ": " + change.runId() + "\n"
                + TRAILER_STEP + ": " + change.stepId() + "\n"
                + TRAILER_PLAN + ": " + clone.planName() + "\n"
                + TRAILER_REVERT_OF + ": " + target.name() + "\n";
    }

    // ---- finding -------------------------------------------------------------------------------------------------

    /** The step's commit (same run and step trailers) in head's history, unless it was reverted since. */
    Optional<RevCommit> findStep(ObjectId head, StepChange change) {
        Set<String> reverted = new HashSet<>();
        return walk(head, c -> {
            List<FooterLine> footers = c.getFooterLines();
            String revertOf = trailer(footers, TRAILER_REVERT_OF);
            if (revertOf != null) {
                reverted.add(revertOf);
                return Boolean.FALSE;
            }
            if (change.runId().equals(trailer(footers, TRAILER_RUN)) && change.stepId().equals(trailer(footers, TRAILER_STEP))) {
                // a step commit that was reverted since does not count: the step is written again
                return reverted.contains(c.name()) ? null : Boolean.TRUE;
            }
            return Boolean.FALSE;
        });
    }

    /** The revert of {@code commitId} (its Revroll-Revert-Of trailer) in head's history. */
    Optional<RevCommit> findRevert(ObjectId head, String commitId) {
        ObjectId target = clone.resolveOrNull(commitId);
        String full = target == null ? commitId : target.name();
        return walk(head, c -> full.equals(trailer(c.getFooterLines(), TRAILER_REVERT_OF)) ? Boolean.TRUE : Boolean.FALSE);
    }

    /** Walks back from head; the test answers TRUE (found), FALSE (keep going) or null (stop, not found). */
    private Optional<RevCommit> walk(ObjectId head, Function<RevCommit, Boolean> test) {
        try (RevWalk rw = new RevWalk(repo)) {
            rw.markStart(rw.parseCommit(head));
            int seen = 0;
            for (RevCommit c : rw) {
                if (++seen > HISTORY_DEPTH) {
                    break;
                }
                Boolean answer = test.apply(c);
                if (answer == null) {
                    return Optional.empty();
                }
                if (answer) {
                    return Optional.of(c);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new GitException(Reason.UNREADABLE, "cannot read the history of " + clone.remoteName() + ": " + e.getMessage(), e);
        }
    }

    /** " by <commit> (<subject>, <author>)": the newest commit in (since, head] that touched path, or "". */
    String lastChange(AnyObjectId since, AnyObjectId head, String path) {
        try (RevWalk rw = new RevWalk(repo)) {
            rw.markStart(rw.parseCommit(head));
            rw.markUninteresting(rw.parseCommit(since));
            rw.setTreeFilter(AndTreeFilter.create(PathFilter.create(path), TreeFilter.ANY_DIFF));
            for (RevCommit c : rw) {
                return " by " + c.abbreviate(8).name() + " (" + c.getShortMessage() + ", " + c.getAuthorIdent().getName() + ")";
            }
        } catch (IOException e) {
            return "";
        }
        return "";
    }

    private static String trailer(List<FooterLine> footers, String key) {
        for (FooterLine f : footers) {
            if (f.getKey().equalsIgnoreCase(key)) {
                return f.getValue().strip();
            }
        }
        return null;
    }

    /** The labels a step sets: the change's own map, or the default move (set istio.io/rev, drop istio-injection). */
    static Map<String, String> labelsSetBy(StepChange change) {
        if (change.labels() != null && !change.labels().isEmpty()) {
            return change.labels();
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(InjectionLabels.REVISION, change.toRevision());
        labels.put(InjectionLabels.INJECTION, null);
        return labels;
    }
}
