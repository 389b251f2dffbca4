package io.ocore.backups.backup.verify;

import com.fasterxml.jackson.core.type.TypeReference;
import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.backup.Json;
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
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/** The verification and backup_verification_state tables. */
@ApplicationScoped
public class VerificationStore {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** One destination's result as stored and served. */
    public record DestinationResult(String status, String detail) {
    }

    /** A verification as stored. */
    public record Verification(UUID id, UUID orgId, UUID backupId, String trigger, String status,
            Map<String, DestinationResult> destinations, String error, Instant startedAt, Instant completedAt) {
    }

    private final Pool pool;
    private final Outbox outbox;

    public VerificationStore(Pool pool, Outbox outbox) {
        this.pool = pool;
        this.outbox = outbox;
    }

    /** A new running verification. */
    public Uni<Verification> insert(UUID orgId, UUID backupId, String trigger, String node) {
        UUID id = UUID.randomUUID();
        return pool.preparedQuery("""
                insert into verification (id, org_id, backup_id, trigger, status, node, started_at)
                values ($1, $2, $3, $4, 'running', $5, now()) returning *""")
                .execute(Tuple.of(id, orgId, backupId, trigger, node))
                .map(rows -> of(rows.iterator().next()));
    }

    public Verification insertBlocking(UUID orgId, UUID backupId, String trigger, String node) {
        return insert(orgId, backupId, trigger, node).await().atMost(TIMEOUT);
    }

    /** The verification, only within {@code orgId}; null otherwise. */
    public Uni<Verification> find(UUID orgId, UUID id) {
        return pool.preparedQuery("select * from verification where id = $1 and org_id = $2")
                .execute(Tuple.of(id, orgId))
                .map(rows -> rows.iterator().hasNext() ? of(rows.iterator().next()) : null);
    }

    /** The verifications of a backup, newest first (tests and the scrub's own bookkeeping). */
    public List<Verification> ofBackup(UUID backupId) {
        var rows = pool.preparedQuery("select * from verification where backup_id = $1 order by started_at desc")
                .execute(Tuple.of(backupId)).await().atMost(TIMEOUT);
        List<Verification> out = new java.util.ArrayList<>();
        for (Row r : rows) {
            out.add(of(r));
        }
        return out;
    }

    /** The results so far, while it runs. */
    public void progress(UUID id, Map<String, DestinationResult> destinations) {
        pool.preparedQuery("update verification set destinations = $2 where id = $1 and status = 'running'")
                .execute(Tuple.of(id, Json.write(destinations))).await().atMost(TIMEOUT);
    }

    /**
     * The end of a verification, with its events, in one transaction; a completed one also
     * records when its backup was last verified (and releases the scrub's claim).
     */
    public void finish(UUID id, UUID backupId, String status, Map<String, DestinationResult> destinations,
            String error, List<OcoreEvent> events) {
        boolean judged = "completed".equals(status);
        await(() -> Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery("""
                update verification set status = :status, destinations = :destinations, error = :error,
                       completed_at = now()
                where id = cast(:id as uuid)""")
                .setParameter("status", status)
                .setParameter("destinations", Json.write(destinations))
                .setParameter("error", error)
                .setParameter("id", id.toString())
                .executeUpdate()
                .chain(() -> s.createNativeQuery(judged ? """
                        insert into backup_verification_state (backup_id, last_verified_at)
                        values (cast(:backup as uuid), now())
                        on conflict (backup_id) do update set last_verified_at = now(), scrub_claimed_by = null,
                               scrub_claimed_at = null""" : """
                        update backup_verification_state set scrub_claimed_by = null, scrub_claimed_at = null
                        where backup_id = cast(:backup as uuid)""")
                        .setParameter("backup", backupId.toString()).executeUpdate())
                .chain(() -> Multi.createFrom().iterable(events)
                        .onItem().transformToUniAndConcatenate(outbox::append)
                        .collect().asList().replaceWithVoid()))));
    }

    /** Fails the verifications {@code node} left running (it restarted); answers how many. */
    public int failLeftRunning(String node) {
        var rows = pool.preparedQuery("""
                update verification set status = 'failed', completed_at = now(),
                       error = 'interrupted: backup-service stopped while it ran; start it again'
                where status = 'running' and node = $1""").execute(Tuple.of(node)).await().atMost(TIMEOUT);
        return rows.rowCount();
    }

    /**
     * Claims the completed backup whose last verification is oldest (never verified first) and
     * older than {@code period}, unless another scrub claimed it within {@code claimFor}; null
     * when none is due.
     */
    public UUID claimDue(Duration period, Duration claimFor, String node) {
        var rows = pool.withTransaction(conn -> conn.preparedQuery("""
                with candidate as (
                    select b.id from backup b left join backup_verification_state s on s.backup_id = b.id
                    where b.status = 'completed'
                      and (s.last_verified_at is null or s.last_verified_at < now() - make_interval(secs => $1))
                      and (s.scrub_claimed_at is null or s.scrub_claimed_at < now() - make_interval(secs => $2))
                    order by s.last_verified_at nulls first, b.completed_at, b.id
                    limit 1)
                insert into backup_verification_state (backup_id, scrub_claimed_by, scrub_claimed_at)
                select id, $3, now() from candidate
                on conflict (backup_id) do update set scrub_claimed_by = $3, scrub_claimed_at = now()
                    where backup_verification_state.scrub_claimed_at is null
                       or backup_verification_state.scrub_claimed_at < now() - make_interval(secs => $2)
                returning backup_id""")
                .execute(Tuple.of(seconds(period), seconds(claimFor), node))).await().atMost(TIMEOUT);
        var it = rows.iterator();
        return it.hasNext() ? it.next().getUUID("backup_id") : null;
    }

    /** When the backup was last verified (completed verification), or null. */
    public Instant lastVerifiedAt(UUID backupId) {
        var rows = pool.preparedQuery("select last_verified_at from backup_verification_state where backup_id = $1")
                .execute(Tuple.of(backupId)).await().atMost(TIMEOUT);
        var it = rows.iterator();
        if (!it.hasNext()) {
            return null;
        }
        OffsetDateTime t = it.next().getOffsetDateTime("last_verified_at");
        return t == null ? null : t.toInstant();
    }

    public Backup backup(UUID backupId) {
        return await(() -> Panache.withSession(() -> Backup.<Backup>findById(backupId)));
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static Verification of(Row r) {
        Map<String, DestinationResult> dests = Json.read(r.getString("destinations"),
                new TypeReference<LinkedHashMap<String, DestinationResult>>() {
                });
        OffsetDateTime completed = r.getOffsetDateTime("completed_at");
        return new Verification(r.getUUID("id"), r.getUUID("org_id"), r.getUUID("backup_id"), r.getString("trigger"),
                r.getString("status"), dests, r.getString("error"), r.getOffsetDateTime("started_at").toInstant(),
                completed == null ? null : completed.toInstant());
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
