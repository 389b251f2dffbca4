package io.ocore.backups.platform.backupformat.blobs;

import java.io.IOException;

/** A blob, its pack or its location is not there (a verification's {@code missing}). */
public class BlobMissingException extends IOException {
    public BlobMissingException(String message) {
        super(message);
    }

    public BlobMissingException(String message, Throwable cause) {
        super(message, cause);
    }
}
