package io.ocore.backups.destination.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Operator settings of destination-service ({@code ocore.destinations.*}). */
@ConfigMapping(prefix = "ocore.destinations")
public interface DestinationSettings {

    /** Absolute folders under which {@code local} destinations may live (the local stack passes {@code .state/backups}). */
    @WithDefault("/var/lib/ocore/backups")
    List<String> localRoots();

    /** Whether user-supplied endpoints and SFTP hosts may be loopback or private addresses (never link-local or metadata). */
    @WithDefault("false")
    boolean allowPrivateEndpoints();

    /** How often the health monitor re-tests every destination; also the spacing of one destination's checks. */
    @WithDefault("5m")
    Duration healthInterval();

    /**
     * When a destination checked at {@code at} is due again: nine tenths of an interval later, so the
     * monitor's next run (one interval after this one started) finds it due despite the time the
     * claim and the probe took.
     */
    default java.time.Instant nextCheckAfter(java.time.Instant at) {
        return at.plus(healthInterval().multipliedBy(9).dividedBy(10));
    }

    /** How long after start the health monitor first runs. */
    @WithDefault("30s")
    Duration healthDelay();

    /** How many destinations one replica probes at the same time. */
    @WithDefault("4")
    int healthConcurrency();

    /** How many due destinations one replica claims per run. */
    @WithDefault("200")
    int healthBatchSize();

    /** The longest a connection test may take before it counts as a timeout. */
    @WithDefault("60s")
    Duration testTimeout();

    /** Connect timeout of one probe connection. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** Timeout of one request of a probe. */
    @WithDefault("30s")
    Duration requestTimeout();

    /** Microsoft Graph base URL (sovereign clouds); default {@code https://graph.microsoft.com/v1.0}. */
    Optional<String> graphBaseUrl();

    /** Microsoft identity platform authority; default {@code https://login.microsoftonline.com}. */
    Optional<String> microsoftAuthority();

    /** Google APIs base URL; default {@code https://www.googleapis.com}. */
    Optional<String> driveBaseUrl();

    /** Google OAuth2 token endpoint; default {@code https://oauth2.googleapis.com/token}. */
    Optional<String> googleTokenUrl();
}
