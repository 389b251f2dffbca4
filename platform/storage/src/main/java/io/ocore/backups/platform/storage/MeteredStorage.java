package io.ocore.backups.platform.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** Reports every operation's outcome, bytes and latency to a {@link StorageListener}. */
final class MeteredStorage implements BackupStorage {

    private final BackupStorage delegate;
    private final StorageListener listener;

    MeteredStorage(BackupStorage delegate, StorageListener listener) {
        this.delegate = delegate;
        this.listener = listener;
    }

    private <T> T timed(StorageListener.Operation op, Supplier<T> call, java.util.function.ToLongFunction<T> bytes) {
        long start = System.nanoTime();
        try {
            T result = call.get();
            report(op, bytes.applyAsLong(result), start, null);
            return result;
        } catch (StorageException e) {
            report(op, 0, start, e.kind());
            throw e;
        } catch (RuntimeException e) {
            report(op, 0, start, StorageException.Kind.PERMANENT);
            throw e;
        }
    }

    private void report(StorageListener.Operation op, long bytes, long startNanos, StorageException.Kind failure) {
        try {
            listener.operation(delegate.type(), op, bytes, Duration.ofNanos(System.nanoTime() - startNanos), failure);
        } catch (RuntimeException ignored) {
            // a broken metrics hook must never fail a backup
        }
    }

    @Override
    public StoredObject put(String key, InputStream data) {
        return timed(StorageListener.Operation.PUT, () -> delegate.put(key, data), StoredObject::sizeBytes);
    }

    @Override
    public StoredObject put(String key, StreamSource source) {
        return timed(StorageListener.Operation.PUT, () -> delegate.put(key, source), StoredObject::sizeBytes);
    }

    @Override
    public InputStream get(String key) {
        return metered(() -> delegate.get(key));
    }

    /** A ranged read is a GET whose bytes are those of the range. */
    @Override
    public InputStream get(String key, long offset, long length) {
        return metered(() -> delegate.get(key, offset, length));
    }

    private InputStream metered(Supplier<InputStream> open) {
        long start = System.nanoTime();
        InputStream in;
        try {
            in = open.get();
        } catch (StorageException e) {
            report(StorageListener.Operation.GET, 0, start, e.kind());
            throw e;
        } catch (RuntimeException e) {
            report(StorageListener.Operation.GET, 0, start, StorageException.Kind.PERMANENT);
            throw e;
        }
        return new FilterInputStream(in) {
            private long count;
            private boolean failed;
            private boolean reported;

            @Override
            public int read() throws IOException {
                try {
                    int b = super.read();
                    if (b >= 0) {
                        count++;
                    }
                    return b;
                } catch (IOException e) {
                    failed = true;
                    throw e;
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        count += n;
                    }
                    return n;
                } catch (IOException e) {
                    failed = true;
                    throw e;
                }
            }

            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    if (!reported) {
                        reported = true;
                        report(StorageListener.Operation.GET, count, start,
                                failed ? StorageException.Kind.TRANSIENT : null);
                    }
                }
            }
        };
    }

    @Override
    public List<StoredObject> list(String prefix) {
        return timed(StorageListener.Operation.LIST, () -> delegate.list(prefix), r -> 0);
    }

    @Override
    public void delete(String key) {
        timed(StorageListener.Operation.DELETE, () -> {
            delegate.delete(key);
            return 0;
        }, r -> 0);
    }

    @Override
    public int deletePrefix(String prefix) {
        return timed(StorageListener.Operation.DELETE_PREFIX, () -> delegate.deletePrefix(prefix), r -> 0);
    }

    @Override
    public ProbeResult probe() {
        long start = System.nanoTime();
        ProbeResult r = delegate.probe();
        report(StorageListener.Operation.PROBE, 0, start, r.ok() ? null : r.failureKind());
        return r;
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
