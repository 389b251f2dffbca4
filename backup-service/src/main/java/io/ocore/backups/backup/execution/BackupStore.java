package io.ocore.backups.backup.execution;

import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.backup.BackupStatus;
import io.ocore.backups.backup.backup.FailedDestination;
import io.ocore.backups.backup.backup.Json;
import io.ocore.backups.backup.backup.Phase;
import io.ocore.backups.backup.environment.Environment;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Outbox;
import io.ocore.backups.platform.jobs.Job;
import io.ocore.backups.platform.jobs.JobTable;
import io.ocore.backups.platform.jobs.Lease;
import io.ocore.backups.platform.jobs.LeaseLostException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The worker's database access, blocking: it runs on worker threads, never on the event loop.
 * State changes that publish events go through Panache and the outbox in one transaction.
 */
@ApplicationScoped
public class BackupStore {

    private final Outbox outbox;
    private final JobTable jobs;

    public BackupStore(Pool pool, Outbox outbox) {
        this.outbox = outbox;
        this.jobs = new JobTable(pool, "backup");
    }

    /**
     * Claims the oldest pending backup whose environment has none running, marking it in_progress
     * for {@code node} under a new lease generation; null when there is none. The partial unique
     * index makes a concurrent claim of the same environment by another replica fail instead of
     * running two at once.
     */
    public Lease claimNext(String node) {
        return jobs.claim(node, """
                select b.id from backup b
                where b.status = 'pending'
                  and not exists (select 1 from backup r
                                  where r.environment_id = b.environment_id and r.status = 'in_progress')
                order by b.created_at, b.id limit 1 for update skip locked""", ", bytes_done = 0, phase = null");
    }

    /** Whether the lease is still held (same owner and generation, still in_progress). */
    public boolean holds(Lease lease) {
        return jobs.holds(lease);
    }

    public record Loaded(Backup backup, Environment environment) {
    }

    public Loaded load(UUID backupId) {
        return await(() -> Panache.withSession(() -> Backup.<Backup>findById(backupId)
                .chain(b -> Environment.<Environment>findById(b.environmentId).map(e -> new Loaded(b, e)))));
    }

    public Backup backup(UUID backupId) {
        return await(() -> Panache.withSession(() -> Backup.<Backup>findById(backupId)));
    }

    /** Saves progress and proves the worker is alive, if it still holds the lease; false: lost. */
    public boolean progress(Lease lease, Phase phase, long bytesDone) {
        return jobs.update(lease, "phase = $4, bytes_done = $5", phase == null ? null : phase.name(), bytesDone);
    }

    /** The final state of a run; {@code pitrBase} the PITR base it holds (completed only), else null. */
    public record Outcome(BackupStatus status, Long sizeBytes, Map<String, String> checksums,
            Map<UUID, String> remotePaths, List<FailedDestination> failedDestinations, String error,
            List<String> notes, BackupManifest.PitrBase pitrBase) {
        public Outcome(BackupStatus status, Long sizeBytes, Map<String, String> checksums,
                Map<UUID, String> remotePaths, List<FailedDestination> failedDestinations, String error,
                List<String> notes) {
            this(status, sizeBytes, checksums, remotePaths, failedDestinations, error, notes, null);
        }

        public Outcome(BackupStatus status, Long sizeBytes, Map<String, String> checksums,
                Map<UUID, String> remotePaths, List<FailedDestination> failedDestinations, String error) {
            this(status, sizeBytes, checksums, remotePaths, failedDestinations, error, List.of());
        }
    }

    /**
     * The blob ids a blob-store backup's filestore index references ({@code BlobRefs.encode}), and
     * what becomes of the outcome when some are no longer located live on a destination it
     * completed on ({@code missing}: destination -> how many blobs are missing there).
     */
    public record BlobReferences(byte[] blobIds, java.util.function.Function<Map<UUID, Long>, Outcome> onMissing) {
    }

    public void finish(Lease lease, Outcome o, java.util.function.Function<Backup, List<OcoreEvent>> events) {
        finish(lease, o, null, events);
    }

