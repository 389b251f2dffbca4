package io.ocore.backups.backup.environment.rest;

import io.ocore.backups.backup.environment.Environment;
import java.time.Instant;
import java.util.UUID;

/** An environment for other services (internal endpoint only): with the database password. */
public record InternalEnvironmentView(UUID id, UUID orgId, String name, UUID projectId, String environmentType,
        Database database, String filestorePath, String configPath, Instant createdAt) {

    public record Database(String host, int port, String name, String user, String password) {
    }

    public static InternalEnvironmentView of(Environment e, String password) {
        return new InternalEnvironmentView(e.id, e.orgId, e.name, e.projectId, e.environmentType.name(),
                new Database(e.dbHost, e.dbPort, e.dbName, e.dbUser, password), e.filestorePath, e.configPath,
                e.createdAt);
    }
}
