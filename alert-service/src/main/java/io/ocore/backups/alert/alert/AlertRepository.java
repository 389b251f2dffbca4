package io.ocore.backups.alert.alert;

import io.ocore.backups.platform.web.Cursor;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class AlertRepository implements PanacheRepositoryBase<Alert, UUID> {

    public Uni<Alert> findInOrg(UUID orgId, UUID id) {
        return find("orgId = ?1 and id = ?2", orgId, id).firstResult();
    }

    /** The open alert of a condition, if any. */
    public Uni<Alert> findOpen(UUID orgId, String dedupKey) {
        return find("orgId = ?1 and dedupKey = ?2 and resolvedAt is null", orgId, dedupKey).firstResult();
    }

    public Uni<List<Alert>> list(UUID orgId, AlertFilter filter, Cursor after, int limit) {
        StringBuilder q = new StringBuilder("orgId = :org");
        Parameters p = Parameters.with("org", orgId);
        if (filter.isRead() != null) {
            q.append(" and isRead = :read");
            p.and("read", filter.isRead());
        }
        if (filter.severity() != null) {
            q.append(" and severity = :severity");
            p.and("severity", filter.severity());
        }
        if (filter.alertType() != null) {
            q.append(" and alertType = :type");
            p.and("type", filter.alertType());
        }
        if (filter.environmentId() != null) {
            q.append(" and environmentId = :env");
            p.and("env", filter.environmentId());
        }
        if (after != null) {
            q.append(" and (createdAt < :t or (createdAt = :t and id < :id))");
            p.and("t", after.time()).and("id", after.id());
        }
        return find(q.toString(), Sort.descending("createdAt", "id"), p).page(0, limit).list();
    }

    public Uni<Integer> markAllRead(UUID orgId) {
        return update("isRead = true where orgId = ?1 and isRead = false", orgId);
    }
}
