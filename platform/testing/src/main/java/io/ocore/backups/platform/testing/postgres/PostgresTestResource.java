package io.ocore.backups.platform.testing.postgres;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.UUID;

/**
 * Gives a Quarkus test its own empty database in the JVM's shared throwaway cluster, wired to
 * both the reactive pool and Flyway's JDBC connection.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        PostgresCluster cluster = PostgresCluster.shared();
        String db = cluster.createDatabase("t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        return Map.of(
                "quarkus.datasource.reactive.url", cluster.reactiveUrl(db),
                "quarkus.datasource.jdbc.url", cluster.jdbcUrl(db),
                "quarkus.datasource.username", PostgresCluster.SUPERUSER,
                "quarkus.datasource.password", "",
                "ocore.test.postgres.port", String.valueOf(cluster.port()),
                "ocore.test.postgres.database", db);
    }

    @Override
    public void stop() {
        // The shared cluster lives until the JVM exits.
    }
}
