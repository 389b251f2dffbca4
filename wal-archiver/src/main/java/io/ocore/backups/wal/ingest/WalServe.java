package io.ocore.backups.wal.ingest;

import io.ocore.backups.platform.backupformat.wal.WalCopy;
import io.ocore.backups.platform.backupformat.wal.WalObject;
import io.ocore.backups.platform.destinations.Destinations;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.walformat.WalFileName;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.ProblemTypes;
import io.ocore.backups.wal.ingest.WalStore.WalFile;
import io.quarkus.logging.Log;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code GET /api/wal/{envId}/{fileName}} (ADR 0017 "Serving"): the file from the first
 * destination in its {@code destination_ids} that gives it, decrypted, decompressed and checked
 * against the catalogue's size and SHA-256 into a private spool file before the first byte goes
 * out, so a corrupt or unreadable copy is never served (the next destination is tried instead).
 * Blocking: worker threads only.
 */
@ApplicationScoped
public class WalServe {

    /** A verified file ready to be streamed; {@link #delete} it once sent. */
    public record Verified(WalFile file, Path spool, UUID destinationId) {
        public void delete() {
            Spool.delete(spool);
        }
    }

    private final WalStore store;
    private final OpenDestinations destinations;
    private final EnvelopeCipher cipher;
    private final Spool spool;
    private final TransferSlots slots;

    public WalServe(WalStore store, OpenDestinations destinations, EnvelopeCipher cipher, Spool spool,
            TransferSlots slots) {
        this.store = store;
        this.destinations = destinations;
        this.cipher = cipher;
        this.spool = spool;
        this.slots = slots;
    }

    public Verified get(UUID envId, String fileName) {
        if (!WalFileName.isValid(fileName)) {
            throw ProblemException.badField("fileName", "is not a WAL file name");
        }
        WalFile f = store.find(envId, fileName);
        if (f == null) {
            throw new ProblemException(404, ProblemTypes.NOT_FOUND, "Not Found",
                    fileName + " was never archived for this environment");
        }
        UUID orgId = orgOf(envId);
        try (TransferSlots.Slot slot = slots.acquire(fileName)) {
            return verified(orgId, envId, f);
        }
    }

    /** The first destination's copy that decrypts and matches the catalogue, in a spool file. */
    private Verified verified(UUID orgId, UUID envId, WalFile f) {
        String fileName = f.fileName();
        List<String> failures = new ArrayList<>();
        for (UUID destId : f.destinationIds()) {
            OpenDestinations.Lease lease = destinations.borrow(orgId, destId);
            Destinations.Opened o = lease.opened();
            if (!o.ok()) {
                failures.add("destination " + destId + ": " + o.failure());
                continue;
            }
            Path out = null;
            try {
                out = spool.create();
                WalCopy.toFile(o.storage(), cipher, orgId, envId, f.timeline(), f.fileName(), f.sha256(), out);
                Verified v = new Verified(f, out, destId);
                out = null;
                return v;
            } catch (IOException | RuntimeException e) {
                lease.failed();
                Log.warnf("WAL %s of environment %s: the copy on destination %s is not usable: %s", fileName, envId,
                        destId, e.getMessage());
                failures.add("destination " + destId + ": " + (e instanceof WalObject.MismatchException
                        ? "its copy does not match the archived file" : "its copy could not be read"));
            } finally {
                Spool.delete(out);
                lease.close();
            }
        }
        throw new WalUnavailable("No destination gave a verified copy of " + fileName + " ("
                + String.join("; ", failures) + ")");
    }

    private UUID orgOf(UUID envId) {
        var rows = store.pool().preparedQuery("select org_id from environment where id = $1")
                .execute(Tuple.of(envId)).await().atMost(WalStore.TIMEOUT);
        for (Row r : rows) {
            return r.getUUID("org_id");
        }
        throw ProblemException.notFound("Environment", envId);
    }
}
