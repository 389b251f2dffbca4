package io.ocore.backups.restore.execution;

import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Outbox;
import io.ocore.backups.restore.restore.RestoreJob;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The worker's access to the service's own database, blocking: it runs on worker threads, never
 * on the event loop. State changes that publish events go through Panache and the outbox in one
 * transaction.
 */
@ApplicationScoped
public class RestoreStore {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Pool pool;
    private final Outbox outbox;

    public RestoreStore(Pool pool, Outbox outbox) {
        this.pool = pool;
        this.outbox = outbox;
    }

    /** Claims the oldest pending restore for {@code node}; null when there is none. */
    public UUID claimNext(String node) {
        var rows = pool.withTransaction(conn -> conn.preparedQuery("""
                update restore_job set status = 'in_progress', claimed_by = $1, started_at = now(), heartbeat_at = now()
                where id = (select id from restore_job where status = 'pending'
                            order by created_at, id limit 1 for update skip locked)
                returning id""").execute(Tuple.of(node))).await().atMost(TIMEOUT);
        var it = rows.iterator();
        return it.hasNext() ? it.next().getUUID("id") : null;
    }

    public RestoreJob load(UUID id) {
        return await(() -> Panache.withSession(() -> RestoreJob.<RestoreJob>findById(id)));
    }

    public void progress(UUID id, String step, int percent, long bytesDone, Long bytesTotal) {
        pool.preparedQuery("""
                update restore_job set progress_step = $2, progress_percent = $3, bytes_done = $4, bytes_total = $5,
                       heartbeat_at = now()
                where id = $1 and status = 'in_progress'""")
                .execute(Tuple.of(id, step, percent, bytesDone).addLong(bytesTotal)).await().atMost(TIMEOUT);
    }

    /** Records where the restore works (the swap journal's content) and its state. */
    public void journal(UUID id, String workJson, String swapState) {
        pool.preparedQuery("update restore_job set work = $2, swap_state = $3, heartbeat_at = now() where id = $1")
                .execute(Tuple.of(id, workJson, swapState)).await().atMost(TIMEOUT);
    }

    public void swapState(UUID id, String swapState) {
        pool.preparedQuery("update restore_job set swap_state = $2, heartbeat_at = now() where id = $1")
                .execute(Tuple.of(id, swapState)).await().atMost(TIMEOUT);
    }

    public void snapshotTaken(UUID id, UUID snapshotId) {
        pool.preparedQuery("update restore_job set pre_restore_snapshot_id = $2 where id = $1")
                .execute(Tuple.of(id, snapshotId)).await().atMost(TIMEOUT);
    }

    public int nextSeq(UUID id) {
        Row r = pool.preparedQuery("select coalesce(max(seq), 0) + 1 as n from restore_step where restore_id = $1")
                .execute(Tuple.of(id)).await().atMost(TIMEOUT).iterator().next();
        return r.getInteger("n");
    }

    public void stepStarted(UUID id, int seq, String step, Instant at) {
        pool.preparedQuery("insert into restore_step (restore_id, seq, step, status, started_at) values ($1, $2, $3, 'running', $4)")
                .execute(Tuple.of(id, seq, step, at.atOffset(java.time.ZoneOffset.UTC))).await().atMost(TIMEOUT);
    }

    public void stepFinished(UUID id, int seq, String status, String message, Instant at) {
        pool.preparedQuery("update restore_step set status = $3, message = $4, finished_at = $5 where restore_id = $1 and seq = $2")
                .execute(Tuple.of(id, seq, status, message, at.atOffset(java.time.ZoneOffset.UTC))).await().atMost(TIMEOUT);
    }

    public void stepFinishedIfRunning(UUID id, int seq, String message, Instant at) {
        pool.preparedQuery("update restore_step set status = 'failed', message = $3, finished_at = $4"
                + " where restore_id = $1 and seq = $2 and status = 'running'")
                .execute(Tuple.of(id, seq, message, at.atOffset(java.time.ZoneOffset.UTC))).await().atMost(TIMEOUT);
    }

