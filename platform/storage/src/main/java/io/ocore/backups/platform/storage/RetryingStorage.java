package io.ocore.backups.platform.storage;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Retries {@code TRANSIENT} failures with backoff. A put of a one-shot {@link InputStream} is not
 * replayed (its bytes are gone); drivers retry per part or chunk for those. A put of a
 * {@link BackupStorage.StreamSource} is replayed from the start. The probe is never retried: it
 * reports what it saw.
 */
final class RetryingStorage implements BackupStorage {

    private static final Logger LOG = Logger.getLogger(RetryingStorage.class);

    private final BackupStorage delegate;
    private final RetryPolicy policy;
    private final StorageListener listener;

    RetryingStorage(BackupStorage delegate, RetryPolicy policy, StorageListener listener) {
        this.delegate = delegate;
        this.policy = policy;
        this.listener = listener;
    }

    private <T> T retry(StorageListener.Operation op, Supplier<T> call) {
        for (int attempt = 1;; attempt++) {
            try {
                return call.get();
            } catch (StorageException e) {
                if (!e.kind().isRetryable() || attempt >= policy.maxAttempts()) {
                    throw e;
                }
                Duration delay = policy.delayAfter(attempt);
                LOG.debugf("%s %s failed (%s), attempt %d, retrying in %d ms", delegate.type(), op, e.kind(),
                        attempt, delay.toMillis());
                listener.retry(delegate.type(), op, attempt, delay);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    @Override
    public StoredObject put(String key, InputStream data) {
        return delegate.put(key, data);
    }

    @Override
    public StoredObject put(String key, StreamSource source) {
        return retry(StorageListener.Operation.PUT, () -> delegate.put(key, source));
    }

    @Override
    public InputStream get(String key) {
        return retry(StorageListener.Operation.GET, () -> delegate.get(key));
    }

    @Override
    public InputStream get(String key, long offset, long length) {
        return retry(StorageListener.Operation.GET, () -> delegate.get(key, offset, length));
    }

    @Override
    public List<StoredObject> list(String prefix) {
        return retry(StorageListener.Operation.LIST, () -> delegate.list(prefix));
    }

    @Override
    public void delete(String key) {
        retry(StorageListener.Operation.DELETE, () -> {
            delegate.delete(key);
            return null;
        });
    }

    @Override
    public int deletePrefix(String prefix) {
        return retry(StorageListener.Operation.DELETE_PREFIX, () -> delegate.deletePrefix(prefix));
    }

    @Override
    public ProbeResult probe() {
        return delegate.probe();
    }

    @Override
    public Capabilities capabilities() {
        return delegate.capabilities();
    }

    @Override
    public DestinationType type() {
        return delegate.type();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
