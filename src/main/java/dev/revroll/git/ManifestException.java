package dev.revroll.git;

/** A namespace manifest in the GitOps repository that revroll cannot read or edit (file:line:column in the message). */
public class ManifestException extends GitException {
    public ManifestException(String message) {
        super(Reason.MANIFEST, message);
    }
}
