package io.ocore.backups.backup.execution;

import com.fasterxml.jackson.core.type.TypeReference;
import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.backup.Json;
import io.ocore.backups.backup.config.BackupConfig;
import io.ocore.backups.platform.events.Outbox;
import io.ocore.backups.platform.events.v1.Events;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Carries out deletions (a deletion is a state): on a scheduler worker thread, never the event
 * loop, it claims due rows of {@code backup_deletion} ({@code FOR UPDATE SKIP LOCKED}, so
 * replicas share the work), removes the backup's directory from every destination it was written
 * to, keeps per-destination progress (a cleaned destination is not retried) and retries the rest
 * with capped exponential backoff. Only when every copy is gone does the backup row leave the
 * catalogue, in one transaction with its tombstone, {@code BackupDeleted} and the removal of its
 * referenced blobs ({@code backup_blob_ref}). A blob-store backup's directory holds its index
 * and manifest only: its blobs, which other backups may share, are freed by the collector. A deletion not
 * finished after {@code ocore.backup.deletion-stuck-after} publishes {@code BackupDeletionStuck}
 * once and goes on retrying. An expiry recorded while the backup ran starts once it has finished.
 */
@ApplicationScoped
public class BackupDeleter {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int BATCH = 8;

    private final Pool pool;
    private final Outbox outbox;
    private final BackupPurger purger;
    private final BackupConfig config;

    public BackupDeleter(Pool pool, Outbox outbox, BackupPurger purger, BackupConfig config) {
        this.pool = pool;
        this.outbox = outbox;
        this.purger = purger;
        this.config = config;
    }

