package io.ocore.backups.backup.backup;

import io.ocore.backups.platform.web.Cursor;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class BackupRepository implements PanacheRepositoryBase<Backup, UUID> {

    public Uni<Backup> findInOrg(UUID orgId, UUID id) {
        return find("orgId = ?1 and id = ?2", orgId, id).firstResult();
    }

    /** The row locked for this transaction (a concurrent claim by the worker waits or skips it). */
    public Uni<Backup> findInOrgForUpdate(UUID orgId, UUID id) {
        return find("orgId = ?1 and id = ?2", orgId, id).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    public Uni<Backup> findByIdempotencyKey(String key) {
        return find("idempotencyKey", key).firstResult();
    }

    /** The list filters; null means any. */
    public record Filter(BackupStatus status, BackupType backupType, Trigger trigger) {
    }

    public Uni<List<Backup>> list(UUID orgId, UUID environmentId, Filter filter, Cursor after, int limit) {
        StringBuilder q = new StringBuilder("orgId = :org and environmentId = :env");
        Parameters p = Parameters.with("org", orgId).and("env", environmentId);
        if (filter.status() != null) {
            q.append(" and status = :status");
            p.and("status", filter.status());
        }
        if (filter.backupType() != null) {
            q.append(" and backupType = :type");
            p.and("type", filter.backupType());
        }
        if (filter.trigger() != null) {
            q.append(" and trigger = :trigger");
            p.and("trigger", filter.trigger());
        }
        if (after != null) {
            q.append(" and (createdAt < :t or (createdAt = :t and id < :id))");
            p.and("t", after.time()).and("id", after.id());
        }
        return find(q.toString(), Sort.descending("createdAt", "id"), p).page(0, limit).list();
    }
}
