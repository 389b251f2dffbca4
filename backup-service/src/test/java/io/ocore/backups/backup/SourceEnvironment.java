package io.ocore.backups.backup;

import io.ocore.backups.platform.odoofixture.GenerationSummary;
import io.ocore.backups.platform.odoofixture.OdooEnvironmentGenerator;
import io.ocore.backups.platform.testing.postgres.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;

/**
 * One generated Odoo-shaped environment in its own PostgreSQL cluster, shared by the tests of this
 * JVM; its filestore and odoo.conf inside the test's filestore and config roots
 * ({@link EnvironmentPolicyResource}).
 */
final class SourceEnvironment {

    static final String DATABASE = "odoo_src";
    private static SourceEnvironment shared;

    final PostgresCluster cluster;
    final Path filestoreRoot;
    final Path configRoot;
    final Path filestore;
    final Path config;
    final GenerationSummary summary;

    private SourceEnvironment(PostgresCluster cluster, Path dir, Path filestore, Path config,
            GenerationSummary summary) {
        this.cluster = cluster;
        this.filestoreRoot = dir.resolve("filestore");
        this.configRoot = dir.resolve("config");
        this.filestore = filestore;
        this.config = config;
        this.summary = summary;
    }

    static synchronized SourceEnvironment get() throws Exception {
        if (shared == null) {
            PostgresCluster cluster = PostgresCluster.start(Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
            cluster.createDatabase(DATABASE);
            Path dir = Files.createTempDirectory("ocore-src-");
            Path filestore = dir.resolve("filestore/" + DATABASE);
            Path config = dir.resolve("config/odoo.conf");
            Files.createDirectories(config.getParent());
            GenerationSummary summary;
            try (Connection c = cluster.connect(DATABASE)) {
                summary = OdooEnvironmentGenerator.generate(c, filestore, config, 8, 42L);
            }
            shared = new SourceEnvironment(cluster, dir, filestore, config, summary);
        }
        return shared;
    }
}
