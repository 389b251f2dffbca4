package io.ocore.backups.platform.backupformat.wal;

import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.storage.BackupStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Reads one archived WAL file back from a destination (docs/backup-format.md "WAL files"): the
 * object at {@link BackupLayout#walKey}, decrypted, decompressed and checked against the
 * catalogue's SHA-256 and size ({@link WalObject#open}) into a local file. The one way
 * wal-archiver serves a file and restore-service fetches the WAL a point-in-time restore replays.
 */
public final class WalCopy {

    private WalCopy() {
    }

    /**
     * Writes the verified plaintext of {@code fileName} to {@code out} (created or truncated);
     * answers its size. On any failure (missing, unreadable, not the archived file:
     * {@link WalObject.MismatchException}) {@code out} is deleted before the exception propagates.
     */
    public static long toFile(BackupStorage storage, EnvelopeCipher cipher, UUID orgId, UUID environmentId,
            int timeline, String fileName, String sha256, Path out) throws IOException {
        String key = BackupLayout.walKey(orgId, environmentId, timeline, fileName);
        boolean ok = false;
        try (InputStream stored = storage.get(key);
                InputStream plain = WalObject.open(stored, cipher, environmentId, fileName, sha256).plaintext();
                OutputStream o = Files.newOutputStream(out, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            long n = plain.transferTo(o);
            ok = true;
            return n;
        } finally {
            if (!ok) {
                Files.deleteIfExists(out);
            }
        }
    }
}
