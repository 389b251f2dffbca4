package io.ocore.backups.backup.execution;

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

    /** Answers destination -> why it could not be cleaned; empty when every copy is gone. */
    public Map<UUID, String> purge(Backup b) {
        Set<UUID> ids = new LinkedHashSet<>(b.destinations());
        ids.addAll(b.remotePathMap().keySet());
        String dir = BackupLayout.backupDir(b.orgId, b.environmentId, b.id);
        Map<UUID, String> failures = new LinkedHashMap<>();
        for (UUID id : ids) {
            Destinations.Opened d = destinations.open(b.orgId, id);
            if (!d.ok()) {
                if ("NOT_FOUND".equals(d.failureKind())) {
                    Log.infof("Destination %s no longer exists; nothing to delete there for backup %s", id, b.id);
                } else {
                    failures.put(id, d.failure());
                }
                continue;
            }
            try (var storage = d.storage()) {
                int n = storage.deletePrefix(dir);
                Log.infof("Deleted %d object(s) of backup %s from destination %s", n, b.id, id);
            } catch (StorageException e) {
                failures.put(id, e.getMessage());
            }
        }
        return failures;
    }
}
