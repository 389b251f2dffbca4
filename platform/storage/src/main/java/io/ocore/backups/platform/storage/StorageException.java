package io.ocore.backups.platform.storage;

/**
 * A storage failure, classified. Messages are plain words a user understands and never contain
 * a secret; drivers build them from their own words, not from a remote server's text.
 */
public class StorageException extends RuntimeException {

    /** Why an operation failed; decides retries and what the user is told. */
    public enum Kind {
        /** The object does not exist. */
        NOT_FOUND,
        /** The credentials were refused (wrong key, password, expired or revoked token). */
        AUTHENTICATION,
        /** Authenticated, but not allowed to do this. */
        PERMISSION,
        /** The bucket, folder or drive the destination names does not exist. */
        CONTAINER_MISSING,
        /** The SFTP server presented a host key other than the pinned one. */
        HOST_KEY_MISMATCH,
        /** The host name does not resolve. */
        NAME_RESOLUTION,
        /** The server did not answer in time. */
        TIMEOUT,
        /** Worth retrying: throttling, 5xx, dropped connection. */
        TRANSIENT,
        /** Will not succeed on retry: bad configuration, unsupported, corrupt answer. */
        PERMANENT;

        /** Only transient failures are retried; a timeout may mean the server is overloaded or gone. */
        public boolean isRetryable() {
            return this == TRANSIENT;
        }
    }

    private final Kind kind;

    public StorageException(Kind kind, String message) {
        this(kind, message, null);
    }

    public StorageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static StorageException notFound(String key) {
        return new StorageException(Kind.NOT_FOUND, "There is no object '" + key + "' at this destination.");
    }

    public static boolean isNotFound(Throwable t) {
        return t instanceof StorageException se && se.kind == Kind.NOT_FOUND;
    }

    @Override
    public String toString() {
        return "StorageException[" + kind + "]: " + getMessage();
    }
}
