package io.ocore.backups.backup.blobs.capture;

import com.fasterxml.jackson.core.type.TypeReference;
import com.github.luben.zstd.Zstd;
import io.ocore.backups.backup.backup.Json;
import io.ocore.backups.backup.blobs.BlobStoreCatalogue;
import io.ocore.backups.backup.config.BackupConfig;
import io.ocore.backups.platform.backupformat.TarArchives;
import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.backupformat.blobs.BlobLayout;
import io.ocore.backups.platform.backupformat.blobs.BlobRefs;
import io.ocore.backups.platform.backupformat.blobs.FilestoreCapture;
import io.ocore.backups.platform.backupformat.blobs.FilestoreIndex;
import io.ocore.backups.platform.backupformat.blobs.FilestoreWriter;
import io.ocore.backups.platform.destinations.Destinations;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.security.confinement.EnvironmentConfinement;
import io.ocore.backups.platform.security.confinement.EnvironmentConfinement.Area;
import io.ocore.backups.platform.storage.BackupStorage;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The continuous capture of the filestore (docs/backups.md "Continuous filestore capture"): every
 * {@code ocore.backup.capture.interval}, for each environment whose schedule archives WAL and that
 * has a blob store (a completed blob-store full backup), walks its filestore with the change cache
 * of the last walk ({@link FilestoreWriter}: unchanged files are not read, blobs a destination
 * holds are not uploaded), uploads the blobs of new or changed files to every destination of the
 * schedule and, when something new was seen, writes a capture object ({@link FilestoreCapture})
 * on each destination that took the blobs and a {@code filestore_capture} row. One replica
 * captures an environment at a time: a transaction-scoped PostgreSQL advisory lock per
 * environment, as the collector's; a replica finding it taken skips that environment for the tick.
 * Blocking: its own thread.
 */
@ApplicationScoped
public class FilestoreCapturer {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    /** What one environment's capture did: the capture's name (null: nothing new) and its files. */
    public record Outcome(UUID environmentId, String name, int files, List<UUID> destinations, String skipped) {
    }

    private record Candidate(UUID environmentId, UUID orgId, List<UUID> destinations, String filestorePath) {
    }

