package io.ocore.backups.platform.backupformat.blobs;

import java.io.IOException;

/** A stored blob does not decrypt, decode or hash to its id (a verification's {@code corrupt}). */
public class BlobCorruptException extends IOException {
    public BlobCorruptException(String message) {
        super(message);
    }

    public BlobCorruptException(String message, Throwable cause) {
        super(message, cause);
    }
}
