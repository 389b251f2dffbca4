package io.ocore.backups.platform.backupformat;

import java.util.UUID;

/**
 * Where a backup's objects live on a destination, relative to the destination's own prefix
 * (the driver adds {@code pathPrefix} / folder):
 * {@code <orgId>/<envId>/backups/<backupId>/{database.dump.zst.enc, filestore.tar.zst.enc,
 * config.tar.zst.enc, manifest.json}}. The manifest is written last: a directory without one is
 * an incomplete backup.
 */
public final class BackupLayout {

    public static final String MANIFEST = "manifest.json";

    private BackupLayout() {
    }

    /** The backup's directory with a trailing '/': the prefix to list or delete. */
    public static String backupDir(UUID orgId, UUID environmentId, UUID backupId) {
        return orgId + "/" + environmentId + "/backups/" + backupId + "/";
    }

    public static String componentKey(UUID orgId, UUID environmentId, UUID backupId, ComponentName component) {
        return backupDir(orgId, environmentId, backupId) + component.fileName();
    }

    public static String manifestKey(UUID orgId, UUID environmentId, UUID backupId) {
        return backupDir(orgId, environmentId, backupId) + MANIFEST;
    }

    /** Every archived WAL file of an environment lives under this prefix (docs/backup-format.md "WAL files"). */
    public static String environmentWal(UUID orgId, UUID environmentId) {
        return orgId + "/" + environmentId + "/wal/";
    }

    /**
     * An archived WAL file: {@code <orgId>/<envId>/wal/<timeline, 8 hex>/<fileName>}, the same
     * bytes (a {@code wal.WalObject}) on every destination.
     */
    public static String walKey(UUID orgId, UUID environmentId, int timeline, String fileName) {
        return environmentWal(orgId, environmentId) + String.format("%08X", timeline) + "/" + fileName;
    }

    /** Every backup directory of an environment lives under this prefix. */
    public static String environmentBackups(UUID orgId, UUID environmentId) {
        return orgId + "/" + environmentId + "/backups/";
    }
}
