package io.ocore.backups.backup;

import io.ocore.backups.platform.testing.postgres.PostgresCluster;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * The operator's confinement of environments for the tests ({@code ocore.environments.*}): the
 * source environment's server, and the services' own server listed too (it must stay refused);
 * roots around the source environment; the services' PostgreSQL data protected.
 */
public class EnvironmentPolicyResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            SourceEnvironment src = SourceEnvironment.get();
            PostgresCluster services = PostgresCluster.shared();
            return Map.of("ocore.environments.database-servers",
                    "127.0.0.1:" + src.cluster.port() + ",127.0.0.1:" + services.port(),
                    "ocore.environments.filestore-roots", src.filestoreRoot.toString(),
                    "ocore.environments.config-roots", src.configRoot.toString(),
                    "ocore.environments.protected-paths", services.dataDir().toString());
        } catch (Exception e) {
            throw new IllegalStateException("Could not prepare the source environment: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        // The source environment lives until the JVM exits.
    }
}
