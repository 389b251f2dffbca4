package io.ocore.backups.backup.backup;

public enum BackupStatus {
    pending, in_progress, completed, failed,
    /** Being removed from every destination; leaves the catalogue once every copy is gone. */
    deleting
}
