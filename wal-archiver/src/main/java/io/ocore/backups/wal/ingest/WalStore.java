package io.ocore.backups.wal.ingest;

import io.ocore.backups.platform.events.Outbox;
import io.ocore.backups.platform.events.OcoreEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** The catalogue of archived WAL files ({@code wal_file}) and the archiving health. Blocking: worker threads only. */
@ApplicationScoped
public class WalStore {

    static final Duration TIMEOUT = Duration.ofSeconds(15);

    /** One archived WAL file, durable on every destination in {@code destinationIds}. */
    public record WalFile(UUID environmentId, String fileName, String kind, int timeline, Long segmentNo,
            long sizeBytes, String sha256, long storedBytes, Instant firstCommitAt, Instant lastCommitAt,
            int commitCount, List<UUID> destinationIds, Instant archivedAt) {
    }

    private final Pool pool;
    private final Outbox outbox;

    public WalStore(Pool pool, Outbox outbox) {
        this.pool = pool;
        this.outbox = outbox;
    }

    public Pool pool() {
        return pool;
    }

    /** The archived file of that name, or null. */
    public WalFile find(SqlClient client, UUID environmentId, String fileName) {
        var rows = client.preparedQuery("select * from wal_file where environment_id = $1 and file_name = $2")
                .execute(Tuple.of(environmentId, fileName)).await().atMost(TIMEOUT);
        for (Row r : rows) {
            return new WalFile(r.getUUID("environment_id"), r.getString("file_name"), r.getString("kind"),
                    r.getInteger("timeline"), r.getLong("segment_no"), r.getLong("size_bytes"), r.getString("sha256"),
                    r.getLong("stored_bytes"), instant(r.getOffsetDateTime("first_commit_at")),
                    instant(r.getOffsetDateTime("last_commit_at")), r.getInteger("commit_count"),
                    Arrays.asList(r.getArrayOfUUIDs("destination_ids")),
                    instant(r.getOffsetDateTime("archived_at")));
        }
        return null;
    }

    public WalFile find(UUID environmentId, String fileName) {
        return find(pool, environmentId, fileName);
    }

    /** Inserts the row unless the name is taken; answers whether this call inserted it. */
    public boolean insert(SqlClient client, WalFile f) {
        var rows = client.preparedQuery("""
                insert into wal_file (environment_id, file_name, kind, timeline, segment_no, size_bytes, sha256,
                        stored_bytes, first_commit_at, last_commit_at, commit_count, destination_ids, archived_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                on conflict (environment_id, file_name) do nothing""")
                .execute(Tuple.from(new Object[] {f.environmentId(), f.fileName(), f.kind(), f.timeline(), f.segmentNo(),
                        f.sizeBytes(), f.sha256(), f.storedBytes(), odt(f.firstCommitAt()), odt(f.lastCommitAt()),
                        f.commitCount(), f.destinationIds().toArray(UUID[]::new), odt(f.archivedAt())}))
                .await().atMost(TIMEOUT);
        return rows.rowCount() == 1;
    }

    /** An attempt that made (or found) the file durable: wal_archive_health as V2's comment says. */
    public void recordSuccess(UUID environmentId, String fileName) {
        pool.preparedQuery("""
                insert into wal_archive_health (environment_id, last_success_at, last_success_file, last_attempt_at,
                        failing_since, failed_attempts)
                values ($1, now(), $2, now(), null, 0)
                on conflict (environment_id) do update set last_success_at = now(), last_success_file = $2,
                        last_attempt_at = now(), failing_since = null, failed_attempts = 0""")
                .execute(Tuple.of(environmentId, fileName)).await().atMost(TIMEOUT);
    }

    /** An attempt that failed (file refused or not made durable); {@code reason} is safe to show. */
    public void recordFailure(UUID environmentId, String fileName, String reason) {
        pool.preparedQuery("""
                insert into wal_archive_health (environment_id, last_attempt_at, failing_since, failed_attempts,
                        last_failure_file, last_failure_reason)
                values ($1, now(), now(), 1, $2, $3)
                on conflict (environment_id) do update set last_attempt_at = now(),
                        failing_since = coalesce(wal_archive_health.failing_since, now()),
                        failed_attempts = wal_archive_health.failed_attempts + 1,
                        last_failure_file = $2, last_failure_reason = $3""")
                .execute(Tuple.of(environmentId, fileName, reason)).await().atMost(TIMEOUT);
    }

    /** Publishes an event through the outbox, in a transaction of its own. */
    public void publish(OcoreEvent event) {
        try {
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> outbox.append(event)));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime odt(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }
}
