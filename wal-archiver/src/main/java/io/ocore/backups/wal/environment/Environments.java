package io.ocore.backups.wal.environment;

import io.ocore.backups.platform.environments.EnvironmentOwner;
import io.ocore.backups.platform.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * The environments wal-archiver knows: learned from EnvironmentRegistered, or, when a request
 * names one it has not heard of yet, from its owner backup-service (read-your-writes). Either way
 * the same {@code environment} row is upserted (its WAL settings, which come from
 * BackupScheduleChanged, are left alone), so the event arriving after the lookup is harmless.
 */
@ApplicationScoped
@WithSession
public class Environments {

    private final EnvironmentRepository environments;
    private final EnvironmentOwner owner;

    public Environments(EnvironmentRepository environments, EnvironmentOwner owner) {
        this.environments = environments;
        this.owner = owner;
    }

    /**
     * The organisation's environment. Not known yet: backup-service is asked; its 404 (also for
     * another organisation's environment) is a 404, an owner that cannot answer a 503, never a 404.
     */
    public Uni<Environment> require(UUID orgId, UUID id) {
        Uni<Environment> local = environments.find("orgId = ?1 and id = ?2", orgId, id).firstResult();
        return local.chain(known -> known != null ? Uni.createFrom().item(known) : fromOwner(orgId, id));
    }

    private Uni<Environment> fromOwner(UUID orgId, UUID id) {
        return owner.find(orgId, id).chain(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().<Environment>failure(ProblemException.notFound("Environment", id));
            }
            var r = found.get();
            Log.infof("Environment %s of org %s learned from backup-service before its event", id, orgId);
            return Panache.withTransaction(() -> registered(r.id(), r.orgId(), r.projectId(), r.name(),
                    r.environmentType()))
                    .chain(() -> environments.find("orgId = ?1 and id = ?2", orgId, id).<Environment>firstResult())
                    .onItem().ifNull().failWith(() -> ProblemException.notFound("Environment", id));
        });
    }

    /**
     * Upserts what EnvironmentRegistered tells (organisation, project, name, type); a new row has
     * WAL off until its BackupScheduleChanged. Call inside a transaction.
     */
    public static Uni<Void> registered(UUID id, UUID orgId, UUID projectId, String name, String type) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into environment (id, org_id, project_id, name, environment_type)
                values (:id, :org, :project, :name, :type)
                on conflict (id) do update set org_id = excluded.org_id, project_id = excluded.project_id,
                    name = excluded.name, environment_type = excluded.environment_type""")
                .setParameter("id", id)
                .setParameter("org", orgId)
                .setParameter("project", projectId)
                .setParameter("name", name)
                .setParameter("type", type)
                .executeUpdate()).replaceWithVoid();
    }
}
