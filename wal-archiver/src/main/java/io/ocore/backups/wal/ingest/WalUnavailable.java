package io.ocore.backups.wal.ingest;

/** The file could not be made durable (or served) now: 503 with Retry-After. The message is safe to show. */
public class WalUnavailable extends RuntimeException {
    public WalUnavailable(String message) {
        super(message);
    }
}
