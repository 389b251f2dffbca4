package io.ocore.backups.scheduler.environment;

import io.ocore.backups.platform.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class EnvironmentRepository implements PanacheRepositoryBase<KnownEnvironment, UUID> {

    /** The organisation's environment; 404 when unknown or another organisation's. */
    public Uni<KnownEnvironment> require(UUID orgId, UUID id) {
        return find("orgId = ?1 and id = ?2", orgId, id).firstResult()
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Environment", id));
    }
}
