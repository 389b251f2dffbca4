package io.ocore.backups.backup.execution;

/** Fixed error texts users and alerts see. */
public final class BackupExecutionReasons {

    public static final String INTERRUPTED = "interrupted: the backup service stopped while this backup ran";

    private BackupExecutionReasons() {
    }
}
