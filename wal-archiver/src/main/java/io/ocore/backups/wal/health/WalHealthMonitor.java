package io.ocore.backups.wal.health;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.ocore.backups.platform.events.Outbox;
import io.ocore.backups.platform.events.v1.Events.WalArchiveFailed;
import io.ocore.backups.platform.events.v1.Events.WalArchiveRecovered;
import io.ocore.backups.wal.coverage.WalCatalogue;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Back-pressure made visible (docs/wal.md "Coverage, PITR range, health and retention"). Every
 * {@code ocore.wal.failing.check-interval} it reads {@code wal_archive_health} (written by ingest):
 * an environment failing (an attempt failed and none succeeded since, {@code failing_since}) for
 * longer than {@code ocore.wal.failing.warning-after} gets {@code WalArchiveFailed} severity
 * {@code warning}, past {@code critical-after} {@code critical}; once it is no longer failing that
 * long (a success, or a new failure streak younger than the warning threshold)
 * {@code WalArchiveRecovered}. {@code alerted_severity} records what was published, changed by a
 * conditional update in the transaction of the outbox event, so each is published once; one
 * replica acts at a time (advisory lock). Silence alone (no attempt at all) is not an alert: an
 * idle server archives nothing. It also keeps the gauge {@code ocore_wal_archive_lag_seconds}.
 */
@ApplicationScoped
public class WalHealthMonitor {

    /** The advisory lock of the monitor ("ocWalHlt" in ASCII). */
    static final long LOCK_KEY = 0x6f6357616c486c74L;

    private final Pool pool;
    private final Outbox outbox;
    private final Duration warningAfter;
    private final Duration criticalAfter;
    private final MultiGauge lag;
    private final Map<UUID, Instant> lastSuccess = new ConcurrentHashMap<>();
    /** When the failure this replica published began (for WalArchiveRecovered; null after a restart). */
    private final Map<UUID, Instant> alertedFailingSince = new ConcurrentHashMap<>();

    public WalHealthMonitor(Pool pool, Outbox outbox, MeterRegistry registry,
            @ConfigProperty(name = "ocore.wal.failing.warning-after", defaultValue = "PT2M") Duration warningAfter,
            @ConfigProperty(name = "ocore.wal.failing.critical-after", defaultValue = "PT10M") Duration criticalAfter) {
        if (criticalAfter.compareTo(warningAfter) < 0) {
            throw new IllegalArgumentException("ocore.wal.failing.critical-after (" + criticalAfter
                    + ") must not be shorter than ocore.wal.failing.warning-after (" + warningAfter + ")");
        }
        this.pool = pool;
        this.outbox = outbox;
        this.warningAfter = warningAfter;
        this.criticalAfter = criticalAfter;
        this.lag = MultiGauge.builder("ocore.wal.archive.lag")
                .description("Seconds since the environment's last WAL file was archived (WAL-enabled environments "
                        + "that archived at least one)")
                .baseUnit("seconds").register(registry);
    }

    record Health(UUID environmentId, UUID orgId, boolean walEnabled, Instant lastSuccessAt, Instant failingSince,
            int failedAttempts, String lastFailureFile, String lastFailureReason, String alertedSeverity) {
    }

