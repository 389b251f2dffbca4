package io.ocore.backups.backup.execution;

import io.ocore.backups.platform.destinations.Destinations;

import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.storage.StorageException;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Deletes a backup's directory from every destination it was (or was being) written to. Blocking. */
@ApplicationScoped
public class BackupPurger {

    private final Destinations destinations;

    public BackupPurger(Destinations destinations) {
        this.destinations = destinations;
    }

    /** What removing a backup's copy from one destination came to. */
    public enum Outcome {
        /** Its objects were deleted (or there were none). */
        DELETED,
        /** destination-service answered a definite 404: the destination is gone, and its copy with it. */
        DESTINATION_GONE,
        /** Could not be done now (unreachable, timeout, 5xx, storage error): retry later. */
        FAILED
    }

    /** One destination's result; {@code detail} is safe to show (never a secret). */
    public record Result(Outcome outcome, String detail) {
        public boolean gone() {
            return outcome != Outcome.FAILED;
        }
    }

    /** The destinations a backup was (or was being) written to. */
    public static Set<UUID> destinationsOf(Backup b) {
        Set<UUID> ids = new LinkedHashSet<>(b.destinations());
        ids.addAll(b.remotePathMap().keySet());
        return ids;
    }

    /** Removes the backup's directory from one destination. */
    public Result purge(Backup b, UUID id) {
        String dir = BackupLayout.backupDir(b.orgId, b.environmentId, b.id);
        Destinations.Opened d = destinations.open(b.orgId, id);
        if (!d.ok()) {
            if (Destinations.NOT_FOUND.equals(d.failureKind())) {
                Log.infof("Destination %s no longer exists; nothing to delete there for backup %s", id, b.id);
                return new Result(Outcome.DESTINATION_GONE, d.failure());
            }
            return new Result(Outcome.FAILED, d.failure());
        }
        try (var storage = d.storage()) {
            int n = storage.deletePrefix(dir);
            Log.infof("Deleted %d object(s) of backup %s from destination %s", n, b.id, id);
            return new Result(Outcome.DELETED, n + " object(s) deleted");
        } catch (StorageException e) {
            return new Result(Outcome.FAILED, e.getMessage());
        } catch (RuntimeException e) {
            Log.warnf("Deleting backup %s from destination %s failed: %s", b.id, id, e.toString());
            return new Result(Outcome.FAILED, "deleting from destination " + id + " failed unexpectedly");
        }
    }

    /** Answers destination -> why it could not be cleaned; empty when every copy is gone. */
    public Map<UUID, String> purge(Backup b) {
        Map<UUID, String> failures = new LinkedHashMap<>();
        for (UUID id : destinationsOf(b)) {
            Result r = purge(b, id);
            if (!r.gone()) {
                failures.put(id, r.detail());
            }
        }
        return failures;
    }
}
