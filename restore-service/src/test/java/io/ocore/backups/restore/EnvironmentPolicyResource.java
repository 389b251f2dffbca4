package io.ocore.backups.restore;

import io.ocore.backups.platform.testing.postgres.PostgresCluster;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.util.Map;

/**
 * The operator's confinement of environments for the tests ({@code ocore.environments.*}): the
 * roots OdooWorld generates its environments in, the services' PostgreSQL data protected.
 */
public class EnvironmentPolicyResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            PostgresCluster odoo = OdooWorld.cluster();
            Files.createDirectories(OdooWorld.root.resolve("filestore"));
            Files.createDirectories(OdooWorld.root.resolve("conf"));
            return Map.of("ocore.restore.work-dir", OdooWorld.root.resolve("work").toString(),
                    "ocore.environments.database-servers", "127.0.0.1:" + odoo.port(),
                    "ocore.environments.filestore-roots", OdooWorld.root.resolve("filestore").toString(),
                    "ocore.environments.config-roots", OdooWorld.root.resolve("conf").toString(),
                    "ocore.environments.protected-paths", PostgresCluster.shared().dataDir().toString());
        } catch (Exception e) {
            throw new IllegalStateException("Could not prepare the Odoo environments: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        // OdooWorld lives until the JVM exits.
    }
}