    /**
     * Records the outcome and its events in one transaction (events built from the updated row),
     * if {@code lease} still holds the row (locked for the check): else nothing is written and
     * {@link LeaseLostException} is thrown. With {@code refs}, a completed outcome also records
     * the backup's referenced blobs ({@code backup_blob_ref}) and checks, in the same transaction,
     * that each is still located on every destination of {@code remotePaths} (a doomed, unswept
     * location counts, and is made live again); where one is not, {@link BlobReferences#onMissing} gives the outcome.
     */
    public void finish(Lease lease, Outcome outcome, BlobReferences refs,
            java.util.function.Function<Backup, List<OcoreEvent>> events) {
        Job.outcomeRecorded(); // from now on the row is no longer ours to heartbeat
        await(() -> Panache.withTransaction(() -> Backup.<Backup>findById(lease.id(), LockModeType.PESSIMISTIC_WRITE)
                .chain(b -> {
            if (b == null || b.status != BackupStatus.in_progress || !lease.heldBy(b.claimedBy, b.leaseGeneration)) {
                return Uni.createFrom().failure(new LeaseLostException(lease));
            }
            Uni<Outcome> checked = refs == null || outcome.status() != BackupStatus.completed
                    ? Uni.createFrom().item(outcome)
                    : recordReferences(b, outcome, refs);
            return checked.chain(o -> {
                b.status = o.status();
                b.sizeBytes = o.sizeBytes();
                b.checksums = Json.write(o.checksums());
                b.remotePaths = Json.write(o.remotePaths());
                b.failedDestinations = Json.write(o.failedDestinations());
                b.error = o.error();
                b.notes = Json.write(o.notes() == null ? List.of() : o.notes());
                BackupManifest.PitrBase base = o.status() == BackupStatus.completed ? o.pitrBase() : null;
                b.pitrStartLsn = base == null ? null : base.startLsn();
                b.pitrStopLsn = base == null ? null : base.stopLsn();
                b.pitrTimeline = base == null ? null : base.timeline();
                b.pitrStartWalFile = base == null ? null : base.startWalFile();
                b.pitrConsistentAt = base == null ? null : base.consistentAt();
                b.completedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                b.heartbeatAt = b.completedAt;
                return Multi.createFrom().iterable(events.apply(b))
                        .onItem().transformToUniAndConcatenate(outbox::append)
                        .collect().asList().replaceWithVoid();
            });
        })));
    }

    /** Inside the finish transaction: backup_blob_ref, then the live check per destination. */
    private static Uni<Outcome> recordReferences(Backup b, Outcome o, BlobReferences refs) {
        String dests = String.join(",", o.remotePaths().keySet().stream().map(UUID::toString).toList());
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                insert into backup_blob_ref (backup_id, environment_id, blob_ids, blob_count)
                values (:id, :env, :ids, :count)
                on conflict (backup_id) do update set blob_ids = excluded.blob_ids, blob_count = excluded.blob_count""")
                .setParameter("id", b.id).setParameter("env", b.environmentId).setParameter("ids", refs.blobIds())
                .setParameter("count", refs.blobIds().length / 32).executeUpdate()
                .chain(() -> s.createNativeQuery("""
                        select cast(d.dest as text), count(*)
                        from backup_blob_ref r
                        cross join generate_series(0, r.blob_count - 1) g(i)
                        cross join unnest(cast(string_to_array(:dests, ',') as uuid[])) d(dest)
                        where r.backup_id = :id
                          and not exists (select 1 from blob_location l
                                          where l.destination_id = d.dest and l.environment_id = r.environment_id
                                            and l.blob_id = encode(substring(r.blob_ids from g.i * 32 + 1 for 32), 'hex'))
                        group by d.dest""", Object[].class).setParameter("id", b.id).setParameter("dests", dests)
                        .getResultList())
                // A blob the collector doomed while this backup ran but has not swept is referenced again:
                // live from now on (the row locks make a concurrent sweep re-read it and leave it).
                .call(() -> s.createNativeQuery("""
                        update blob_location l set doomed_at = null
                        from backup_blob_ref r cross join generate_series(0, r.blob_count - 1) g(i)
                        where r.backup_id = :id and l.environment_id = r.environment_id
                          and l.destination_id = any(cast(string_to_array(:dests, ',') as uuid[]))
                          and l.blob_id = encode(substring(r.blob_ids from g.i * 32 + 1 for 32), 'hex')
                          and l.doomed_at is not null""").setParameter("id", b.id).setParameter("dests", dests)
                        .executeUpdate())
                .chain(rows -> {
                    if (rows.isEmpty()) {
                        return Uni.createFrom().item(o);
                    }
                    Map<UUID, Long> missing = new java.util.LinkedHashMap<>();
                    for (Object[] r : rows) {
                        missing.put(UUID.fromString((String) r[0]), ((Number) r[1]).longValue());
                    }
                    Outcome adjusted = refs.onMissing().apply(missing);
                    if (adjusted.status() == BackupStatus.completed) {
                        return Uni.createFrom().item(adjusted);
                    }
                    // nothing of it is kept: it references no blob
                    return s.createNativeQuery("delete from backup_blob_ref where backup_id = :id")
                            .setParameter("id", b.id).executeUpdate().replaceWith(adjusted);
                }));
    }

    /**
     * Leases of backups left in_progress by a worker that is gone: claimed by {@code node} (this
     * instance, restarted) or silent for longer than {@code staleAfter}; never those running here.
     */
    public List<Lease> stale(String node, Duration staleAfter, Collection<UUID> runningHere) {
        return jobs.stale(node, staleAfter, runningHere);
    }

    /** Takes over a stale backup (bumps its generation) before it is cleaned up; null when it moved on. */
    public Lease takeOver(Lease seen, String node) {
        return jobs.takeOver(seen, node);
    }

    private static <T> T await(Supplier<Uni<T>> work) {
        // The calling worker thread's trace (the backup's run) goes on in the Vert.x context the work
        // runs on, so the events the outbox records there continue it.
        io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.current();
        try {
            return VertxContextSupport.subscribeAndAwait(() -> {
                io.opentelemetry.context.Scope scope = trace.makeCurrent();
                return work.get().onTermination().invoke(scope::close);
            });
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
