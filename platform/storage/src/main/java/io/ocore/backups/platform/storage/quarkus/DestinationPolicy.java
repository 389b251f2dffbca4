package io.ocore.backups.platform.storage.quarkus;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;

/**
 * The operator's rules for destinations ({@code ocore.destinations.*}), the same keys in every
 * service that opens one, so one setting governs the connection test, the backup and the restore.
 */
@ConfigMapping(prefix = "ocore.destinations")
public interface DestinationPolicy {

    /** Absolute folders under which {@code local} destinations may live (the local stack passes {@code .state/backups}). */
    @WithDefault("/var/lib/ocore/backups")
    List<String> localRoots();

    /** Whether destinations may point at loopback or private addresses (never link-local or metadata). */
    @WithDefault("false")
    boolean allowPrivateEndpoints();
}