    @Scheduled(every = "${ocore.wal.failing.check-interval:5s}", delayed = "${ocore.wal.failing.delay:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> tick() {
        return check(Instant.now()).onFailure().invoke(e -> Log.warnf("WAL health check failed: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One check as of {@code now}: answers the events published (-1 when another replica checks). */
    public Uni<Integer> check(Instant now) {
        return read().invoke(this::gauge).chain(rows -> Panache.withTransaction(() -> Panache.getSession()
                .chain(s -> s.createNativeQuery("select pg_try_advisory_xact_lock(" + LOCK_KEY + ")", Boolean.class)
                        .getSingleResult())
                .chain(got -> !got ? Uni.createFrom().item(-1) : Multi.createFrom().iterable(rows)
                        .onItem().transformToUniAndConcatenate(h -> transition(h, now))
                        .collect().asList().map(n -> n.stream().mapToInt(Integer::intValue).sum()))));
    }

    private Uni<List<Health>> read() {
        return pool.query("""
                select h.*, e.org_id, e.wal_enabled from wal_archive_health h
                join environment e on e.id = h.environment_id""").execute().map(rows -> {
                    List<Health> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Health(r.getUUID("environment_id"), r.getUUID("org_id"), r.getBoolean("wal_enabled"),
                                WalCatalogue.instant(r, "last_success_at"), WalCatalogue.instant(r, "failing_since"),
                                r.getInteger("failed_attempts"), r.getString("last_failure_file"),
                                r.getString("last_failure_reason"), r.getString("alerted_severity")));
                    }
                    return out;
                });
    }

    private void gauge(List<Health> rows) {
        List<MultiGauge.Row<?>> gauges = new ArrayList<>();
        lastSuccess.clear();
        for (Health h : rows) {
            if (h.walEnabled() && h.lastSuccessAt() != null) {
                lastSuccess.put(h.environmentId(), h.lastSuccessAt());
                UUID env = h.environmentId();
                gauges.add(MultiGauge.Row.of(Tags.of("environment", env.toString()), lastSuccess, m -> {
                    Instant at = m.get(env);
                    return at == null ? Double.NaN : Duration.between(at, Instant.now()).toMillis() / 1000.0;
                }));
            }
        }
        lag.register(gauges, true);
    }

    /** The severity an environment's health calls for: null, warning or critical. */
    String severity(Health h, Instant now) {
        if (h.failingSince() == null) {
            return null;
        }
        Duration failing = Duration.between(h.failingSince(), now);
        return failing.compareTo(criticalAfter) >= 0 ? "critical"
                : failing.compareTo(warningAfter) >= 0 ? "warning" : null;
    }

    private static int rank(String severity) {
        return severity == null ? 0 : "warning".equals(severity) ? 1 : 2;
    }

    private Uni<Integer> transition(Health h, Instant now) {
        String wanted = severity(h, now);
        String alerted = h.alertedSeverity();
        if (rank(wanted) > rank(alerted)) {
            return mark(h, alerted, wanted).chain(changed -> {
                if (!changed) {
                    return Uni.createFrom().item(0);
                }
                Log.warnf("WAL archiving of environment %s failing since %s (%d attempts): %s", h.environmentId(),
                        h.failingSince(), h.failedAttempts(), wanted);
                alertedFailingSince.put(h.environmentId(), h.failingSince());
                return outbox.append(new WalArchiveFailed(h.orgId(), h.environmentId(), h.lastFailureFile(),
                        reason(h), wanted, h.failingSince(), h.failedAttempts(), h.lastSuccessAt())).replaceWith(1);
            });
        }
        if (wanted == null && alerted != null) {
            return mark(h, alerted, null).chain(changed -> {
                if (!changed) {
                    return Uni.createFrom().item(0);
                }
                Log.infof("WAL archiving of environment %s recovered", h.environmentId());
                Instant since = alertedFailingSince.remove(h.environmentId());
                Instant recoveredAt = h.lastSuccessAt() != null ? h.lastSuccessAt() : now;
                return outbox.append(new WalArchiveRecovered(h.orgId(), h.environmentId(), since, recoveredAt))
                        .replaceWith(1);
            });
        }
        return Uni.createFrom().item(0);
    }

    private static String reason(Health h) {
        return h.lastFailureReason() == null ? "the archive attempts failed" : h.lastFailureReason();
    }

    /** Sets alerted_severity from {@code from} to {@code to}, if no one changed it meanwhile. */
    private Uni<Boolean> mark(Health h, String from, String to) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                update wal_archive_health set alerted_severity = cast(:to as text)
                where environment_id = :env and alerted_severity is not distinct from cast(:from as text)""")
                .setParameter("to", to).setParameter("env", h.environmentId()).setParameter("from", from)
                .executeUpdate()).map(n -> n == 1);
    }
}
