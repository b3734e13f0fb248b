package dev.revroll.git;

import dev.revroll.errors.ExitCode;
import dev.revroll.errors.RevrollException;

/** A namespace manifest in the GitOps repository that revroll cannot read or edit (file:line:column in the message). */
public class ManifestException extends RevrollException {
    public ManifestException(String message) {
        super(ExitCode.PREFLIGHT_REFUSED, Redaction.redact(message));
    }
}
