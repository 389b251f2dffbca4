package io.ocore.backups.backup.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ocore.backups.platform.events.OutboxRelay;
import io.ocore.backups.platform.events.v1.Events;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The backups' outcome metrics (docs/operations.md "Metrics"), counted from the events the outbox
 * relay published: each finished backup once, whichever code path finished it (a run, a request
 * refused at once, the recovery of an interrupted one).
 *
 * <ul>
 * <li>{@code ocore_backups_total{status,backup_type}}: finished backups, {@code completed} or
 * {@code failed};</li>
 * <li>{@code ocore_backup_duration_seconds{backup_type}}: start to completion of completed ones;</li>
 * <li>{@code ocore_backup_size_bytes{backup_type}}: their stored size;</li>
 * <li>{@code ocore_last_successful_backup_timestamp_seconds{environment}}: when each environment's
 * newest completed backup completed, read from the catalogue at start, so a restarted replica
 * answers at once (an alert on its age does not fire because a pod restarted).</li>
 * </ul>
 */
@ApplicationScoped
public class BackupMetrics {

    private final MeterRegistry registry;
    private final Pool pool;
    private final Map<UUID, AtomicLong> lastSuccess = new ConcurrentHashMap<>();

    public BackupMetrics(MeterRegistry registry, Pool pool) {
        this.registry = registry;
        this.pool = pool;
    }

    void onStart(@Observes StartupEvent ev) {
        pool.query("select environment_id, max(completed_at) from backup where status = 'completed'"
                + " group by environment_id").execute()
                .subscribe().with(rows -> {
                    for (Row r : rows) {
                        succeeded(r.getUUID(0), r.getOffsetDateTime(1).toInstant());
                    }
                }, e -> Log.warnf("Backup metrics: could not read the last successful backups: %s", e.getMessage()));
    }

    void onRelayed(@Observes OutboxRelay.Relayed relayed) {
        if (relayed.event() instanceof Events.BackupCompleted c) {
            count("completed", c.backupType());
            if (c.startedAt() != null && c.completedAt() != null) {
                Timer.builder("ocore.backup.duration").description("Duration of completed backups, start to completion")
                        .tag("backup_type", c.backupType()).register(registry)
                        .record(Duration.between(c.startedAt(), c.completedAt()));
            }
            DistributionSummary.builder("ocore.backup.size").baseUnit("bytes")
                    .description("Stored size of completed backups").tag("backup_type", c.backupType())
                    .register(registry).record(c.sizeBytes());
            if (c.completedAt() != null) {
                succeeded(c.environmentId(), c.completedAt());
            }
        } else if (relayed.event() instanceof Events.BackupFailed f) {
            count("failed", f.backupType());
        }
    }

    private void count(String status, String backupType) {
        Counter.builder("ocore.backups").description("Finished backups by outcome and type")
                .tag("status", status).tag("backup_type", backupType).register(registry).increment();
    }

    private void succeeded(UUID environmentId, Instant completedAt) {
        AtomicLong at = lastSuccess.computeIfAbsent(environmentId, id -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("ocore.last.successful.backup.timestamp", v, AtomicLong::get).baseUnit("seconds")
                    .description("When the environment's newest completed backup completed (Unix time)")
                    .tag("environment", id.toString()).register(registry);
            return v;
        });
        at.accumulateAndGet(completedAt.getEpochSecond(), Math::max);
    }
}
