package io.ocore.backups.restore.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ocore.backups.platform.events.OutboxRelay;
import io.ocore.backups.platform.events.v1.Events;
import io.quarkus.logging.Log;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * The restores' outcome metrics (docs/operations.md "Metrics"), counted from the events the outbox
 * relay published (each finished restore once, whichever path finished it: a run, the recovery of
 * an interrupted one), with the target type and times read from the restore's row:
 *
 * <ul>
 * <li>{@code ocore_restores_total{status,target_type}}: finished restores and neutralizations,
 * {@code completed} or {@code failed};</li>
 * <li>{@code ocore_restore_duration_seconds{status,target_type}}: start to end of those that
 * started.</li>
 * </ul>
 */
@ApplicationScoped
public class RestoreMetrics {

    private final MeterRegistry registry;
    private final Pool pool;

    public RestoreMetrics(MeterRegistry registry, Pool pool) {
        this.registry = registry;
        this.pool = pool;
    }

    void onRelayed(@Observes OutboxRelay.Relayed relayed) {
        if (relayed.event() instanceof Events.RestoreCompleted c) {
            finished(c.restoreId(), "completed");
        } else if (relayed.event() instanceof Events.RestoreFailed f) {
            finished(f.restoreId(), "failed");
        }
    }

    private void finished(UUID restoreId, String status) {
        pool.preparedQuery("select target_type, started_at, completed_at from restore_job where id = $1")
                .execute(Tuple.of(restoreId)).subscribe().with(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return;
                    }
                    Row r = rows.iterator().next();
                    String targetType = r.getString("target_type");
                    Counter.builder("ocore.restores").description("Finished restores by outcome and target type")
                            .tag("status", status).tag("target_type", targetType).register(registry).increment();
                    OffsetDateTime started = r.getOffsetDateTime("started_at");
                    OffsetDateTime ended = r.getOffsetDateTime("completed_at");
                    if (started != null && ended != null) {
                        Timer.builder("ocore.restore.duration").description("Duration of finished restores, start to end")
                                .tag("status", status).tag("target_type", targetType).register(registry)
                                .record(Duration.between(started, ended));
                    }
                }, e -> Log.warnf("Restore metrics: could not read restore %s: %s", restoreId, e.getMessage()));
    }
}
