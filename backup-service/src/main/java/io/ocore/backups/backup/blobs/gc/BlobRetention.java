package io.ocore.backups.backup.blobs.gc;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * What an environment's blob store keeps and what the next collection frees, as the collector
 * ({@link BlobGarbageCollector}) would see it now: the blobs the backups still in the catalogue
 * reference, those the filestore captures it keeps reference (captured within the schedule's WAL
 * retention plus the grace), and, of the blobs stored, those nothing kept references and those
 * doomed longer than the grace, which its next sweep removes. Each blob counts once (the
 * destinations hold a copy each); bytes are the blobs' own sizes (raw, before compression).
 */
@ApplicationScoped
public class BlobRetention {

    /** Blobs and their bytes. */
    public record Count(long blobs, long bytes) {
    }

    /**
     * @param keptByBackups referenced by a backup still in the catalogue
     * @param keptByCaptures referenced by a capture the next collection keeps (the PITR window's)
     * @param kept either (each blob once)
     * @param notReferenced stored and referenced by nothing kept: doomed by the collector, freed
     *     once doomed longer than {@code graceSeconds}
     * @param freedByNextCollection of those, the ones doomed longer than the grace already: the
     *     next collection removes them
     */
    public record Outcome(Instant evaluatedAt, long graceSeconds, long capturesKept, Count keptByBackups,
            Count keptByCaptures, Count kept, Count notReferenced, Count freedByNextCollection) {
    }

    private static final String SQL = """
            with bk as (
                select distinct encode(substring(r.blob_ids from g * 32 + 1 for 32), 'hex') as blob_id
                from backup_blob_ref r
                join backup b on b.id = r.backup_id,
                lateral generate_series(0, length(r.blob_ids) / 32 - 1) g
                where r.environment_id = $1),
            kept_capture as (
                select c.blob_ids
                from filestore_capture c
                left join schedule_destinations s on s.environment_id = c.environment_id
                where c.environment_id = $1
                and """ + BlobGarbageCollector.captureKept("$2") + """
            ),
            cap as (
                select distinct encode(substring(c.blob_ids from g * 32 + 1 for 32), 'hex') as blob_id
                from kept_capture c,
                lateral generate_series(0, length(c.blob_ids) / 32 - 1) g),
            stored as (
                select l.blob_id, max(l.raw_length)::bigint as raw,
                    bool_and(l.doomed_at is not null and l.doomed_at <= $2) as sweepable,
                    exists (select 1 from bk where bk.blob_id = l.blob_id) as in_bk,
                    exists (select 1 from cap where cap.blob_id = l.blob_id) as in_cap
                from blob_location l
                where l.environment_id = $1
                group by l.blob_id)
            select
                (select count(*) from kept_capture) as captures,
                count(*) filter (where in_bk) as bk_n, coalesce(sum(raw) filter (where in_bk), 0)::bigint as bk_b,
                count(*) filter (where in_cap) as cap_n, coalesce(sum(raw) filter (where in_cap), 0)::bigint as cap_b,
                count(*) filter (where in_bk or in_cap) as kept_n,
                coalesce(sum(raw) filter (where in_bk or in_cap), 0)::bigint as kept_b,
                count(*) filter (where not in_bk and not in_cap) as free_n,
                coalesce(sum(raw) filter (where not in_bk and not in_cap), 0)::bigint as free_b,
                count(*) filter (where not in_bk and not in_cap and sweepable) as next_n,
                coalesce(sum(raw) filter (where not in_bk and not in_cap and sweepable), 0)::bigint as next_b
            from stored
            """;

    private final Pool pool;
    private final BlobGarbageCollector collector;

    public BlobRetention(Pool pool, BlobGarbageCollector collector) {
        this.pool = pool;
        this.collector = collector;
    }

    /** As of {@code now}; null when the environment has no blob store in that organisation (nothing known). */
    public Uni<Outcome> of(UUID orgId, UUID environmentId, Instant now) {
        return pool.preparedQuery("select 1 from blob_store_key where environment_id = $1 and org_id = $2")
                .execute(Tuple.of(environmentId, orgId)).chain(keys -> {
                    if (keys.rowCount() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    OffsetDateTime cutoff = OffsetDateTime.ofInstant(now.minus(collector.grace()), ZoneOffset.UTC);
                    return pool.preparedQuery(SQL).execute(Tuple.of(environmentId, cutoff)).map(rows -> {
                        Row r = rows.iterator().next();
                        return new Outcome(now, collector.grace().toSeconds(), r.getLong("captures"),
                                count(r, "bk"), count(r, "cap"), count(r, "kept"), count(r, "free"), count(r, "next"));
                    });
                });
    }

    private static Count count(Row r, String prefix) {
        return new Count(r.getLong(prefix + "_n"), r.getLong(prefix + "_b"));
    }
}
