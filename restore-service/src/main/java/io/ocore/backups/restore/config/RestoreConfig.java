package io.ocore.backups.restore.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of restore execution ({@code ocore.restore.*}). */
@ConfigMapping(prefix = "ocore.restore")
public interface RestoreConfig {

    /** Restores this instance runs at once. */
    @WithDefault("2")
    int maxConcurrent();

    /** How often pending restores are looked for (a new request also wakes the worker at once). */
    @WithDefault("2s")
    Duration pollInterval();

    /** How often a running restore's progress and heartbeat are saved. */
    @WithDefault("1s")
    Duration progressInterval();

    /** A running restore whose heartbeat is older than this is taken for interrupted (its worker died). */
    @WithDefault("2m")
    Duration staleAfter();

    /** How long a restore waits for its pre-restore snapshot (BackupCompleted / BackupFailed). */
    @WithDefault("2h")
    Duration snapshotTimeout();

    /** This instance's name in {@code claimed_by}; defaults to the host name. */
    Optional<String> nodeName();

    /** Directory of pg_restore; defaults to the newest /usr/lib/postgresql/N/bin, else the PATH. */
    Optional<String> pgBin();

    /** Test hook: fail a restore when it reaches this step (see {@code FaultInjector}). Never set in production. */
    Optional<String> failAt();

    /** A running restore whose bytes and step have not moved for this long fails as stalled ({@code ocore.restore.stall-after}). */
    @WithDefault("10m")
    Duration stallAfter();

    /** A running restore fails when it has run this long ({@code ocore.restore.max-duration}). */
    @WithDefault("12h")
    Duration maxDuration();

    /**
     * {@code lock_timeout} of pg_restore and of the restore's SQL sessions on the target server
     * ({@code ocore.restore.lock-timeout}): a lock held by another session fails the step in bounded time.
     */
    @WithDefault("5m")
    Duration lockTimeout();

    /**
     * Parallel jobs of pg_restore ({@code ocore.restore.pg-restore-jobs}): above 1, the database
     * component is first decrypted and decompressed to a file in {@link #workDir} and restored with
     * {@code pg_restore --jobs=N}; 1 streams it into pg_restore through a pipe (no file).
     */
    @WithDefault("2")
    int pgRestoreJobs();

    /**
     * Where a restore keeps its temporary files ({@code ocore.restore.work-dir}): the decrypted
     * database archive for {@code pg_restore --jobs}. Defaults to {@code java.io.tmpdir}.
     */
    Optional<String> workDir();
}
