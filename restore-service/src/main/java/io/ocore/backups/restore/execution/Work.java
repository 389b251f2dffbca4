package io.ocore.backups.restore.execution;

import java.util.UUID;

/**
 * Where a restore works, recorded in {@code restore_job.work} before anything is created, so that
 * recovery after a crash knows what to drop or roll back. Never holds a password: the password is
 * read again from backup-service with {@code credentialsEnvironmentId}.
 *
 * @param targetDb        the database that is replaced (or created, for {@code new})
 * @param tempDb          {@code <target>_restore_<short id>}: the fresh database restored into
 * @param oldDb           {@code <target>_prerestore_<short id>}: the old database during the swap
 * @param filestore       the target's filestore directory (null: the backup has none, left alone)
 * @param tempFilestore   the directory the filestore is unpacked into, beside {@code filestore}
 * @param oldFilestore    the old filestore during the swap
 * @param configPath      for {@code new}: the odoo.conf written for the new database
 * @param createsTarget   {@code new}: the target database and directory did not exist before
 */
public record Work(String host, int port, String user, UUID credentialsEnvironmentId, String targetDb, String tempDb,
        String oldDb, String filestore, String tempFilestore, String oldFilestore, String configPath,
        boolean createsTarget) {
}
