package io.ocore.backups.wal.retention;

import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.destinations.Destinations;
import io.ocore.backups.platform.walformat.WalFileName;
import io.ocore.backups.wal.coverage.WalCatalogue;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * WAL retention (docs/wal.md "Coverage, PITR range, health and retention"). One run, on one replica
 * at a time (an advisory lock held by a transaction for the run), per environment:
 *
 * <ul>
 * <li>a file archived more than {@code walRetentionDays} ago is deleted, except what the oldest
 * PITR base still recorded ({@code pitr_base}) needs: every segment, {@code .partial} and
 * {@code .backup} file of its timeline from its start WAL file onward and of every later timeline;
 * a {@code .history} file is kept while any kept file is on its timeline or a later one;</li>
 * <li>each copy is deleted from every destination in the row's {@code destination_ids} first
 * ({@code <org>/<env>/wal/<timeline>/<fileName>} under the destination's prefix), then the row: a
 * crash in between leaves a row whose copies are partly gone, which the next run deletes again
 * (deleting a missing object is no error). A destination that cannot be opened or refuses the
 * delete keeps the row for the next run (and is skipped for the rest of this run); a destination
 * destination-service no longer knows (404) holds nothing oCore can reach and counts as done.</li>
 * </ul>
 *
 * Blocking (destination drivers): its own thread.
 */
@ApplicationScoped
public class WalRetention {

    /** The advisory lock of a retention run ("ocWalRet" in ASCII). */
    static final long LOCK_KEY = 0x6f6357616c526574L;
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    /** What one run did: files deleted, files due but kept for the next run (and why). */
    public record Report(int deleted, int kept, List<String> skipped) {
    }

    record File(String fileName, String kind, int timeline, Long segmentNo, Instant archivedAt,
            List<UUID> destinationIds) {
    }

    private final Pool pool;
    private final Destinations destinations;
    private final boolean enabled;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "wal-retention");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param enabled when false the retention run deletes no WAL (the tests turn it off)
     */
    public WalRetention(Pool pool, Destinations destinations,
            @ConfigProperty(name = "ocore.wal.retention.enabled", defaultValue = "true") boolean enabled) {
        this.pool = pool;
        this.destinations = destinations;
        this.enabled = enabled;
    }

    void onStop(@Observes ShutdownEvent ev) {
        thread.shutdownNow();
    }

    @Scheduled(every = "${ocore.wal.retention.interval:1h}", delayed = "${ocore.wal.retention.delay:2m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void tick() {
        if (!enabled || !running.compareAndSet(false, true)) {
            return;
        }
        thread.execute(() -> {
            try {
                run(Instant.now());
            } catch (RuntimeException e) {
                Log.warnf("WAL retention stopped: %s", e.getMessage());
            } finally {
                running.set(false);
            }
        });
    }

    /** One run as of {@code now} (tests pass a later instant for time passing); null when another replica runs. */
    public Report run(Instant now) {
        SqlConnection lock = pool.getConnection().await().atMost(TIMEOUT);
        try {
            lock.query("begin").execute().await().atMost(TIMEOUT);
            boolean got = lock.preparedQuery("select pg_try_advisory_xact_lock($1) as got").execute(Tuple.of(LOCK_KEY))
                    .await().atMost(TIMEOUT).iterator().next().getBoolean("got");
            if (!got) {
                return null;
            }
            return collect(now);
        } finally {
            try {
                lock.query("rollback").execute().await().atMost(TIMEOUT);
            } catch (RuntimeException e) {
                Log.debugf("Rolling back the retention lock failed: %s", e.getMessage());
            }
            lock.close().await().atMost(TIMEOUT);
        }
    }

    private Report collect(Instant now) {
        int deleted = 0;
        int kept = 0;
        List<String> skipped = new ArrayList<>();
        Map<UUID, Destinations.Opened> opened = new HashMap<>();
        Set<UUID> failedThisRun = new LinkedHashSet<>();
        try {
            // environments holding a file older than their retention
            var envs = pool.preparedQuery("""
                    select e.id, e.org_id, e.wal_retention_days from environment e
                    where exists (select 1 from wal_file f where f.environment_id = e.id
                                  and f.archived_at < cast($1 as timestamptz) - make_interval(days => e.wal_retention_days))""")
                    .execute(Tuple.of(utc(now))).await().atMost(TIMEOUT);
            for (Row env : envs) {
                UUID envId = env.getUUID("id");
                UUID orgId = env.getUUID("org_id");
                Instant cutoff = now.minus(Duration.ofDays(env.getInteger("wal_retention_days")));
                for (File f : due(envId, cutoff)) {
                    String problem = deleteCopies(orgId, envId, f, opened, failedThisRun);
                    if (problem != null) {
                        kept++;
                        skipped.add(f.fileName() + ": " + problem);
                        continue;
                    }
                    pool.preparedQuery("delete from wal_file where environment_id = $1 and file_name = $2")
                            .execute(Tuple.of(envId, f.fileName())).await().atMost(TIMEOUT);
                    deleted++;
                }
            }
        } finally {
            for (Destinations.Opened o : opened.values()) {
                if (o.ok()) {
                    try {
                        o.storage().close();
                    } catch (Exception e) {
                        Log.debugf("Closing destination %s: %s", o.id(), e.getMessage());
                    }
                }
            }
        }
        Report report = new Report(deleted, kept, List.copyOf(skipped));
        if (deleted + kept > 0) {
            Log.infof("WAL retention: %s", report);
        }
        return report;
    }

    /** The files of an environment past its retention that no retained base needs. */
    List<File> due(UUID envId, Instant cutoff) {
        List<File> files = new ArrayList<>();
        for (Row r : pool.preparedQuery("""
                select file_name, kind, timeline, segment_no, archived_at, destination_ids from wal_file
                where environment_id = $1 order by timeline, segment_no nulls first, file_name""")
                .execute(Tuple.of(envId)).await().atMost(TIMEOUT)) {
            files.add(new File(r.getString("file_name"), r.getString("kind"), r.getInteger("timeline"),
                    r.getLong("segment_no"), WalCatalogue.instant(r, "archived_at"),
                    List.of(r.getArrayOfUUIDs("destination_ids"))));
        }
        var oldest = pool.preparedQuery("""
                select timeline, start_wal_file from pitr_base where environment_id = $1
                order by completed_at limit 1""").execute(Tuple.of(envId)).await().atMost(TIMEOUT);
        Integer baseTimeline = null;
        long baseSegment = 0;
        for (Row r : oldest) {
            baseTimeline = r.getInteger("timeline");
            baseSegment = WalFileName.parse(r.getString("start_wal_file")).segmentNo();
        }
        List<File> due = new ArrayList<>();
        int highestKeptTimeline = Integer.MIN_VALUE;
        for (File f : files) {
            if ("history".equals(f.kind())) {
                continue;
            }
            boolean needed = baseTimeline != null && (f.timeline() > baseTimeline
                    || (f.timeline() == baseTimeline && f.segmentNo() != null && f.segmentNo() >= baseSegment));
            if (!needed && f.archivedAt().isBefore(cutoff)) {
                due.add(f);
            } else {
                highestKeptTimeline = Math.max(highestKeptTimeline, f.timeline());
            }
        }
        for (File f : files) {
            if ("history".equals(f.kind()) && f.archivedAt().isBefore(cutoff) && f.timeline() > highestKeptTimeline) {
                due.add(f);
            }
        }
        return due;
    }

    /** Deletes every copy of a file; answers null when all are gone, else why the row stays. */
    private String deleteCopies(UUID orgId, UUID envId, File f, Map<UUID, Destinations.Opened> opened,
            Set<UUID> failedThisRun) {
        String key = BackupLayout.walKey(orgId, envId, WalFileName.parse(f.fileName()).timeline(), f.fileName());
        for (UUID dest : f.destinationIds()) {
            if (failedThisRun.contains(dest)) {
                return "destination " + dest + " failed earlier in this run";
            }
            Destinations.Opened o = opened.computeIfAbsent(dest, d -> destinations.open(orgId, d));
            if (!o.ok()) {
                if (Destinations.NOT_FOUND.equals(o.failureKind())) {
                    continue; // destination-service no longer knows it: nothing reachable is left there
                }
                failedThisRun.add(dest);
                return "destination \"" + o.name() + "\" cannot be opened (" + o.failureKind() + ")";
            }
            try {
                o.storage().delete(key);
            } catch (RuntimeException e) {
                failedThisRun.add(dest);
                Log.warnf("WAL retention: deleting %s on destination %s failed: %s", key, o.name(), e.getMessage());
                return "destination \"" + o.name() + "\" refused the delete";
            }
        }
        return null;
    }

    /** Where ingest stores a WAL file on a destination (ADR 0017, docs/backup-format.md "WAL files"). */
    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
