package io.ocore.backups.backup.environment.rest;

import io.ocore.backups.backup.environment.Environment;
import java.time.Instant;
import java.util.UUID;

/** An environment on the public API: the database password is never part of it. */
public record EnvironmentView(UUID id, String name, UUID projectId, String environmentType, Database database,
        String filestorePath, String configPath, Instant createdAt, Instant updatedAt) {

    public record Database(String host, int port, String name, String user) {
    }

    public static EnvironmentView of(Environment e) {
        return new EnvironmentView(e.id, e.name, e.projectId, e.environmentType.name(),
                new Database(e.dbHost, e.dbPort, e.dbName, e.dbUser), e.filestorePath, e.configPath, e.createdAt,
                e.updatedAt);
    }
}
