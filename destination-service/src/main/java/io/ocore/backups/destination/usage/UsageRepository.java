package io.ocore.backups.destination.usage;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class UsageRepository implements PanacheRepositoryBase<DestinationUsage, DestinationUsage.Key> {

    public Uni<List<DestinationUsage>> ofDestination(UUID orgId, UUID destinationId) {
        return find("orgId = ?1 and destinationId = ?2", orgId, destinationId).list();
    }

    /** Records that {@code refId} uses each destination; already recorded pairs are left as they are. */
    public Uni<Void> record(UUID orgId, UUID environmentId, String kind, UUID refId, Collection<UUID> destinationIds) {
        return Multi.createFrom().iterable(destinationIds)
                .onItem().transformToUniAndConcatenate(dest -> Panache.getSession().chain(s -> s.createNativeQuery("""
                        insert into destination_usage (destination_id, usage_kind, ref_id, org_id, environment_id)
                        values (:dest, :kind, :ref, :org, :env) on conflict do nothing""")
                        .setParameter("dest", dest)
                        .setParameter("kind", kind)
                        .setParameter("ref", refId)
                        .setParameter("org", orgId)
                        .setParameter("env", environmentId)
                        .executeUpdate()))
                .collect().last().replaceWithVoid();
    }

    /** Forgets what {@code refId} of the organisation used. */
    public Uni<Long> forget(UUID orgId, String kind, UUID refId) {
        return delete("orgId = ?1 and usageKind = ?2 and refId = ?3", orgId, kind, refId);
    }

    public Uni<Void> rememberEnvironment(UUID orgId, UUID environmentId, String name) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                insert into known_environment (environment_id, org_id, name) values (:env, :org, :name)
                on conflict (environment_id) do update set name = excluded.name""")
                .setParameter("env", environmentId)
                .setParameter("org", orgId)
                .setParameter("name", name)
                .executeUpdate()).replaceWithVoid();
    }

    public Uni<List<KnownEnvironment>> environments(UUID orgId, Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return KnownEnvironment.<KnownEnvironment>find("orgId = ?1 and environmentId in ?2", orgId, ids).list();
    }
}
