package io.ocore.backups.scheduler.environment;

import io.ocore.backups.platform.environments.EnvironmentOwner;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The environments scheduler-service knows: learned from EnvironmentRegistered, or, when a
 * request names one it has not heard of yet, from its owner backup-service (read-your-writes).
 * Either way the same {@code known_environment} row is written, and writing it twice is harmless.
 */
@ApplicationScoped
public class Environments {

    private final EnvironmentRepository environments;
    private final EnvironmentOwner owner;

    public Environments(EnvironmentRepository environments, EnvironmentOwner owner) {
        this.environments = environments;
        this.owner = owner;
    }

    /** The organisation's environment, asking backup-service when not known yet (EnvironmentOwner#require). */
    public Uni<KnownEnvironment> require(UUID orgId, UUID id) {
        return owner.require(orgId, id,
                () -> environments.find("orgId = ?1 and id = ?2", orgId, id).<KnownEnvironment>firstResult(),
                r -> record(r.id(), r.orgId(), r.projectId(), r.name(), r.environmentType(), r.createdAt()));
    }

    /** Records the environment unless already known (the event, when it comes, finds the row). */
    private Uni<Void> record(UUID id, UUID orgId, UUID projectId, String name, String type, Instant registeredAt) {
        Instant at = (registeredAt == null ? Instant.now() : registeredAt).truncatedTo(ChronoUnit.MICROS);
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into known_environment (id, org_id, project_id, name, environment_type, registered_at)
                values (:id, :org, :project, :name, :type, :at) on conflict (id) do nothing""")
                .setParameter("id", id)
                .setParameter("org", orgId)
                .setParameter("project", projectId)
                .setParameter("name", name)
                .setParameter("type", type)
                .setParameter("at", at)
                .executeUpdate())).replaceWithVoid();
    }
}
