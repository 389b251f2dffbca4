package io.ocore.backups.wal.environment;

import io.ocore.backups.platform.environments.EnvironmentOwner;
import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
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
    private final ScheduleOwner schedules;

    public Environments(EnvironmentRepository environments, EnvironmentOwner owner, ScheduleOwner schedules) {
        this.environments = environments;
        this.owner = owner;
        this.schedules = schedules;
    }

    /** The organisation's environment, asking backup-service when not known yet (EnvironmentOwner#require). */
    public Uni<Environment> require(UUID orgId, UUID id) {
        return owner.require(orgId, id,
                () -> environments.find("orgId = ?1 and id = ?2", orgId, id).<Environment>firstResult(),
                r -> Panache.withTransaction(() -> registered(r.id(), r.orgId(), r.projectId(), r.name(),
                        r.environmentType())));
    }

    /**
     * The environment with WAL on, as its schedule's owner has it now: the own row when it says
     * on; else scheduler-service is asked, so a schedule saved a moment ago counts before its
     * BackupScheduleChanged arrives (what it says is recorded like that event). Null when WAL is
     * off there too; a 503 problem when scheduler-service cannot say.
     */
    public Uni<Environment> requireWalEnabled(UUID orgId, UUID id) {
        return require(orgId, id).chain(env -> env.walEnabled ? Uni.createFrom().item(env)
                : schedules.find(orgId, id).chain(found -> found.isEmpty() || !found.get().walEnabled()
                        ? Uni.createFrom().<Environment>nullItem()
                        : Panache.withTransaction(() -> scheduleChanged(found.get()))));
    }

    /**
     * Records what BackupScheduleChanged tells (WAL on or off, retention, the schedule's
     * destinations); a schedule for an environment not registered yet is remembered and the
     * registration fills in the rest. Call inside a transaction.
     */
    public Uni<Environment> scheduleChanged(BackupScheduleChanged e) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "insert into environment (id, org_id) values (:id, :org) on conflict (id) do nothing")
                .setParameter("id", e.environmentId())
                .setParameter("org", e.orgId())
                .executeUpdate())
                .chain(() -> environments.findById(e.environmentId()))
                .invoke(env -> {
                    env.orgId = e.orgId();
                    env.walEnabled = e.walEnabled();
                    env.walRetentionDays = e.walRetentionDays();
                    env.scheduleEnabled = e.enabled();
                    env.destinationIds = e.destinationIds() == null ? new UUID[0]
                            : e.destinationIds().toArray(UUID[]::new);
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
