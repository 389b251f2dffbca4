package io.ocore.backups.backup.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/** Settings of backup execution ({@code ocore.backup.*}). */
@ConfigMapping(prefix = "ocore.backup")
public interface BackupConfig {

    /** How many backups this instance runs at once, all environments together. */
    @WithDefault("2")
    int maxConcurrent();

    /** How often the worker looks for pending backups (a new request also wakes it at once). */
    @WithDefault("2s")
    Duration pollInterval();

    /** How often a running backup's progress and heartbeat are saved. */
    @WithDefault("1s")
    Duration progressInterval();

    /** A running backup whose heartbeat is older than this is taken for interrupted (its worker died). */
    @WithDefault("2m")
    Duration staleAfter();

    /** This instance's name in {@code claimed_by}; defaults to the host name. */
    Optional<String> nodeName();

    /** Directory of pg_dump; defaults to the newest /usr/lib/postgresql/N/bin, else the PATH. */
    Optional<String> pgBin();

    /** Fan-out chunk size in bytes. */
    @WithDefault("1048576")
    int chunkBytes();

    /** Fan-out queue length per destination, in chunks. */
    @WithDefault("4")
    int queueChunks();

    // --- deletion (issue 11: a deletion is a state) ---

    /** A deletion not finished after this long publishes BackupDeletionStuck (once); it keeps retrying. */
    @WithName("deletion-stuck-after")
    @WithDefault("1h")
    Duration deletionStuckAfter();

    /** The first retry of a deletion that could not reach a destination waits this long; doubles each time. */
    @WithName("deletion-retry-initial")
    @WithDefault("5s")
    Duration deletionRetryInitial();

    /** The cap of the deletion retry backoff. */
    @WithName("deletion-retry-max")
    @WithDefault("5m")
    Duration deletionRetryMax();

    /** How long a claimed deletion is this instance's before another replica may take it over. */
    @WithName("deletion-claim-lease")
    @WithDefault("10m")
    Duration deletionClaimLease();
    /**
     * A running backup whose bytes and phase have not moved for this long fails as stalled
     * ({@code ocore.backup.stall-after}); its pg_dump is killed.
     */
    @WithDefault("10m")
    Duration stallAfter();

    /** A running backup fails when it has run this long ({@code ocore.backup.max-duration}). */
    @WithDefault("12h")
    Duration maxDuration();

    /** pg_dump's {@code --lock-wait-timeout}: how long it waits for a table lock before it fails. */
    @WithDefault("5m")
    Duration lockWaitTimeout();

    /** A destination whose upload has taken no data for this long is dropped as failed ("upload stalled"). */
    @WithDefault("5m")
    Duration uploadStallAfter();
}
