package io.ocore.backups.restore.restore;

import io.ocore.backups.platform.web.Cursor;
import io.ocore.backups.platform.web.ProblemException;
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
public class RestoreRepository implements PanacheRepositoryBase<RestoreJob, UUID> {

    /** The restore of {@code orgId}, or 404 (also when it belongs to another organisation). */
    public Uni<RestoreJob> getInOrg(UUID orgId, UUID id) {
        return find("orgId = ?1 and id = ?2", orgId, id).firstResult()
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Restore", id));
    }

    public Uni<List<RestoreStep>> steps(UUID restoreId) {
        return RestoreStep.<RestoreStep>find("restoreId", Sort.ascending("seq"), restoreId).list();
    }

    /** Restores onto an environment, newest first. */
    public Uni<List<RestoreJob>> ofTarget(UUID orgId, UUID envId, Cursor after, int limit) {
        String q = "orgId = :org and targetEnvironmentId = :env";
        Parameters p = Parameters.with("org", orgId).and("env", envId);
        if (after != null) {
            q += " and (createdAt < :t or (createdAt = :t and id < :id))";
            p.and("t", after.time()).and("id", after.id());
        }
        return find(q, Sort.descending("createdAt", "id"), p).page(0, limit).list();
    }
}
