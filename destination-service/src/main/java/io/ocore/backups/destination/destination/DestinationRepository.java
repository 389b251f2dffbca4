package io.ocore.backups.destination.destination;

import io.ocore.backups.platform.storage.DestinationType;
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
public class DestinationRepository implements PanacheRepositoryBase<Destination, UUID> {

    public Uni<Destination> findInOrg(UUID orgId, UUID id) {
        return find("orgId = ?1 and id = ?2", orgId, id).firstResult();
    }

    /** Whether another destination of the organisation has this name (case-insensitive). */
    public Uni<Boolean> nameTaken(UUID orgId, String name, UUID except) {
        return count("orgId = ?1 and lower(name) = lower(?2) and id <> ?3", orgId, name,
                except == null ? new UUID(0, 0) : except).map(n -> n > 0);
    }

    public Uni<List<Destination>> list(UUID orgId, DestinationType type, Cursor after, int limit) {
        StringBuilder q = new StringBuilder("orgId = :org");
        Parameters p = Parameters.with("org", orgId);
        if (type != null) {
            q.append(" and destinationType = :type");
            p.and("type", type);
        }
        if (after != null) {
            q.append(" and (createdAt < :t or (createdAt = :t and id < :id))");
            p.and("t", after.time()).and("id", after.id());
        }
        return find(q.toString(), Sort.descending("createdAt", "id"), p).page(0, limit).list();
    }

    /**
     * Up to {@code limit} destinations after {@code after} (id order) whose secrets are sealed by
     * another master key than {@code activeKeyId}, locked for the caller's transaction.
     */
    public Uni<List<Destination>> sealedByOtherKey(String activeKeyId, UUID after, int limit) {
        return find("secretsSealed is not null and secretsSealed not like ?1 and id > ?2", Sort.ascending("id"),
                "v1:" + activeKeyId + ":%", after).withLock(LockModeType.PESSIMISTIC_WRITE).page(0, limit).list();
    }

    /** How many destinations still have secrets sealed by another master key than {@code activeKeyId}. */
    public Uni<Long> countSealedByOtherKey(String activeKeyId) {
        return count("secretsSealed is not null and secretsSealed not like ?1", "v1:" + activeKeyId + ":%");
    }
}
