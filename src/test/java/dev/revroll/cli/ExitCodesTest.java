package dev.revroll.cli;

import dev.revroll.errors.ClusterException;
import dev.revroll.errors.GitRecordException;
import dev.revroll.errors.JournalConflictException;
import dev.revroll.errors.LockedException;
import dev.revroll.errors.PlanException;
import dev.revroll.errors.PreflightException;
import dev.revroll.errors.RecordException;
import dev.revroll.errors.UsageException;
import dev.revroll.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What happened decides the code, in one place; a bug never gets a code that means "rolled back" or "rollback incomplete". */
class ExitCodesTest {

    @Test
    void everyFailureHasTheCodeOfWhatHappened() {
        assertEquals(ExitCode.INVALID, ExitCodes.of(new PlanException(List.of())));
        assertEquals(ExitCode.INVALID, ExitCodes.of(new UsageException("no run 'x'")));
        assertEquals(ExitCode.PREFLIGHT_REFUSED, ExitCodes.of(new PreflightException(List.of("istiod not ready"))));
        assertEquals(ExitCode.LOCKED, ExitCodes.of(new LockedException("run a holds the lock")));
        assertEquals(ExitCode.ROLLBACK_INCOMPLETE, ExitCodes.of(new RecordException("the run journal cannot be read")));
        assertEquals(ExitCode.ROLLBACK_INCOMPLETE, ExitCodes.of(new JournalConflictException("r", "someone else wrote it")));
        assertEquals(ExitCode.UNAVAILABLE, ExitCodes.of(cluster(false)), "a read that failed changed nothing");
        assertEquals(ExitCode.ROLLBACK_INCOMPLETE, ExitCodes.of(cluster(true)), "a write that failed may have");
        assertEquals(ExitCode.UNAVAILABLE, ExitCodes.of(new GitRecordException(GitRecordException.Reason.UNREACHABLE, "cannot fetch")));
        assertEquals(ExitCode.PREFLIGHT_REFUSED, ExitCodes.of(new GitRecordException(GitRecordException.Reason.MANIFEST, "x.yaml:3:1")));
        assertEquals(ExitCode.ROLLBACK_INCOMPLETE, ExitCodes.of(new GitRecordException(GitRecordException.Reason.REJECTED, "pre-receive")));
    }

    @Test
    void aBugIsAnInternalErrorWithACodeOfItsOwn() {
        ExitCode bug = ExitCodes.of(new NullPointerException());
        assertEquals(ExitCode.INTERNAL_ERROR, bug);
        assertEquals(70, bug.code());
        for (ExitCode c : List.of(ExitCode.ROLLED_BACK, ExitCode.ROLLBACK_INCOMPLETE, ExitCode.DONE)) {
            assertEquals(false, c.code() == bug.code(), c.toString());
        }
    }

    @Test
    void aFailureAsJsonSaysKindCodeMessageAndWhere() throws Exception {
        PlanException invalid = new PlanException(List.of(new PlanException.PlanProblem("p.yaml", 8, 3, "spec.wavez", "unknown field")));
        Map<?, ?> doc = Json.read(Json.compact(ErrorHandler.document(invalid, ExitCodes.of(invalid))), Map.class);
        assertEquals("ERROR", doc.get("type"));
        assertEquals("invalid-plan", doc.get("kind"));
        assertEquals(2, doc.get("exitCode"));
        assertEquals("p.yaml", doc.get("file"));
        assertEquals(8, doc.get("line"));
        assertEquals(3, doc.get("column"));
        assertEquals("p.yaml:8:3: spec.wavez: unknown field", doc.get("message"));

        PreflightException refused = new PreflightException(List.of("istiod of revision 1-28-0 has no Ready pod"));
        Map<?, ?> pre = Json.read(Json.compact(ErrorHandler.document(refused, ExitCodes.of(refused))), Map.class);
        assertEquals("preflight-refused", pre.get("kind"));
        assertEquals(3, pre.get("exitCode"));
        assertEquals(List.of("istiod of revision 1-28-0 has no Ready pod"), pre.get("reasons"));

        Map<?, ?> bug = Json.read(Json.compact(ErrorHandler.document(new IllegalStateException("x"), ExitCode.INTERNAL_ERROR)), Map.class);
        assertEquals("internal-error", bug.get("kind"));
        assertEquals(70, bug.get("exitCode"));
    }

    private static ClusterException cluster(boolean write) {
        return new ClusterException("cannot reach the Kubernetes API", write ? "patch" : "read", "Namespace shop", 0, null, write, null);
    }
}