    @Scheduled(every = "${ocore.backup.deletion-poll-interval:2s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            Log.warnf("Deletion pass failed; retried at the next one: %s", e.toString());
        }
    }

    /** One pass: start deletions waiting for their backup to finish, report stuck ones, work due ones. */
    public void runOnce() {
        promoteFinished();
        reportStuck();
        for (Claimed c : claimDue()) {
            try {
                work(c);
            } catch (RuntimeException e) {
                Log.warnf("Deletion of backup %s failed (attempt %d); retried later: %s", c.backupId(), c.attempts(),
                        e.toString());
                retryLater(c, "deletion failed unexpectedly");
            }
        }
    }

    /** Expiries recorded while the backup ran: it has finished now, so it becomes deleting. */
    void promoteFinished() {
        pool.preparedQuery("""
                with promoted as (update backup set status = 'deleting'
                                  where status in ('completed', 'failed')
                                    and id in (select backup_id from backup_deletion)
                                  returning id)
                update backup_deletion set deleting_since = now(), next_attempt_at = now()
                where backup_id in (select id from promoted) and deleting_since is null""")
                .execute().await().atMost(TIMEOUT);
    }

    /** BackupDeletionStuck once per deletion older than the configured time; it keeps retrying. */
    void reportStuck() {
        var rows = pool.preparedQuery("""
                select d.backup_id, d.org_id, b.environment_id, d.requested_at, d.attempts, d.reason, d.last_error
                from backup_deletion d join backup b on b.id = d.backup_id
                where b.status = 'deleting' and d.stuck_reported_at is null
                  and d.deleting_since < now() - make_interval(secs => $1)""")
                .execute(Tuple.of(config.deletionStuckAfter().toMillis() / 1000.0)).await().atMost(TIMEOUT);
        for (Row r : rows) {
            UUID backupId = r.getUUID("backup_id");
            Instant requestedAt = r.getOffsetDateTime("requested_at").toInstant();
            int attempts = r.getInteger("attempts");
            String why = r.getString("reason") + (r.getString("last_error") == null ? ""
                    : "; last error: " + r.getString("last_error"));
            var e = new Events.BackupDeletionStuck(r.getUUID("org_id"), r.getUUID("environment_id"), backupId,
                    requestedAt, attempts, why);
            // the conditional update makes it once, whichever replica gets there first
            boolean first = await(() -> Panache.withTransaction(() -> Panache.getSession().chain(s -> s
                    .createNativeQuery("""
                            update backup_deletion set stuck_reported_at = now()
                            where backup_id = :id and stuck_reported_at is null""")
                    .setParameter("id", backupId).executeUpdate())
                    .chain(n -> n == 0 ? Uni.createFrom().item(false) : outbox.append(e).replaceWith(true))));
            if (first) {
                Log.warnf("Deletion of backup %s requested at %s is not finished after %d attempt(s): %s", backupId,
                        requestedAt, attempts, why);
            }
        }
    }

    record Claimed(UUID backupId, int attempts, Set<UUID> cleaned) {
    }

    /** Due deletions, claimed for {@code deletion-claim-lease} (another replica takes over after it). */
    List<Claimed> claimDue() {
        var rows = pool.withTransaction(conn -> conn.preparedQuery("""
                update backup_deletion set attempts = attempts + 1,
                       next_attempt_at = now() + make_interval(secs => $1)
                where backup_id in (select d.backup_id from backup_deletion d join backup b on b.id = d.backup_id
                                    where b.status = 'deleting' and d.next_attempt_at <= now()
                                    order by d.next_attempt_at limit $2 for update of d skip locked)
                returning backup_id, attempts, cleaned_destinations""")
                .execute(Tuple.of(config.deletionClaimLease().toMillis() / 1000.0, BATCH))).await().atMost(TIMEOUT);
        List<Claimed> claimed = new ArrayList<>();
        for (Row r : rows) {
            claimed.add(new Claimed(r.getUUID("backup_id"), r.getInteger("attempts"),
                    new LinkedHashSet<>(Json.read(r.getString("cleaned_destinations"), new TypeReference<List<UUID>>() {
                    }))));
        }
        return claimed;
    }

    private void work(Claimed c) {
        Backup b = await(() -> Panache.withSession(() -> Backup.<Backup>findById(c.backupId())));
        if (b == null) {
            return;
        }
        // A backup that never started wrote nothing anywhere.
        Set<UUID> targets = b.startedAt == null ? Set.of() : BackupPurger.destinationsOf(b);
        Set<UUID> cleaned = new LinkedHashSet<>(c.cleaned());
        Map<UUID, String> failures = new LinkedHashMap<>();
        for (UUID dest : targets) {
            if (cleaned.contains(dest)) {
                continue;
            }
            BackupPurger.Result r = purger.purge(b, dest);
            if (r.gone()) {
                cleaned.add(dest);
                saveCleaned(b.id, cleaned);
            } else {
                failures.put(dest, r.detail());
            }
        }
        if (failures.isEmpty()) {
            finish(b);
            return;
        }
        String error = failures.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .reduce((x, y) -> x + "; " + y).orElse("");
        Log.warnf("Backup %s could not yet be deleted from %d destination(s) (attempt %d); retrying: %s", b.id,
                failures.size(), c.attempts(), error);
        retryLater(c, error);
    }

    private void saveCleaned(UUID backupId, Set<UUID> cleaned) {
        pool.preparedQuery("update backup_deletion set cleaned_destinations = $2 where backup_id = $1")
                .execute(Tuple.of(backupId, Json.write(List.copyOf(cleaned)))).await().atMost(TIMEOUT);
    }

    private void retryLater(Claimed c, String error) {
        pool.preparedQuery("""
                update backup_deletion set next_attempt_at = now() + make_interval(secs => $2), last_error = $3
                where backup_id = $1""")
                .execute(Tuple.of(c.backupId(), backoff(c.attempts()).toMillis() / 1000.0, error))
                .await().atMost(TIMEOUT);
    }

    /** The wait before retry {@code attempts + 1}: initial * 2^(attempts-1), at most the cap. */
    Duration backoff(int attempts) {
        Duration d = config.deletionRetryInitial();
        Duration max = config.deletionRetryMax();
        for (int i = 1; i < attempts && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    /** Every copy is gone: tombstone, row out of the catalogue and BackupDeleted, in one transaction. */
    private void finish(Backup b) {
        Instant deletedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        await(() -> Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery("""
                insert into backup_tombstone (id, org_id, environment_id, backup_type, trigger, reason, requested_by,
                                              requested_at, deleted_at)
                select b.id, b.org_id, b.environment_id, b.backup_type, b.trigger, d.reason, d.requested_by,
                       d.requested_at, :deletedAt
                from backup b join backup_deletion d on d.backup_id = b.id
                where b.id = :id and b.status = 'deleting'
                on conflict (id) do nothing""").setParameter("id", b.id).setParameter("deletedAt", deletedAt)
                .executeUpdate()
                .chain(n -> n == 0 ? Uni.createFrom().voidItem()
                        : s.createNativeQuery("delete from backup where id = :id").setParameter("id", b.id)
                                .executeUpdate()
                                // its blobs are no longer referenced by it: the collector frees them
                                .chain(() -> s.createNativeQuery("delete from backup_blob_ref where backup_id = :id")
                                        .setParameter("id", b.id).executeUpdate())
                                .chain(() -> outbox.append(new Events.BackupDeleted(b.orgId, b.environmentId, b.id,
                                        deletedAt)))
                                .invoke(() -> Log.infof("Backup %s deleted from every destination; it left the "
                                        + "catalogue", b.id))
                                .replaceWithVoid()))));
    }

    private static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
