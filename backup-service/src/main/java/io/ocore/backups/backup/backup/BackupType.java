package io.ocore.backups.backup.backup;

/** {@code db}: the database only; {@code full}: database, filestore and config. */
public enum BackupType {
    db, full
}
