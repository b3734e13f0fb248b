package dev.revroll.prometheus;

/**
 * Something the plan names for reaching Prometheus cannot be used: a file missing or unreadable, an environment
 * variable unset, a token that is not one. The message names the field and where, never what a secret holds; a query
 * that meets one fails at once (no retry: it will not get better by itself).
 */
final class AccessProblem extends Exception {

    AccessProblem(String message) {
        super(message, null, false, false);
    }
}
