package io.ocore.backups.backup.verify;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.Capabilities;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.ProbeResult;
import io.ocore.backups.platform.storage.StoredObject;
import java.io.InputStream;
import java.util.List;

/**
 * A destination whose reads go through the verification's {@link Verifier.Pacer} (the scrub's rate
 * limit), for readers that take a {@link BackupStorage} (the blob assembler). Read-only use; the
 * owner closes the destination, not this view.
 */
final class PacedStorage implements BackupStorage {

    private final BackupStorage storage;
    private final Verifier.Pacer pacer;

    PacedStorage(BackupStorage storage, Verifier.Pacer pacer) {
        this.storage = storage;
        this.pacer = pacer;
    }

    @Override
    public StoredObject put(String key, InputStream data) {
        throw new UnsupportedOperationException("a verification writes nothing");
    }

    @Override
    public InputStream get(String key) {
        return pacer.pace(storage.get(key));
    }

    @Override
    public InputStream get(String key, long offset, long length) {
        return pacer.pace(storage.get(key, offset, length));
    }

    @Override
    public List<StoredObject> list(String prefix) {
        return storage.list(prefix);
    }

    @Override
    public void delete(String key) {
        throw new UnsupportedOperationException("a verification deletes nothing");
    }

    @Override
    public ProbeResult probe() {
        return storage.probe();
    }

    @Override
    public Capabilities capabilities() {
        return storage.capabilities();
    }

    @Override
    public DestinationType type() {
        return storage.type();
    }

    @Override
    public void close() {
        // the destination is the caller's to close
    }
}
