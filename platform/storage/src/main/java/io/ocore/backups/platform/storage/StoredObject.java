package io.ocore.backups.platform.storage;

import java.time.Instant;

/**
 * An object in a destination.
 *
 * @param key relative key under the destination's prefix
 * @param sizeBytes stored size in bytes
 * @param lastModified when the object was last written, {@code null} when the call did not tell
 */
public record StoredObject(String key, long sizeBytes, Instant lastModified) {

    public StoredObject(String key, long sizeBytes) {
        this(key, sizeBytes, null);
    }
}
