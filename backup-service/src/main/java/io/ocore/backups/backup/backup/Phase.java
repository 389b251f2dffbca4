package io.ocore.backups.backup.backup;

/** What a running backup is doing, shown in {@code progress.phase}. */
public enum Phase {
    dumping_database, archiving_filestore, archiving_config,
    /** Waiting for the PITR base (pg_basebackup, ADR 0017) once the other components are stored. */
    taking_base,
    writing_manifest
}
