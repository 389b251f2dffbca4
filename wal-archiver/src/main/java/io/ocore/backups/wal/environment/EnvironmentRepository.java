package io.ocore.backups.wal.environment;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** The {@code environment} rows; {@link Environments} resolves one for a request. */
@ApplicationScoped
@WithSession
public class EnvironmentRepository implements PanacheRepositoryBase<Environment, UUID> {
}
