package io.ocore.backups.restore.execution;

import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Outbox;
import io.ocore.backups.platform.jobs.Job;
import io.ocore.backups.platform.jobs.JobTable;
import io.ocore.backups.platform.jobs.Lease;
import io.ocore.backups.platform.jobs.LeaseLostException;
import io.ocore.backups.restore.restore.RestoreJob;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
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
    private final JobTable jobs;

    public RestoreStore(Pool pool, Outbox outbox) {
        this.pool = pool;
        this.outbox = outbox;
        this.jobs = new JobTable(pool, "restore_job");
    }

    /** Claims the oldest pending restore for {@code node} under a new lease generation; null when there is none. */
    public Lease claimNext(String node) {
        return jobs.claim(node, """
                select id from restore_job where status = 'pending'
                order by created_at, id limit 1 for update skip locked""", "");
    }

    /** Whether the lease is still held (same owner and generation, still in_progress). */
    public boolean holds(Lease lease) {
        return jobs.holds(lease);
    }

    /**
     * Runs {@code step} holding the restore's row locked after checking the lease inside the
     * lock: the swap, the undo (docs/adr/0012-job-leases.md). A takeover waits until it ends.
     */
    public <T> T exclusive(Lease lease, java.util.concurrent.Callable<T> step) throws Exception {
        return jobs.exclusive(lease, step);
    }

    /** Leases of restores left in_progress by a worker that is gone (this node restarted, or a stale heartbeat). */
    public List<Lease> stale(String node, Duration staleAfter, Collection<UUID> runningHere) {
        return jobs.stale(node, staleAfter, runningHere);
    }

    /** Takes over a stale restore (bumps its generation) before it is undone; null when it moved on. */
    public Lease takeOver(Lease seen, String node) {
        return jobs.takeOver(seen, node);
    }

    public RestoreJob load(UUID id) {
        return await(() -> Panache.withSession(() -> RestoreJob.<RestoreJob>findById(id)));
    }

    /** Saves progress and heartbeat if the lease is still held; false: lost. */
    public boolean progress(Lease lease, String step, int percent, long bytesDone, Long bytesTotal) {
        return progress(lease, step, percent, bytesDone, bytesTotal, null);
    }

    /** {@link #progress}, with the WAL replay's locations when there is one (null: left as they are). */
    boolean progress(Lease lease, String step, int percent, long bytesDone, Long bytesTotal, Progress.Replay replay) {
        return jobs.update(lease, "progress_step = $4, progress_percent = $5, bytes_done = $6, bytes_total = $7"
                + REPLAY_SET, withReplay(replay, step, percent, bytesDone, bytesTotal));
    }

    /** The WAL replay's columns: each kept when the value is null. */
    private static final String REPLAY_SET = ", replay_start_lsn = coalesce($8, replay_start_lsn),"
            + " replay_end_lsn = coalesce($9, replay_end_lsn), replay_lsn = coalesce($10, replay_lsn)";

    private static Object[] withReplay(Progress.Replay r, Object... values) {
        Object[] all = java.util.Arrays.copyOf(values, values.length + 3);
        if (r != null) {
            all[values.length] = r.start().toString();
            all[values.length + 1] = r.end().toString();
            all[values.length + 2] = r.replayed() == null ? null : r.replayed().toString();
        }
        return all;
    }

    /**
     * The progress ticker's write: like {@link #progress}, except that it leaves the step alone
     * while the swap runs. The ticker reads the step a moment before it writes it, so it could put
     * back the step before the swap after {@link #swapState(Lease, String, String)} recorded
     * "swap", and a crash then was said to have happened during that earlier step.
     */
    public boolean tick(Lease lease, String step, int percent, long bytesDone, Long bytesTotal) {
        return tick(lease, step, percent, bytesDone, bytesTotal, null);
    }

    boolean tick(Lease lease, String step, int percent, long bytesDone, Long bytesTotal, Progress.Replay replay) {
        return jobs.update(lease, "progress_step = case when swap_state = 'swapping' then progress_step else $4 end,"
                + " progress_percent = $5, bytes_done = $6, bytes_total = $7" + REPLAY_SET,
                withReplay(replay, step, percent, bytesDone, bytesTotal));
    }

    /** Records where the restore works (the swap journal's content) and its state; else {@link LeaseLostException}. */
    public void journal(Lease lease, String workJson, String swapState) {
        jobs.updateOrStop(lease, "work = $4, swap_state = $5", workJson, swapState);
    }

    public void swapState(Lease lease, String swapState) {
        jobs.updateOrStop(lease, "swap_state = $4", swapState);
    }

    /**
     * The swap state and the step together, in one write: a crash right after it is then said to
     * have happened during that step, not during the one the progress ticker recorded last.
     */
    public void swapState(Lease lease, String swapState, String step) {
        jobs.updateOrStop(lease, "swap_state = $4, progress_step = $5", swapState, step);
    }

    public void snapshotTaken(Lease lease, UUID snapshotId) {
        jobs.updateOrStop(lease, "pre_restore_snapshot_id = $4", snapshotId);
    }

    /** The attachments the restored database references and its restored filestore lacks; else {@link LeaseLostException}. */
    public void missingAttachments(Lease lease, String missingJson, int count) {
        jobs.updateOrStop(lease, "missing_attachments = $4, missing_attachment_count = $5", missingJson, count);
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

    /** Fails every step of the restore still recorded as running (a crash's recovery). */
    public void runningStepsFailed(UUID id, String message, Instant at) {
        pool.preparedQuery("update restore_step set status = 'failed', message = $2, finished_at = $3"
                + " where restore_id = $1 and status = 'running'")
                .execute(Tuple.of(id, message, at.atOffset(java.time.ZoneOffset.UTC))).await().atMost(TIMEOUT);
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

    /**
     * The final state and its events, in one transaction, if {@code lease} still holds the row
     * (locked for the check); else nothing is written and {@link LeaseLostException} is thrown.
     */
    public void finish(Lease lease, String status, String error, UUID targetEnvironmentId, String swapState,
            boolean cleanupPending, Function<RestoreJob, List<OcoreEvent>> events) {
        Job.outcomeRecorded(); // from now on the row is no longer ours to heartbeat
        await(() -> Panache.withTransaction(() -> RestoreJob.<RestoreJob>findById(lease.id(),
                LockModeType.PESSIMISTIC_WRITE).chain(j -> {
            if (j == null || !"in_progress".equals(j.status) || !lease.heldBy(j.claimedBy, j.leaseGeneration)) {
                return Uni.createFrom().failure(new LeaseLostException(lease));
            }
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
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof LeaseLostException lost) {
                    throw lost;
                }
            }
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