    private final Pool pool;
    private final Destinations destinations;
    private final BlobStoreCatalogue catalogue;
    private final EnvelopeCipher cipher;
    private final EnvironmentConfinement confinement;
    private final BackupConfig config;
    private final boolean enabled;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "filestore-capture");
        t.setDaemon(true);
        return t;
    });

    public FilestoreCapturer(Pool pool, Destinations destinations, BlobStoreCatalogue catalogue, EnvelopeCipher cipher,
            EnvironmentConfinement confinement, BackupConfig config,
            @ConfigProperty(name = "ocore.backup.capture.enabled", defaultValue = "true") boolean enabled) {
        this.pool = pool;
        this.destinations = destinations;
        this.catalogue = catalogue;
        this.cipher = cipher;
        this.confinement = confinement;
        this.config = config;
        this.enabled = enabled;
    }

    void onStop(@Observes ShutdownEvent ev) {
        thread.shutdownNow();
    }

    @Scheduled(every = "${ocore.backup.capture.interval:20s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void tick() {
        if (!enabled || !running.compareAndSet(false, true)) {
            return;
        }
        thread.execute(() -> {
            try {
                captureAll();
            } catch (RuntimeException e) {
                Log.warnf("Filestore capture stopped: %s", e.getMessage());
            } finally {
                running.set(false);
            }
        });
    }

    /** One capture of every environment that has one (WAL on, a blob store). */
    public List<Outcome> captureAll() {
        List<Candidate> candidates = new ArrayList<>();
        for (Row r : pool.preparedQuery("""
                select s.environment_id, s.org_id, s.destination_ids, e.filestore_path
                from schedule_destinations s
                join environment e on e.id = s.environment_id
                where s.wal_enabled
                  and exists (select 1 from blob_store_key k where k.environment_id = s.environment_id)
                  and exists (select 1 from backup b join backup_blob_ref r on r.backup_id = b.id
                              where b.environment_id = s.environment_id and b.status = 'completed')
                order by s.environment_id""").execute().await().atMost(TIMEOUT)) {
            candidates.add(new Candidate(r.getUUID("environment_id"), r.getUUID("org_id"),
                    Json.read(r.getString("destination_ids"), new TypeReference<List<UUID>>() {
                    }), r.getString("filestore_path")));
        }
        List<Outcome> out = new ArrayList<>();
        for (Candidate c : candidates) {
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            try {
                out.add(locked(c));
            } catch (RuntimeException | IOException e) {
                Log.warnf("Filestore capture of environment %s failed: %s", c.environmentId(), e.getMessage());
                out.add(new Outcome(c.environmentId(), null, 0, List.of(), "failed: " + e.getMessage()));
            }
        }
        return out;
    }

    /** The environment's capture under its advisory lock (held by a transaction on its own connection). */
    private Outcome locked(Candidate c) throws IOException {
        SqlConnection lock = pool.getConnection().await().atMost(TIMEOUT);
        try {
            lock.query("begin").execute().await().atMost(TIMEOUT);
            boolean got = lock.preparedQuery("select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as got")
                    .execute(Tuple.of("ocore-capture:" + c.environmentId())).await().atMost(TIMEOUT).iterator().next()
                    .getBoolean("got");
            if (!got) {
                return new Outcome(c.environmentId(), null, 0, List.of(), "another replica is capturing it");
            }
            return capture(c);
        } finally {
            try {
                lock.query("rollback").execute().await().atMost(TIMEOUT);
            } catch (RuntimeException e) {
                Log.debugf("Rolling back the capture's lock failed: %s", e.getMessage());
            }
            lock.close().await().atMost(TIMEOUT);
        }
    }

    private Outcome capture(Candidate c) throws IOException {
        // the same confinement as a backup's: the operator's filestore roots, resolved once
        Path dir = confinement.confine(Area.FILESTORE, Path.of(c.filestorePath()));
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return new Outcome(c.environmentId(), null, 0, List.of(), "the filestore directory does not exist");
        }
        Map<UUID, BackupStorage> open = new LinkedHashMap<>();
        try {
            for (UUID d : c.destinations()) {
                Destinations.Opened o = destinations.open(c.orgId(), d);
                if (o.ok()) {
                    open.put(d, o.storage());
                } else {
                    Log.infof("Filestore capture of %s: destination %s skipped: %s", c.environmentId(), d, o.failure());
                }
            }
            if (open.isEmpty()) {
                return new Outcome(c.environmentId(), null, 0, List.of(), "no destination could be opened");
            }
            State before = state(c, open);
            BlobKeys keys = catalogue.keys(c.orgId(), c.environmentId());
            Instant capturedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            List<FilestoreWriter.Destination> to = new ArrayList<>();
            open.forEach((id, st) -> to.add(new FilestoreWriter.Destination(id, st)));
            ByteArrayOutputStream index = new ByteArrayOutputStream();
            FilestoreWriter.Result r = new FilestoreWriter(keys, c.orgId(), c.environmentId(),
                    new FilestoreWriter.Options(BlobLayout.CHUNK_BYTES, BlobLayout.PACK_TARGET_BYTES,
                            config.uploadStallAfter()))
                    .write(dir, to, catalogue.forBackup(c.orgId(), c.environmentId(), open.keySet()), before.entries(),
                            index, TarArchives.ReadHook.NONE, null);
            FilestoreIndex.Contents now = FilestoreIndex.read(new ByteArrayInputStream(index.toByteArray()));
            List<FilestoreIndex.Entry> seen = FilestoreCapture.changed(before.entries(), now.entries());
            List<UUID> ok = new ArrayList<>();
            for (UUID d : open.keySet()) {
                Throwable f = r.failures().get(d);
                if (f == null) {
                    ok.add(d);
                } else {
                    Log.warnf("Filestore capture of %s: destination %s failed: %s", c.environmentId(), d,
                            f.getMessage());
                }
            }
            if (ok.isEmpty()) {
                // nothing recorded: the next walk sees the same files as new again
                return new Outcome(c.environmentId(), null, 0, List.of(), "every destination failed");
            }
            String name = null;
            List<UUID> stored = new ArrayList<>();
            if (!seen.isEmpty()) {
                name = BlobLayout.newCaptureName(capturedAt);
                List<FilestoreCapture.Seen> files = seen.stream()
                        .map(e -> new FilestoreCapture.Seen(e, capturedAt)).toList();
                byte[] object = FilestoreCapture.encrypt(keys, name, capturedAt, now.chunkBytes(), files);
                String key = BlobLayout.captureKey(c.orgId(), c.environmentId(), name);
                for (UUID d : ok) {
                    try {
                        open.get(d).put(key, new ByteArrayInputStream(object));
                        stored.add(d);
                    } catch (RuntimeException e) {
                        Log.warnf("Filestore capture of %s: its capture object could not be stored on %s: %s",
                                c.environmentId(), d, e.getMessage());
                    }
                }
                if (stored.isEmpty()) {
                    return new Outcome(c.environmentId(), null, 0, List.of(), "the capture object was stored nowhere");
                }
                Set<String> blobs = new HashSet<>();
                long raw = 0;
                for (FilestoreIndex.Entry e : seen) {
                    blobs.addAll(e.blobs());
                    raw += e.size();
                }
                pool.preparedQuery("insert into filestore_capture (id, org_id, environment_id, name, captured_at, "
                        + "destination_ids, file_count, raw_bytes, blob_ids, blob_count) "
                        + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                        .execute(Tuple.tuple(List.of(UUID.randomUUID(), c.orgId(), c.environmentId(), name,
                                OffsetDateTime.ofInstant(capturedAt, ZoneOffset.UTC), Json.write(stored), seen.size(),
                                raw, io.vertx.core.buffer.Buffer.buffer(BlobRefs.encode(blobs)), blobs.size())))
                        .await().atMost(TIMEOUT);
                Log.infof("Filestore capture of %s: %d new file(s) (%d bytes) captured as %s on %d destination(s)",
                        c.environmentId(), seen.size(), raw, name, stored.size());
            }
            byte[] walked = index.toByteArray();
            if (!java.util.Arrays.equals(walked, before.plain())) {
                saveState(c.environmentId(), walked, capturedAt);
            }
            return new Outcome(c.environmentId(), name, seen.size(), stored, null);
        } finally {
            for (BackupStorage s : open.values()) {
                try {
                    s.close();
                } catch (RuntimeException ignored) {
                    // best effort
                }
            }
        }
    }

    /** The change cache: the last walk's index, or the newest blob-store backup's, or none. */
    private record State(Map<String, FilestoreIndex.Entry> entries, byte[] plain) {
    }

    private static String context(UUID environmentId) {
        return "filestore-capture-state:" + environmentId;
    }

    private State state(Candidate c, Map<UUID, BackupStorage> open) {
        for (Row r : pool.preparedQuery("select state_sealed from filestore_capture_state where environment_id = $1")
                .execute(Tuple.of(c.environmentId())).await().atMost(TIMEOUT)) {
            try {
                byte[] packed = cipher.open(r.getString("state_sealed"), context(c.environmentId()));
                byte[] plain = Zstd.decompress(packed, (int) Zstd.getFrameContentSize(packed));
                return new State(FilestoreIndex.read(new ByteArrayInputStream(plain)).byPath(), plain);
            } catch (RuntimeException | IOException e) {
                Log.infof("Filestore capture of %s: the last walk's state could not be read (%s); starting from the"
                        + " newest backup's index", c.environmentId(), e.getMessage());
            }
        }
        var prev = catalogue.previousBackup(c.environmentId(), new UUID(0, 0));
        if (prev.isPresent()) {
            for (UUID d : prev.get().destinations()) {
                BackupStorage st = open.get(d);
                if (st == null) {
                    continue;
                }
                try {
                    return new State(catalogue.readBackupIndex(st, c.orgId(), c.environmentId(),
                            prev.get().backupId()), new byte[0]);
                } catch (IOException | RuntimeException e) {
                    Log.infof("Filestore capture of %s: backup %s's index could not be read on %s: %s",
                            c.environmentId(), prev.get().backupId(), d, e.getMessage());
                }
            }
        }
        return new State(Map.of(), new byte[0]);
    }

    private void saveState(UUID environmentId, byte[] plain, Instant at) {
        String sealed = cipher.seal(Zstd.compress(plain, 3), context(environmentId));
        pool.preparedQuery("insert into filestore_capture_state (environment_id, state_sealed, walked_at) "
                + "values ($1, $2, $3) on conflict (environment_id) do update set state_sealed = excluded.state_sealed, "
                + "walked_at = excluded.walked_at")
                .execute(Tuple.of(environmentId, sealed, OffsetDateTime.ofInstant(at, ZoneOffset.UTC)))
                .await().atMost(TIMEOUT);
    }
}
