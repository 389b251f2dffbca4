package io.ocore.backups.platform.storage;

import java.time.Duration;

/**
 * Metrics hook: one call per finished operation and one per retry. Services plug Micrometer in
 * here (counter by type/operation/outcome, summary of bytes, timer of latency); the library itself
 * depends on no metrics API. Must be cheap and must not throw.
 */
public interface StorageListener {

    StorageListener NONE = new StorageListener() {
    };

    enum Operation { PUT, GET, LIST, DELETE, DELETE_PREFIX, PROBE }

    /**
     * An operation ended. {@code bytes}: bytes written (PUT) or read (GET, reported when the stream
     * is closed); {@code failure}: {@code null} on success.
     */
    default void operation(DestinationType type, Operation op, long bytes, Duration duration,
            StorageException.Kind failure) {
    }

    /** A transient failure is about to be retried after {@code delay}. */
    default void retry(DestinationType type, Operation op, int attempt, Duration delay) {
    }
}
