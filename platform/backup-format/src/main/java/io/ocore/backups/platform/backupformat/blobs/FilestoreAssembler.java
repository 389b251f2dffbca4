package io.ocore.backups.platform.backupformat.blobs;

import io.ocore.backups.platform.storage.BackupStorage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * Reads a blob-store filestore back from one destination (ADR 0015): the entries of its index,
 * each blob located (catalogue or pack indexes), read with ranged reads (adjacent blobs of a pack
 * coalesced), its GCM tag and HMAC checked. One reader for a restore ({@link #extract}), a download
 * ({@link #writeTar}) and a verification ({@link #verify}).
 *
 * <p>Failures: {@link BlobMissingException} (a location, pack or range not there),
 * {@link BlobCorruptException} (a blob that does not decrypt, decode or hash to its id), any
 * other {@link IOException} for a destination that could not be read.
 */
public final class FilestoreAssembler {

    /** What {@link #verify} read. */
    public record Checked(long blobs, long storedBytes, long rawBytes) {
    }

    /**
     * @param locations blob id -> where it is on this destination, or null when unknown
     */
    public FilestoreAssembler(BlobKeys keys, UUID orgId, UUID environmentId, BackupStorage storage,
            Function<String, BlobLocation> locations) {
        throw new UnsupportedOperationException("ADR 0015: being built");
    }

    /**
     * Writes a POSIX tar of the entries to {@code out}: the same entries, order and format as a
     * version-1 filestore tar ({@code TarArchives.writeDirectory}). Returns the tar's size.
     */
    public long writeTar(List<FilestoreIndex.Entry> entries, OutputStream out, LongConsumer progress)
            throws IOException {
        throw new UnsupportedOperationException("ADR 0015: being built");
    }

    /**
     * Writes the entries under {@code target} (created if absent), refusing any path that would
     * leave it, with their modes and mtimes; every file fsynced. Returns the bytes written.
     */
    public long extract(List<FilestoreIndex.Entry> entries, Path target, LongConsumer progress) throws IOException {
        throw new UnsupportedOperationException("ADR 0015: being built");
    }

    /** Reads and checks every distinct blob the entries name, pack by pack; nothing is written. */
    public Checked verify(List<FilestoreIndex.Entry> entries, LongConsumer progress) throws IOException {
        throw new UnsupportedOperationException("ADR 0015: being built");
    }

    /** Every blob location the destination's pack indexes give (manual restores, no catalogue). */
    public static Map<String, BlobLocation> readPackIndexes(BackupStorage storage, BlobKeys keys, UUID orgId,
            UUID environmentId) throws IOException {
        throw new UnsupportedOperationException("ADR 0015: being built");
    }
}
