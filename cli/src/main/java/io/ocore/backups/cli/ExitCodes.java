package io.ocore.backups.cli;

/** The process exit codes scripts can rely on (documented in docs/cli.md). */
public final class ExitCodes {

    public static final int OK = 0;
    /** Anything else: a 5xx, an unexpected answer, a wait that timed out. */
    public static final int ERROR = 1;
    /** Bad command line: unknown option, missing value, missing secret without a terminal. */
    public static final int USAGE = 2;
    /** 401 or 403. */
    public static final int AUTH = 3;
    /** 404. */
    public static final int NOT_FOUND = 4;
    /** 409. */
    public static final int CONFLICT = 5;
    /** 400, 413, 422: the server rejected the values sent. */
    public static final int VALIDATION = 6;
    /** The gateway could not be reached. */
    public static final int CONNECTION = 7;
    /** A {@code --wait}ed-for backup or restore ended {@code failed}; {@code backup verify --wait} found a bad copy. */
    public static final int OPERATION_FAILED = 8;

    private ExitCodes() {
    }

    /** The exit code for an HTTP error status. */
    public static int forStatus(int status) {
        return switch (status) {
            case 401, 403 -> AUTH;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            case 400, 413, 422 -> VALIDATION;
            default -> ERROR;
        };
    }
}
