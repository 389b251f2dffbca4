package io.ocore.backups.backup.execution;

import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.backup.BackupStatus;
import io.ocore.backups.backup.backup.FailedDestination;
import io.ocore.backups.backup.backup.Json;
import io.ocore.backups.backup.backup.Phase;
import io.ocore.backups.backup.environment.Environment;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Outbox;
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
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The worker's database access, blocking: it runs on worker threads, never on the event loop.
 * State changes that publish events go through Panache and the outbox in one transaction.
 */
@ApplicationScoped
public class BackupStore {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Pool pool;
    private final Outbox outbox;

    public BackupStore(Pool pool, Outbox outbox) {
        this.pool = pool;
        this.outbox = outbox;
    }

    /**
     * Claims the oldest pending backup whose environment has none running, marking it in_progress
     * for {@code node}; null when there is none. The partial unique index makes a concurrent claim
     * of the same environment by another replica fail instead of running two at once.
     */
    public UUID claimNext(String node) {
        var rows = pool.withTransaction(conn -> conn.preparedQuery("""
                update backup set status = 'in_progress', claimed_by = $1, started_at = now(), heartbeat_at = now(),
                       bytes_done = 0, phase = null
                where id = (select b.id from backup b
                            where b.status = 'pending'
                              and not exists (select 1 from backup r
                                              where r.environment_id = b.environment_id and r.status = 'in_progress')
                            order by b.created_at, b.id limit 1 for update skip locked)
                returning id""").execute(Tuple.of(node))).await().atMost(TIMEOUT);
        var it = rows.iterator();
        return it.hasNext() ? it.next().getUUID("id") : null;
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

    /** Saves progress and proves the worker is alive. */
    public void progress(UUID backupId, Phase phase, long bytesDone) {
        pool.preparedQuery("""
                update backup set phase = $2, bytes_done = $3, heartbeat_at = now()
                where id = $1 and status = 'in_progress'""")
                .execute(Tuple.of(backupId, phase == null ? null : phase.name(), bytesDone)).await().atMost(TIMEOUT);
    }

    /** The final state of a run. */
    public record Outcome(BackupStatus status, Long sizeBytes, Map<String, String> checksums,
            Map<UUID, String> remotePaths, List<FailedDestination> failedDestinations, String error,
            List<String> notes) {
        public Outcome(BackupStatus status, Long sizeBytes, Map<String, String> checksums,
                Map<UUID, String> remotePaths, List<FailedDestination> failedDestinations, String error) {
            this(status, sizeBytes, checksums, remotePaths, failedDestinations, error, List.of());
        }
    }

    /** Records the outcome and its events in one transaction (events built from the updated row). */
    public void finish(UUID backupId, Outcome o, java.util.function.Function<Backup, List<OcoreEvent>> events) {
        await(() -> Panache.withTransaction(() -> Backup.<Backup>findById(backupId).chain(b -> {
            b.status = o.status();
            b.sizeBytes = o.sizeBytes();
            b.checksums = Json.write(o.checksums());
            b.remotePaths = Json.write(o.remotePaths());
            b.failedDestinations = Json.write(o.failedDestinations());
            b.error = o.error();
            b.notes = Json.write(o.notes() == null ? List.of() : o.notes());
            b.completedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            b.heartbeatAt = b.completedAt;
            return Multi.createFrom().iterable(events.apply(b))
                    .onItem().transformToUniAndConcatenate(outbox::append)
                    .collect().asList().replaceWithVoid();
        })));
    }

    /**
     * Backups left in_progress by a worker that is gone: claimed by {@code node} (this instance,
     * restarted) or silent for longer than {@code staleAfter}; never those running here now.
     */
    public List<UUID> interrupted(String node, Duration staleAfter, Collection<UUID> runningHere) {
        var rows = pool.preparedQuery("""
                select id from backup where status = 'in_progress'
                  and (claimed_by = $1 or heartbeat_at is null or heartbeat_at < now() - make_interval(secs => $2))
                  and not (id = any($3))""")
                .execute(Tuple.of(node, (double) staleAfter.toMillis() / 1000.0, runningHere.toArray(UUID[]::new)))
                .await().atMost(TIMEOUT);
        List<UUID> ids = new ArrayList<>();
        for (Row r : rows) {
            ids.add(r.getUUID("id"));
        }
        return ids;
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
