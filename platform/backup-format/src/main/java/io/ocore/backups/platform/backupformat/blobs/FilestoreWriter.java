package io.ocore.backups.platform.backupformat.blobs;

import io.ocore.backups.platform.backupformat.TarArchives;
import io.ocore.backups.platform.storage.BackupStorage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * Writes a filestore into the environment's blob store (ADR 0015): walks the directory sorted by
 * path, reuses the blob ids of files unchanged since {@code previous} (path, size, mtime, ctime)
 * without reading them, reads, chunks and names the others, packs every blob a destination does
 * not hold yet (one pack stream per set of destinations lacking it: each byte compressed,
 * encrypted and hashed once), stores each pack then its index, tells the catalogue, and writes the
 * index's plaintext lines to {@code indexOut}. A destination whose upload fails is reported in
 * {@link Result#failures()} and gets nothing more; the others go on.
 */
public final class FilestoreWriter {

    /**
     * @param chunkBytes       the most bytes of a blob ({@link BlobLayout#CHUNK_BYTES})
     * @param packTargetBytes  a pack is closed at this size ({@link BlobLayout#PACK_TARGET_BYTES})
     * @param uploadStallAfter a destination that takes no data for this long is dropped
     */
    public record Options(int chunkBytes, int packTargetBytes, Duration uploadStallAfter) {
        public static Options defaults() {
            return new Options(BlobLayout.CHUNK_BYTES, BlobLayout.PACK_TARGET_BYTES, Duration.ofMinutes(5));
        }
    }

    /** A destination the filestore goes to. */
    public record Destination(UUID id, BackupStorage storage) {
    }

    /**
     * @param files            regular files listed in the index
     * @param rawBytes         their total size
     * @param unreadFiles      files whose blobs came from the change cache, unread
     * @param newBlobs         blobs packed by this backup (on at least one destination)
     * @param uploadedBytes    destination -> stored pack and pack-index bytes it received
     * @param failures         destination -> why it failed (it holds no usable copy)
     * @param referencedBlobs  every blob id the index names, encoded by {@link BlobRefs#encode}
     * @param notes            what changed under the walk (vanished, reread, skipped files)
     */
    public record Result(long files, long rawBytes, long unreadFiles, long newBlobs, Map<UUID, Long> uploadedBytes,
            Map<UUID, Throwable> failures, byte[] referencedBlobs, List<String> notes) {
    }

    public FilestoreWriter(BlobKeys keys, UUID orgId, UUID environmentId, Options options) {
        throw new UnsupportedOperationException("ADR 0015: being built");
    }

    /**
     * @param previous    the previous blob-store backup's entries by path (empty: read every file)
     * @param indexOut    receives the index's plaintext (the component pipeline compresses and encrypts it)
     * @param progress    called with the running count of filestore bytes handled (read or reused)
     * @throws IOException the filestore could not be read (every destination is then failed)
     */
    public Result write(Path dir, List<Destination> destinations, BlobCatalogue catalogue,
            Map<String, FilestoreIndex.Entry> previous, OutputStream indexOut, TarArchives.ReadHook hook,
            LongConsumer progress) throws IOException {
        throw new UnsupportedOperationException("ADR 0015: being built");
    }
}
