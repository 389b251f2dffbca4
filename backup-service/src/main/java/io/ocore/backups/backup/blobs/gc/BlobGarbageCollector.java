package io.ocore.backups.backup.blobs.gc;

import io.ocore.backups.backup.blobs.BlobStoreCatalogue;
import io.ocore.backups.backup.config.BackupConfig;
import io.ocore.backups.platform.destinations.Destinations;
import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.backupformat.blobs.BlobLayout;
import io.ocore.backups.platform.backupformat.blobs.BlobLocation;
import io.ocore.backups.platform.backupformat.blobs.PackIndex;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.RetryPolicy;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The blob stores' garbage collector (ADR 0015, docs/backups.md "Garbage collection of the blob
 * store"). One run, on one replica at a time (a PostgreSQL advisory lock held by a transaction for
 * the run; another replica finding it taken skips its run):
 *
 * <ol>
 * <li>finishes every pack left {@code deleting} (its objects deleted, then its row);</li>
 * <li>per environment, reads the references (the {@code backup_blob_ref} of every backup row still
 * in the catalogue): a doomed blob referenced again is un-doomed, a live blob no backup references
 * gets {@code doomed_at} (the mark);</li>
 * <li>the sweep: every location doomed longer than the grace ({@code ocore.backup.gc.grace}, never
 * less than {@code ocore.backup.max-duration}) is removed from the catalogue; a pack left without
 * locations is recorded {@code deleting} and deleted whole; a pack whose unlocated bytes exceed
 * {@code ocore.backup.gc.repack-threshold} is repacked: its remaining stored blobs copied byte for
 * byte into a new pack (recorded {@code deleting} until it is complete) with its encrypted index,
 * the locations moved and the new pack made live in one transaction with the old one recorded
 * {@code deleting}, then the old pack's objects deleted and its row removed.</li>
 * </ol>
 *
 * Catalogue rows change before objects are deleted, so a crash at any point leaves packs that are
 * referenced and whole, or {@code deleting} rows the next run finishes. Blocking: worker threads.
 */
@ApplicationScoped
public class BlobGarbageCollector {

    /** The advisory lock key of a collection run ("ocoreGC" in ASCII). */
    static final long LOCK_KEY = 0x6f636f72654743L;
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    /** What one run did. */
    public record Report(long undoomed, long doomed, long locationsRemoved, int packsDeleted, int packsRepacked,
            long bytesFreed, List<String> skipped, int capturesExpired) {
    }

    /**
     * The references of an environment: the blob ids of every backup row still in the catalogue and
     * of every filestore capture still kept (docs/backups.md "Continuous filestore capture").
     */
    private static final String REFS = """
            with refs as (
                select distinct encode(substring(r.blob_ids from g * 32 + 1 for 32), 'hex') as blob_id
                from backup_blob_ref r
                join backup b on b.id = r.backup_id,
                lateral generate_series(0, length(r.blob_ids) / 32 - 1) g
                where r.environment_id = $1
                union
                select encode(substring(c.blob_ids from g * 32 + 1 for 32), 'hex') as blob_id
                from filestore_capture c,
                lateral generate_series(0, length(c.blob_ids) / 32 - 1) g
                where c.environment_id = $1)
            """;

    /**
     * The SQL condition under which a filestore capture {@code c} (joined to its environment's
     * {@code schedule_destinations s}) is still kept: captured within the schedule's WAL retention
     * (7 days when unknown) before {@code cutoffParam} (now less the grace). The collector expires
     * the others; the retention preview (BlobRetention) counts the kept ones.
     */
    static String captureKept(String cutoffParam) {
        // a leading space: a text block's last line loses its trailing whitespace
        return " c.captured_at >= " + cutoffParam
                + "::timestamptz - make_interval(days => coalesce(s.wal_retention_days, 7))";
    }

