package io.ocore.backups.scheduler.retention;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class RecordedBackupRepository implements PanacheRepositoryBase<RecordedBackup, UUID> {

    /** The environment's backups that still exist, newest first. */
    public Uni<List<RecordedBackup>> live(UUID environmentId) {
        return list("environmentId = ?1 and goneAt is null", Sort.descending("completedAt", "id"), environmentId);
    }
}
