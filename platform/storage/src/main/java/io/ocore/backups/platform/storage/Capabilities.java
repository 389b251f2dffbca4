package io.ocore.backups.platform.storage;

/**
 * What a destination can do, declared by its driver.
 *
 * @param atomicPut an object appears only complete (never a partial object under its key)
 * @param retriesWithinPut the driver retries transient failures per part or chunk itself, so a
 *     put of a one-shot stream survives short outages
 * @param spoolsToDisk a put of unknown length is first copied to a local temporary file (the
 *     remote protocol needs the total size up front)
 * @param listHasLastModified {@link StoredObject#lastModified()} is filled by {@code list}
 * @param maxObjectBytes the largest object the destination accepts, {@code Long.MAX_VALUE} if unbounded
 */
public record Capabilities(boolean atomicPut, boolean retriesWithinPut, boolean spoolsToDisk,
        boolean listHasLastModified, long maxObjectBytes) {
}
