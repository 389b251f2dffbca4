package io.ocore.backups.platform.storage;

/**
 * The one place where the cross-cutting behaviour is composed around a driver:
 * metrics outermost (one record per logical operation, retries included in its latency),
 * retry of transient failures inside it.
 */
public final class Storages {

    private Storages() {
    }

    public static BackupStorage decorate(BackupStorage driver, RetryPolicy retryPolicy, StorageListener listener) {
        BackupStorage s = driver;
        if (retryPolicy.maxAttempts() > 1) {
            s = new RetryingStorage(s, retryPolicy, listener);
        }
        if (listener != StorageListener.NONE) {
            s = new MeteredStorage(s, listener);
        }
        return s;
    }
}
