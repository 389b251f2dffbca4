package io.ocore.backups.wal.environment;

import io.ocore.backups.platform.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class EnvironmentRepository implements PanacheRepositoryBase<Environment, UUID> {

    /** The environment of {@code orgId}, or 404 (also when it belongs to another organisation). */
    public Uni<Environment> getInOrg(UUID orgId, UUID id) {
        return find("orgId = ?1 and id = ?2", orgId, id).firstResult()
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Environment", id));
    }
}
