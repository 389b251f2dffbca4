package io.ocore.backups.platform.backupformat.blobs;

/**
 * Where a stored blob lies on one destination: in pack {@code packId}, {@code length} stored bytes
 * from {@code offset}; {@code rawLength} is the chunk's size once decoded.
 */
public record BlobLocation(String blobId, String packId, long offset, int length, int rawLength) {
}