    /** Records the awaited snapshot and appends its BackupRequested in one transaction (once per key). */
    public void requestSnapshot(UUID restoreId, String key, OcoreEvent request) {
        await(() -> Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery("""
                insert into awaited_snapshot (idempotency_key, restore_id, status, requested_at)
                values (:key, :restore, 'waiting', now()) on conflict (idempotency_key) do nothing""")
                .setParameter("key", key).setParameter("restore", restoreId).executeUpdate())
                .chain(n -> n == 1 ? outbox.append(request).replaceWithVoid() : Uni.createFrom().voidItem())));
    }

    /** An awaited snapshot's state: status, backup id, reason. */
    public record SnapshotOutcome(String status, UUID backupId, String reason) {
    }

    public SnapshotOutcome snapshot(String key) {
        var it = pool.preparedQuery("select status, backup_id, reason from awaited_snapshot where idempotency_key = $1")
                .execute(Tuple.of(key)).await().atMost(TIMEOUT).iterator();
        if (!it.hasNext()) {
            return null;
        }
        Row r = it.next();
        return new SnapshotOutcome(r.getString("status"), r.getUUID("backup_id"), r.getString("reason"));
    }

    /** Appends one event to the outbox in its own transaction (a finding during a run, e.g. BackupCorrupted). */
    public void publish(OcoreEvent event) {
        await(() -> Panache.withTransaction(() -> outbox.append(event).replaceWithVoid()));
    }

    /** The final state and its events, in one transaction. */
    public void finish(UUID id, String status, String error, UUID targetEnvironmentId, String swapState,
            boolean cleanupPending, Function<RestoreJob, List<OcoreEvent>> events) {
        await(() -> Panache.withTransaction(() -> RestoreJob.<RestoreJob>findById(id).chain(j -> {
            j.status = status;
            j.error = error;
            if (targetEnvironmentId != null) {
                j.targetEnvironmentId = targetEnvironmentId;
            }
            j.swapState = swapState;
            j.cleanupPending = cleanupPending;
            j.completedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            j.heartbeatAt = j.completedAt;
            if ("completed".equals(status)) {
                j.progressPercent = 100;
            }
            return Multi.createFrom().iterable(events.apply(j))
                    .onItem().transformToUniAndConcatenate(outbox::append)
                    .collect().asList().replaceWithVoid();
        })));
    }

    public void cleanupDone(UUID id) {
        pool.preparedQuery("update restore_job set cleanup_pending = false where id = $1")
                .execute(Tuple.of(id)).await().atMost(TIMEOUT);
    }

    /** Restores left in_progress by a worker that is gone (this node restarted, or a stale heartbeat). */
    public List<UUID> interrupted(String node, Duration staleAfter, Collection<UUID> runningHere) {
        var rows = pool.preparedQuery("""
                select id from restore_job where status = 'in_progress'
                  and (claimed_by = $1 or heartbeat_at is null or heartbeat_at < now() - make_interval(secs => $2))
                  and not (id = any($3))""")
                .execute(Tuple.of(node, (double) staleAfter.toMillis() / 1000.0, runningHere.toArray(UUID[]::new)))
                .await().atMost(TIMEOUT);
        List<UUID> ids = new ArrayList<>();
        rows.forEach(r -> ids.add(r.getUUID("id")));
        return ids;
    }

    /** Completed restores whose old database or filestore is still to drop. */
    public List<UUID> cleanupPending() {
        var rows = pool.preparedQuery("select id from restore_job where cleanup_pending and status = 'completed'")
                .execute().await().atMost(TIMEOUT);
        List<UUID> ids = new ArrayList<>();
        rows.forEach(r -> ids.add(r.getUUID("id")));
        return ids;
    }

    static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
