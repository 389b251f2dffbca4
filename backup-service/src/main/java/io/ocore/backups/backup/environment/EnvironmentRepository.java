package io.ocore.backups.backup.environment;

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
public class EnvironmentRepository implements PanacheRepositoryBase<Environment, UUID> {

    public Uni<Environment> findInOrg(UUID orgId, UUID id) {
        return find("orgId = ?1 and id = ?2", orgId, id).firstResult();
    }

    public Uni<List<Environment>> list(UUID orgId, UUID projectId, Cursor after, int limit) {
        StringBuilder q = new StringBuilder("orgId = :org");
        Parameters p = Parameters.with("org", orgId);
        if (projectId != null) {
            q.append(" and projectId = :project");
            p.and("project", projectId);
        }
        if (after != null) {
            q.append(" and (createdAt < :t or (createdAt = :t and id < :id))");
            p.and("t", after.time()).and("id", after.id());
        }
        return find(q.toString(), Sort.descending("createdAt", "id"), p).page(0, limit).list();
    }
}
