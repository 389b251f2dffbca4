package io.ocore.backups.backup.backup;

public enum BackupStatus {
    pending, in_progress, completed, failed
}
