package io.ocore.backups.scheduler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** scheduler-service settings. */
@ConfigMapping(prefix = "ocore.scheduler")
public interface SchedulerConfig {

    /** How often the dispatcher looks for due schedules ({@code off} disables it, e.g. in tests). */
    @WithDefault("60s")
    String tick();

    /** Schedules claimed per dispatch transaction. */
    @WithDefault("200")
    int batchSize();

    /** How long pre-restore snapshots are kept before they expire (BackupExpired). */
    @WithDefault("7d")
    Duration snapshotRetention();
}