    private final Pool pool;
    private final Destinations destinations;
    private final BlobStoreCatalogue catalogue;
    private final boolean enabled;
    private final Duration grace;
    private final double repackThreshold;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "blob-gc");
        t.setDaemon(true);
        return t;
    });

    public BlobGarbageCollector(Pool pool, Destinations destinations, BlobStoreCatalogue catalogue,
            BackupConfig config,
            @ConfigProperty(name = "ocore.backup.gc.enabled", defaultValue = "true") boolean enabled,
            @ConfigProperty(name = "ocore.backup.gc.grace", defaultValue = "24h") Duration grace,
            @ConfigProperty(name = "ocore.backup.gc.repack-threshold", defaultValue = "0.5") double repackThreshold) {
        if (repackThreshold <= 0 || repackThreshold >= 1) {
            throw new IllegalArgumentException("ocore.backup.gc.repack-threshold must be between 0 and 1 "
                    + "(a fraction of a pack's bytes), not " + repackThreshold);
        }
        this.pool = pool;
        this.destinations = destinations;
        this.catalogue = catalogue;
        this.enabled = enabled;
        // every backup that could have chosen a blob before it was doomed has ended by then
        this.grace = grace.compareTo(config.maxDuration()) < 0 ? config.maxDuration() : grace;
        this.repackThreshold = repackThreshold;
    }

    void onStop(@Observes ShutdownEvent ev) {
        thread.shutdownNow();
    }

    /** The grace in force: {@code ocore.backup.gc.grace}, raised to {@code ocore.backup.max-duration}. */
    public Duration grace() {
        return grace;
    }

    @Scheduled(every = "${ocore.backup.gc.interval:1h}", delayed = "${ocore.backup.gc.delay:5m}",
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
                Log.warnf("Blob garbage collection stopped: %s", e.getMessage());
            } finally {
                running.set(false);
            }
        });
    }

    /**
     * One collection run as of {@code now} (tests pass a later instant to stand for time passing).
     * Answers null when another replica's run holds the lock.
     */
    public Report run(Instant now) {
        SqlConnection lock = pool.getConnection().await().atMost(TIMEOUT);
        try {
            lock.query("begin").execute().await().atMost(TIMEOUT);
            boolean got = lock.preparedQuery("select pg_try_advisory_xact_lock($1) as got")
                    .execute(Tuple.of(LOCK_KEY)).await().atMost(TIMEOUT).iterator().next().getBoolean("got");
            if (!got) {
                Log.info("Blob garbage collection: another replica is collecting; skipped");
                return null;
            }
            return collect(now);
        } finally {
            try {
                lock.query("rollback").execute().await().atMost(TIMEOUT);
            } catch (RuntimeException e) {
                Log.debugf("Rolling back the collector's lock failed: %s", e.getMessage());
            }
            lock.close().await().atMost(TIMEOUT);
        }
    }

    private Report collect(Instant now) {
        Counts n = new Counts();
        OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        OffsetDateTime cutoff = OffsetDateTime.ofInstant(now.minus(grace), ZoneOffset.UTC);
        Opener opener = new Opener();
        try {
            finishDeleting(opener, n);
            expireCaptures(now, opener, n);
            List<UUID> envs = new ArrayList<>();
            for (Row r : query("select distinct environment_id from blob_pack", Tuple.tuple())) {
                envs.add(r.getUUID("environment_id"));
            }
            for (UUID env : envs) {
                n.undoomed += query(REFS + "update blob_location l set doomed_at = null where l.environment_id = $1 "
                        + "and l.doomed_at is not null and exists (select 1 from refs where refs.blob_id = l.blob_id)",
                        Tuple.of(env)).rowCount();
                // not while a backup of the environment runs: the blobs it uploaded or chose have no
                // reference until it finishes (the next run marks them if it left them unreferenced)
                n.doomed += query(REFS + "update blob_location l set doomed_at = $2 where l.environment_id = $1 "
                        + "and l.doomed_at is null and not exists (select 1 from refs where refs.blob_id = l.blob_id) "
                        + "and not exists (select 1 from backup b where b.environment_id = $1 "
                        + "and b.status = 'in_progress')", Tuple.of(env, at)).rowCount();
                GcFaults.reach("mark.done", env);
                sweep(env, at, cutoff, opener, n);
            }
        } finally {
            opener.close();
        }
        Report report = new Report(n.undoomed, n.doomed, n.locationsRemoved, n.packsDeleted, n.packsRepacked,
                n.bytesFreed, List.copyOf(n.skipped), n.capturesExpired);
        if (report.doomed() + report.undoomed() + report.locationsRemoved() + report.packsDeleted()
                + report.packsRepacked() + report.capturesExpired() > 0 || !report.skipped().isEmpty()) {
            Log.infof("Blob garbage collection: %s", report);
        }
        return report;
    }

    /**
     * Deletes the filestore captures older than their schedule's WAL retention plus the grace: the
     * capture object on each of its destinations, then its row (and with it its references, so
     * the mark that follows dooms the blobs nothing else references). A destination that cannot be
     * reached keeps the row for the next run.
     */
    private void expireCaptures(Instant now, Opener opener, Counts n) {
        OffsetDateTime at = OffsetDateTime.ofInstant(now.minus(grace), ZoneOffset.UTC);
        for (Row r : query("select c.id, c.org_id, c.environment_id, c.name, c.destination_ids"
                + " from filestore_capture c"
                + " left join schedule_destinations s on s.environment_id = c.environment_id"
                + " where not (" + captureKept("$1") + ") order by c.captured_at", Tuple.of(at))) {
            UUID org = r.getUUID("org_id");
            UUID env = r.getUUID("environment_id");
            String name = r.getString("name");
            boolean all = true;
            for (UUID d : io.ocore.backups.backup.backup.Json.read(r.getString("destination_ids"),
                    new com.fasterxml.jackson.core.type.TypeReference<List<UUID>>() {
                    })) {
                BackupStorage storage = opener.open(org, d, n);
                if (storage == null) {
                    all = false;
                    continue;
                }
                try {
                    storage.delete(BlobLayout.captureKey(org, env, name));
                } catch (io.ocore.backups.platform.storage.StorageException e) {
                    opener.unreachable(d, e, n);
                    all = false;
                }
            }
            if (all) {
                query("delete from filestore_capture where id = $1", Tuple.of(r.getUUID("id")));
                n.capturesExpired++;
            }
        }
    }

    /** Deletes the objects, then the rows, of the packs recorded {@code deleting}. */
    private void finishDeleting(Opener opener, Counts n) {
        for (Row r : query("select p.destination_id, p.environment_id, p.org_id, p.pack_id, p.size_bytes, "
                + "exists (select 1 from blob_location l where l.destination_id = p.destination_id "
                + "and l.environment_id = p.environment_id and l.pack_id = p.pack_id) as located "
                + "from blob_pack p where p.state = 'deleting'", Tuple.tuple())) {
            UUID dest = r.getUUID("destination_id");
            UUID env = r.getUUID("environment_id");
            String pack = r.getString("pack_id");
            if (r.getBoolean("located")) {
                // never by this collector's own steps: keep the objects, say so
                n.skipped.add("pack " + pack + " on destination " + dest + " is deleting but still located; kept");
                continue;
            }
            BackupStorage storage = opener.open(r.getUUID("org_id"), dest, n);
            if (storage == null) {
                continue;
            }
            try {
                deleteObjects(storage, r.getUUID("org_id"), env, pack);
            } catch (io.ocore.backups.platform.storage.StorageException e) {
                opener.unreachable(dest, e, n); // still deleting: the next run goes on
                continue;
            }
            removeRow(dest, env, pack);
            n.packsDeleted++;
            n.bytesFreed += r.getLong("size_bytes");
        }
    }

    private record Candidate(UUID destinationId, UUID orgId, String packId, long sizeBytes) {
    }

    private void sweep(UUID env, OffsetDateTime at, OffsetDateTime cutoff, Opener opener, Counts n) {
        List<Candidate> candidates = new ArrayList<>();
        for (Row r : query("""
                select p.destination_id, p.org_id, p.pack_id, p.size_bytes
                from blob_pack p
                left join blob_location l on l.destination_id = p.destination_id
                    and l.environment_id = p.environment_id and l.pack_id = p.pack_id
                where p.environment_id = $1 and p.state = 'live'
                group by p.destination_id, p.org_id, p.pack_id, p.size_bytes
                having count(l.blob_id) filter (where l.doomed_at <= $2) > 0
                    or coalesce(sum(l.stored_length) filter (where l.doomed_at is null or l.doomed_at > $2), 0)
                        < p.size_bytes * (1 - $3::float8)
                    or count(l.blob_id) = 0
                order by p.destination_id, p.pack_id
                """, Tuple.of(env, cutoff, repackThreshold))) {
            candidates.add(new Candidate(r.getUUID("destination_id"), r.getUUID("org_id"), r.getString("pack_id"),
                    r.getLong("size_bytes")));
        }
        for (Candidate c : candidates) {
            BackupStorage storage = opener.open(c.orgId(), c.destinationId(), n);
            if (storage == null) {
                continue;
            }
            try {
                sweepPack(storage, env, c, at, cutoff, n);
            } catch (io.ocore.backups.platform.storage.StorageException e) {
                // what was recorded stays consistent (deleting rows are finished by the next run)
                opener.unreachable(c.destinationId(), e, n);
            }
        }
    }

    private void sweepPack(BackupStorage storage, UUID env, Candidate c, OffsetDateTime at, OffsetDateTime cutoff,
            Counts n) {
        List<BlobLocation> remaining = new ArrayList<>();
        String action = inTransaction(tx -> {
            RowSet<Row> state = tx.preparedQuery("select state from blob_pack where destination_id = $1 "
                    + "and environment_id = $2 and pack_id = $3 for update")
                    .execute(Tuple.of(c.destinationId(), env, c.packId())).await().atMost(TIMEOUT);
            if (state.rowCount() == 0 || !"live".equals(state.iterator().next().getString("state"))) {
                return "none";
            }
            n.locationsRemoved += tx.preparedQuery("delete from blob_location where destination_id = $1 "
                    + "and environment_id = $2 and pack_id = $3 and doomed_at <= $4")
                    .execute(Tuple.of(c.destinationId(), env, c.packId(), cutoff)).await().atMost(TIMEOUT).rowCount();
            for (Row r : tx.preparedQuery("select blob_id, pack_offset, stored_length, raw_length from blob_location "
                    + "where destination_id = $1 and environment_id = $2 and pack_id = $3 order by pack_offset")
                    .execute(Tuple.of(c.destinationId(), env, c.packId())).await().atMost(TIMEOUT)) {
                remaining.add(new BlobLocation(r.getString("blob_id"), c.packId(), r.getLong("pack_offset"),
                        r.getInteger("stored_length"), r.getInteger("raw_length")));
            }
            if (remaining.isEmpty()) {
                markDeleting(tx, c.destinationId(), env, c.packId(), at);
                return "delete";
            }
            long keep = remaining.stream().mapToLong(BlobLocation::length).sum();
            return c.sizeBytes() - keep > c.sizeBytes() * repackThreshold ? "repack" : "none";
        });
        switch (action) {
            case "delete" -> {
                GcFaults.reach("delete.marked", env);
                deleteObjects(storage, c.orgId(), env, c.packId());
                GcFaults.reach("delete.objects-gone", env);
                removeRow(c.destinationId(), env, c.packId());
                n.packsDeleted++;
                n.bytesFreed += c.sizeBytes();
            }
            case "repack" -> {
                try {
                    repack(storage, env, c, remaining, at, n);
                } catch (RuntimeException e) {
                    // the new pack's row stays 'deleting': the next run deletes whatever was stored
                    Log.warnf("Repacking pack %s on destination %s failed, kept as it is: %s", c.packId(),
                            c.destinationId(), e.getMessage());
                    n.skipped.add("repack of pack " + c.packId() + " on destination " + c.destinationId()
                            + " failed: " + e.getMessage());
                }
            }
            default -> {
                // nothing to do with the objects
            }
        }
    }

    private void repack(BackupStorage storage, UUID env, Candidate c, List<BlobLocation> remaining, OffsetDateTime at,
            Counts n) {
        String newId = BlobLayout.newPackId();
        List<BlobLocation> moved = new ArrayList<>();
        long offset = 0;
        for (BlobLocation l : remaining) {
            moved.add(new BlobLocation(l.blobId(), newId, offset, l.length(), l.rawLength()));
            offset += l.length();
        }
        long newSize = offset;
        // recorded first, as 'deleting': a crash before it is complete leaves a deletion the next run finishes
        query("insert into blob_pack (destination_id, environment_id, pack_id, org_id, size_bytes, blob_count, state) "
                + "values ($1, $2, $3, $4, $5, $6, 'deleting')",
                Tuple.of(c.destinationId(), env, newId, c.orgId(), newSize, moved.size()));
        GcFaults.reach("repack.recorded", env);
        String oldKey = BlobLayout.packKey(c.orgId(), env, c.packId());
        var stored = storage.put(BlobLayout.packKey(c.orgId(), env, newId),
                () -> new RangeStream(storage, oldKey, remaining));
        if (stored.sizeBytes() != newSize) {
            throw new IllegalStateException("the new pack " + newId + " was stored with " + stored.sizeBytes()
                    + " bytes, not " + newSize);
        }
        GcFaults.reach("repack.pack-stored", env);
        BlobKeys keys = catalogue.keys(c.orgId(), env);
        byte[] index = keys.encryptPackIndex(newId, new PackIndex(newId, moved).toJson());
        storage.put(BlobLayout.packIndexKey(c.orgId(), env, newId), new ByteArrayInputStream(index));
        GcFaults.reach("repack.index-stored", env);
        inTransaction(tx -> {
            RowSet<Row> state = tx.preparedQuery("select state from blob_pack where destination_id = $1 "
                    + "and environment_id = $2 and pack_id = $3 for update")
                    .execute(Tuple.of(c.destinationId(), env, c.packId())).await().atMost(TIMEOUT);
            if (state.rowCount() == 0 || !"live".equals(state.iterator().next().getString("state"))) {
                throw new IllegalStateException("pack " + c.packId() + " is no longer live");
            }
            List<Tuple> rows = new ArrayList<>();
            for (BlobLocation l : moved) {
                rows.add(Tuple.of(c.destinationId(), env, l.blobId(), c.packId(), newId, l.offset()));
            }
            // a location a writer moved elsewhere meanwhile is left where it is
            tx.preparedQuery("update blob_location set pack_id = $5, pack_offset = $6 where destination_id = $1 "
                    + "and environment_id = $2 and blob_id = $3 and pack_id = $4").executeBatch(rows)
                    .await().atMost(TIMEOUT);
            long left = tx.preparedQuery("select count(*) as n from blob_location where destination_id = $1 "
                    + "and environment_id = $2 and pack_id = $3").execute(Tuple.of(c.destinationId(), env, c.packId()))
                    .await().atMost(TIMEOUT).iterator().next().getLong("n");
            if (left > 0) {
                throw new IllegalStateException(left + " location(s) of pack " + c.packId() + " were not moved");
            }
            tx.preparedQuery("update blob_pack set state = 'live', state_at = $4 where destination_id = $1 "
                    + "and environment_id = $2 and pack_id = $3").execute(Tuple.of(c.destinationId(), env, newId, at))
                    .await().atMost(TIMEOUT);
            markDeleting(tx, c.destinationId(), env, c.packId(), at);
            return null;
        });
        GcFaults.reach("repack.moved", env);
        deleteObjects(storage, c.orgId(), env, c.packId());
        GcFaults.reach("repack.old-objects-gone", env);
        removeRow(c.destinationId(), env, c.packId());
        n.packsRepacked++;
        n.bytesFreed += c.sizeBytes() - newSize;
    }

    private static void markDeleting(SqlConnection tx, UUID dest, UUID env, String pack, OffsetDateTime at) {
        tx.preparedQuery("update blob_pack set state = 'deleting', state_at = $4 where destination_id = $1 "
                + "and environment_id = $2 and pack_id = $3").execute(Tuple.of(dest, env, pack, at))
                .await().atMost(TIMEOUT);
    }

    /** The pack index first: a pack index never describes a pack that is gone. */
    private static void deleteObjects(BackupStorage storage, UUID orgId, UUID env, String pack) {
        storage.delete(BlobLayout.packIndexKey(orgId, env, pack));
        storage.delete(BlobLayout.packKey(orgId, env, pack));
    }

    private void removeRow(UUID dest, UUID env, String pack) {
        query("delete from blob_pack p where p.destination_id = $1 and p.environment_id = $2 and p.pack_id = $3 "
                + "and p.state = 'deleting' and not exists (select 1 from blob_location l where "
                + "l.destination_id = p.destination_id and l.environment_id = p.environment_id "
                + "and l.pack_id = p.pack_id)", Tuple.of(dest, env, pack));
    }

    private RowSet<Row> query(String sql, Tuple args) {
        return pool.preparedQuery(sql).execute(args).await().atMost(TIMEOUT);
    }

    private <T> T inTransaction(Function<SqlConnection, T> work) {
        SqlConnection c = pool.getConnection().await().atMost(TIMEOUT);
        try {
            c.query("begin").execute().await().atMost(TIMEOUT);
            T result;
            try {
                result = work.apply(c);
            } catch (RuntimeException | Error e) {
                try {
                    c.query("rollback").execute().await().atMost(TIMEOUT);
                } catch (RuntimeException ignored) {
                    // the connection's end rolls it back
                }
                throw e;
            }
            c.query("commit").execute().await().atMost(TIMEOUT);
            return result;
        } finally {
            c.close().await().atMost(TIMEOUT);
        }
    }

    private static final class Counts {
        int capturesExpired;
        long undoomed;
        long doomed;
        long locationsRemoved;
        int packsDeleted;
        int packsRepacked;
        long bytesFreed;
        final List<String> skipped = new ArrayList<>();
    }

    /**
     * Each destination opened once per run; one that cannot be opened is skipped for the run. Opened
     * without the storage layer's retry and backoff: the first failure skips the destination for the
     * run and the next run is the retry (what a run leaves is consistent at every step), so a
     * destination that cannot be reached costs a run one failed call, not seconds of backoff.
     */
    private final class Opener implements AutoCloseable {
        private final Map<UUID, BackupStorage> open = new LinkedHashMap<>();
        private final Map<UUID, String> failed = new LinkedHashMap<>();

        /** A destination that failed mid-run: skipped for the rest of this run, said in the report. */
        void unreachable(UUID destinationId, RuntimeException e, Counts n) {
            if (failed.putIfAbsent(destinationId, String.valueOf(e.getMessage())) == null) {
                n.skipped.add("destination " + destinationId + " failed during the run: " + e.getMessage());
                Log.warnf("Blob garbage collection: destination %s skipped for this run: %s", destinationId,
                        e.getMessage());
            }
        }

        BackupStorage open(UUID orgId, UUID destinationId, Counts n) {
            if (failed.containsKey(destinationId)) {
                return null;
            }
            BackupStorage s = open.get(destinationId);
            if (s != null) {
                return s;
            }
            Destinations.Opened d = destinations.open(orgId, destinationId, RetryPolicy.none());
            if (!d.ok()) {
                failed.put(destinationId, d.failure());
                n.skipped.add("destination " + destinationId + " could not be opened: " + d.failure());
                return null;
            }
            open.put(destinationId, d.storage());
            return d.storage();
        }

        @Override
        public void close() {
            for (BackupStorage s : open.values()) {
                try {
                    s.close();
                } catch (RuntimeException ignored) {
                    // best effort
                }
            }
        }
    }

    /**
     * The stored bytes of the given blobs of a pack, in order, adjacent ones read as one range;
     * fails if the pack ends early (a copy is never shorter than what it replaces).
     */
    static final class RangeStream extends InputStream {
        private final BackupStorage storage;
        private final String key;
        private final List<long[]> ranges = new ArrayList<>();
        private int next;
        private InputStream current;
        private long currentLeft;

        RangeStream(BackupStorage storage, String key, List<BlobLocation> blobs) {
            this.storage = storage;
            this.key = key;
            for (BlobLocation l : blobs) {
                long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
                if (last != null && last[0] + last[1] == l.offset()) {
                    last[1] += l.length();
                } else {
                    ranges.add(new long[] {l.offset(), l.length()});
                }
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                if (current == null) {
                    if (next == ranges.size()) {
                        return -1;
                    }
                    long[] r = ranges.get(next++);
                    current = storage.get(key, r[0], r[1]);
                    currentLeft = r[1];
                }
                if (currentLeft == 0) {
                    current.close();
                    current = null;
                    continue;
                }
                int n = current.read(b, off, (int) Math.min(len, currentLeft));
                if (n < 0) {
                    throw new IOException("pack " + key + " ends " + currentLeft + " bytes before a blob it holds");
                }
                currentLeft -= n;
                return n;
            }
        }

        @Override
        public void close() throws IOException {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
