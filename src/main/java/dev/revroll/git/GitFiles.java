package dev.revroll.git;

import dev.revroll.errors.GitRecordException.Reason;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.EditList;
import org.eclipse.jgit.diff.HistogramDiff;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Reads a file as it is in a commit of the clone's object database, and renders the unified diff of an edit. */
final class GitFiles {

    private final Repository repo;

    GitFiles(Repository repo) {
        this.repo = repo;
    }

    /** The file's text (UTF-8) at the commit; empty when there is no such file. */
    Optional<String> read(ObjectId commit, String path) {
        ObjectId blob = blobId(commit, path);
        return blob == null ? Optional.empty() : Optional.of(readBlob(blob));
    }

    /** The blob of the file at the commit, or null when the path is not a file there. */
    ObjectId blobId(ObjectId commit, String path) {
        try (RevWalk rw = new RevWalk(repo)) {
            RevCommit c = rw.parseCommit(commit);
            try (TreeWalk tw = TreeWalk.forPath(repo, path, c.getTree())) {
                if (tw == null || tw.getFileMode(0).getObjectType() != Constants.OBJ_BLOB) {
                    return null;
                }
                return tw.getObjectId(0);
            }
        } catch (IOException e) {
            throw new GitException(Reason.UNREADABLE, "cannot read " + path + " at " + GitMessages.abbreviate(commit.name())
                    + ": " + e.getMessage(), e);
        }
    }

    String readBlob(ObjectId blob) {
        try {
            return new String(repo.open(blob, Constants.OBJ_BLOB).getBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new GitException(Reason.UNREADABLE, "cannot read blob " + blob.name() + ": " + e.getMessage(), e);
        }
    }

    /** The unified diff (3 lines of context) that turns {@code before} into {@code after}; "" when they are equal. */
    static String unifiedDiff(String path, String before, String after) {
        if (before.equals(after)) {
            return "";
        }
        RawText a = new RawText(before.getBytes(StandardCharsets.UTF_8));
        RawText b = new RawText(after.getBytes(StandardCharsets.UTF_8));
        EditList edits = new HistogramDiff().diff(RawTextComparator.DEFAULT, a, b);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DiffFormatter formatter = new DiffFormatter(out)) {
            formatter.setContext(3);
            formatter.format(edits, a, b);
            formatter.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return "--- a/" + path + "\n+++ b/" + path + "\n" + out.toString(StandardCharsets.UTF_8);
    }
}
