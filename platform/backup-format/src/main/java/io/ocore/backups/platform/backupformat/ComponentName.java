package io.ocore.backups.platform.backupformat;

import java.util.Locale;

/**
 * The parts of a backup, each stored as one object: {@code db} backups have only {@link #database}
 * (and {@link #base} when their environment archives WAL).
 */
public enum ComponentName {
    /** {@code pg_dump -Fc} of the environment's database. */
    database("database.dump.zst.enc"),
    /** POSIX tar of the filestore directory (Odoo's {@code <2 hex>/<sha1>} layout, relative paths). */
    filestore("filestore.tar.zst.enc"),
    /** POSIX tar of {@code odoo.conf} and {@code environment.json}. */
    config("config.tar.zst.enc"),
    /**
     * The PITR base of a WAL-enabled environment (ADR 0017): {@code pg_basebackup -Ft -X none}'s
     * {@code base.tar} (the data directory with {@code backup_label} and {@code backup_manifest},
     * no WAL); restored only with the archived WAL.
     */
    base("base.tar.zst.enc");

    private final String fileName;

    ComponentName(String fileName) {
        this.fileName = fileName;
    }

    /** The object's name inside the backup's directory. */
    public String fileName() {
        return fileName;
    }

    public static ComponentName of(String name) {
        try {
            return valueOf(name.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("Unknown component '" + name + "'; expected database, filestore, config or base");
        }
    }
}
