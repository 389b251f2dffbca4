package io.ocore.backups.platform.security.confinement;

import io.smallrye.config.ConfigMapping;
import java.util.List;
import java.util.Optional;

/**
 * Where environments may be ({@code ocore.environments.*}, docs/operations.md): the same keys in
 * backup-service and restore-service, so registration, backups and restores follow one setting.
 * Nothing configured refuses every environment.
 */
@ConfigMapping(prefix = "ocore.environments")
public interface EnvironmentPolicy {

    /** {@code host:port} of the PostgreSQL servers environments' databases may be on. */
    Optional<List<String>> databaseServers();

    /** Absolute folders an environment's filestore must be inside. */
    Optional<List<String>> filestoreRoots();

    /** Absolute folders an environment's odoo.conf must be inside. */
    Optional<List<String>> configRoots();

    /** Folders no environment path may be in or contain (besides /proc, /sys and /dev), e.g. the services' state. */
    Optional<List<String>> protectedPaths();
}
