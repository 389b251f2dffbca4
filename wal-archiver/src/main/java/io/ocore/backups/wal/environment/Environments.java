package io.ocore.backups.wal.environment;

import io.ocore.backups.platform.environments.EnvironmentOwner;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
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

    /** The organisation's environment, asking backup-service when not known yet (EnvironmentOwner#require). */
    public Uni<Environment> require(UUID orgId, UUID id) {
        return owner.require(orgId, id,
                () -> environments.find("orgId = ?1 and id = ?2", orgId, id).<Environment>firstResult(),
                r -> Panache.withTransaction(() -> registered(r.id(), r.orgId(), r.projectId(), r.name(),
                        r.environmentType())));
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
