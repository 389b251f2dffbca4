package io.ocore.backups.backup.backup;

/** What a running backup is doing, shown in {@code progress.phase}. */
public enum Phase {
    dumping_database, archiving_filestore, archiving_config, writing_manifest
}
