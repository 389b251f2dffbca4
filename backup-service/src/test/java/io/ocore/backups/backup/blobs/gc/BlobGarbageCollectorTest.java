package io.ocore.backups.backup.blobs.gc;

import io.ocore.backups.platform.testing.fakes.DestinationStub;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.backup.EnvironmentPolicyResource;
import io.ocore.backups.backup.blobs.BlobStoreCatalogue;
import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.backupformat.blobs.BlobLayout;
import io.ocore.backups.platform.backupformat.blobs.BlobLocation;
import io.ocore.backups.platform.backupformat.blobs.BlobRefs;
import io.ocore.backups.platform.backupformat.blobs.FilestoreAssembler;
import io.ocore.backups.platform.backupformat.blobs.FilestoreIndex;
import io.ocore.backups.platform.backupformat.blobs.FilestoreWriter;
import io.ocore.backups.platform.backupformat.blobs.PackIndex;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.local.LocalConfig;
import io.ocore.backups.platform.storage.local.LocalStorage;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import io.ocore.backups.platform.storage.RetryPolicy;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The blob-store collector against real PostgreSQL and a local destination: blob-index backups are
 * built as the writer leaves them (packs and encrypted pack indexes stored, BlobStoreCatalogue
 * records, backup rows with their backup_blob_ref), then backups leave the catalogue and the
 * collector runs with instants standing for time passing.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class BlobGarbageCollectorTest {

    static final Duration T = Duration.ofSeconds(30);
    /** The AWS SDK's attempts for one S3 request with its default retry (1 + 3 retries). */
    static final int SDK_ATTEMPTS_PER_REQUEST = 4;

    @Inject
    Pool pool;

    @Inject
    BlobStoreCatalogue catalogue;

    @Inject
    BlobLocations locations;

    @Inject
    BlobGarbageCollector gc;

    final Random random = new Random(15);

    @AfterEach
    void clear() {
        GcFaults.clear();
    }

    /** One environment's blob store on one local destination. */
    final class Store {
        final UUID org = UUID.randomUUID();
        final UUID env = UUID.randomUUID();
        final UUID dest = UUID.randomUUID();
        final Path dir;
        final BlobKeys keys;
        /** blob id -> chunk */
        final Map<String, byte[]> chunks = new LinkedHashMap<>();

        Store() throws Exception {
            dir = Files.createTempDirectory("ocore-gc-");
            DestinationStub.register(org, dest, "Local", "local", Map.of("path", dir.toString()));
            sql("insert into environment (id, org_id, project_id, name, environment_type, db_host, db_port, db_name, "
                    + "db_user, db_password_sealed, filestore_path, config_path, created_at, updated_at) values "
                    + "($1, $2, $3, 'gc', 'production', '127.0.0.1', 5432, 'odoo', 'odoo', 'x', '/tmp/fs', '/tmp/c', "
                    + "now(), now())", Tuple.of(env, org, UUID.randomUUID()));
            keys = catalogue.keys(org, env);
        }

        String chunk(int size) {
            byte[] b = new byte[size];
            random.nextBytes(b);
            String id = keys.blobId(b, 0, b.length);
            chunks.put(id, b);
            return id;
        }

        /** Stores a pack of the given blobs (codec 0) and its index, and records it, as a writer does. */
        String pack(List<String> blobIds) throws Exception {
            String packId = BlobLayout.newPackId();
            ByteArrayOutputStream pack = new ByteArrayOutputStream();
            List<BlobLocation> located = new ArrayList<>();
            for (String id : blobIds) {
                byte[] raw = chunks.get(id);
                byte[] plain = new byte[raw.length + 1];
                System.arraycopy(raw, 0, plain, 1, raw.length);
                byte[] stored = keys.encryptBlob(id, plain);
                located.add(new BlobLocation(id, packId, pack.size(), stored.length, raw.length));
                pack.write(stored);
            }
            PackIndex index = new PackIndex(packId, located);
            write(BlobLayout.packKey(org, env, packId), pack.toByteArray());
            write(BlobLayout.packIndexKey(org, env, packId), keys.encryptPackIndex(packId, index.toJson()));
            catalogue.recordPack(dest, org, env, index, pack.size());
            return packId;
        }

        void write(String key, byte[] bytes) throws Exception {
            Path p = dir.resolve(key);
            Files.createDirectories(p.getParent());
            Files.write(p, bytes);
        }

        UUID lastBackup;

        void backupRefs(Set<String> blobIds) {
            lastBackup = backup(blobIds);
        }

        /** A completed backup row referencing {@code blobIds}. */
        UUID backup(Set<String> blobIds) {
            UUID id = UUID.randomUUID();
            sql("insert into backup (id, org_id, environment_id, backup_type, trigger, status, destination_ids, "
                    + "remote_paths, created_at, completed_at) values ($1, $2, $3, 'full', 'manual', 'completed', $4, "
                    + "$5, now(), now())", Tuple.of(id, org, env, "[\"" + dest + "\"]",
                    "{\"" + dest + "\":\"x\"}"));
            sql("insert into backup_blob_ref (backup_id, environment_id, blob_ids, blob_count) values ($1, $2, $3, $4)",
                    Tuple.of(id, env, io.vertx.core.buffer.Buffer.buffer(BlobRefs.encode(blobIds)),
                            blobIds.size()));
            return id;
        }

        /** A running backup (no blob references until it finishes). */
        UUID running() {
            UUID id = UUID.randomUUID();
            // held by a live worker elsewhere (its heartbeat is fresh for a day): the service's own
            // recovery of silent jobs must not fail it while the test runs
            sql("insert into backup (id, org_id, environment_id, backup_type, trigger, status, destination_ids, "
                    + "created_at, started_at, claimed_by, heartbeat_at) values ($1, $2, $3, 'full', 'manual', "
                    + "'in_progress', $4, now(), now(), 'gc-test-elsewhere', now() + interval '1 day')",
                    Tuple.of(id, org, env, "[\"" + dest + "\"]"));
            return id;
        }

        /** The backup leaves the catalogue (its row; its blob refs are left behind on purpose). */
        void forget(UUID backupId) {
            sql("delete from backup where id = $1", Tuple.of(backupId));
        }

        /**
         * Reads every blob a backup references from the destination as a reader would (every
         * catalogued location), checks its GCM tag and that it decodes to the chunk, and that its
         * pack's index, decrypted, lists it where the catalogue says.
         */
        void assertRestorable(Set<String> blobIds) throws Exception {
            Map<String, BlobLocation> where = locations.all(dest, env);
            for (String id : blobIds) {
                BlobLocation l = where.get(id);
                assertThat(l).as("location of blob %s", id).isNotNull();
                byte[] pack = Files.readAllBytes(dir.resolve(BlobLayout.packKey(org, env, l.packId())));
                byte[] stored = java.util.Arrays.copyOfRange(pack, (int) l.offset(), (int) l.offset() + l.length());
                byte[] plain = keys.decryptBlob(id, stored);
                assertThat(plain[0]).isZero();
                assertThat(java.util.Arrays.copyOfRange(plain, 1, plain.length)).isEqualTo(chunks.get(id));
                PackIndex index = PackIndex.fromJson(keys.decryptPackIndex(l.packId(),
                        Files.readAllBytes(dir.resolve(BlobLayout.packIndexKey(org, env, l.packId())))));
                assertThat(index.blobs()).contains(l);
            }
        }

        /** Blob id -> doomed (true) or live (false), as catalogued. */
        Map<String, Boolean> catalogued() {
            Map<String, Boolean> out = new LinkedHashMap<>();
            for (Row r : rows("select blob_id, doomed_at from blob_location where environment_id = $1",
                    Tuple.of(env))) {
                out.put(r.getString("blob_id"), r.getValue("doomed_at") != null);
            }
            return out;
        }

        /** Packs by state. */
        Map<String, String> packs() {
            Map<String, String> out = new LinkedHashMap<>();
            for (Row r : rows("select pack_id, state from blob_pack where environment_id = $1", Tuple.of(env))) {
                out.put(r.getString("pack_id"), r.getString("state"));
            }
            return out;
        }

        /** Objects under the environment's blobs/ folder. */
        Set<String> objects() throws Exception {
            Path root = dir.resolve(BlobLayout.blobsDir(org, env));
            if (!Files.exists(root)) {
                return Set.of();
            }
            try (Stream<Path> s = Files.walk(root)) {
                return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                        .collect(Collectors.toCollection(TreeSet::new));
            }
        }

        /** Consistent: nothing deleting, and the objects are exactly the live packs and their indexes. */
        void assertConsistent() throws Exception {
            Map<String, String> packs = packs();
            assertThat(packs.values()).as("pack states").allMatch("live"::equals);
            Set<String> expected = new TreeSet<>();
            for (String p : packs.keySet()) {
                expected.add(BlobLayout.packKey(org, env, p));
                expected.add(BlobLayout.packIndexKey(org, env, p));
            }
            assertThat(objects()).as("objects on the destination").isEqualTo(expected);
        }
    }

    void sql(String sql, Tuple args) {
        pool.preparedQuery(sql).execute(args).await().atMost(T);
    }

    io.vertx.mutiny.sqlclient.RowSet<Row> rows(String sql, Tuple args) {
        return pool.preparedQuery(sql).execute(args).await().atMost(T);
    }

    Instant afterGrace(Instant marked) {
        return marked.plus(gc.grace()).plusSeconds(1);
    }

    @Test
    void theGraceIsNeverShorterThanABackupMayRun() {
        assertThat(gc.grace()).isGreaterThanOrEqualTo(Duration.ofHours(24));
    }

    @Test
    void aDeletedBackupsBlobsAreDoomedThenSweptAfterTheGraceAndRetainedOnesAreNeverTouched() throws Exception {
        Store s = new Store();
        String shared = s.chunk(3000);
        Set<String> keptOnly = Set.of(s.chunk(5000), s.chunk(70_000));
        Set<String> goneOnly = Set.of(s.chunk(9000), s.chunk(100_000));
        Set<String> kept = new TreeSet<>(keptOnly);
        kept.add(shared);
        Set<String> gone = new TreeSet<>(goneOnly);
        gone.add(shared);
        String keptPack = s.pack(List.copyOf(kept));
        String gonePack = s.pack(List.copyOf(goneOnly));
        UUID retained = s.backup(kept);
        UUID deleted = s.backup(gone);
        s.forget(deleted);

        Instant t0 = Instant.now();
        BlobGarbageCollector.Report mark = gc.run(t0);
        assertThat(mark.doomed()).isGreaterThanOrEqualTo(2);
        Map<String, Boolean> doomed = s.catalogued();
        for (String id : goneOnly) {
            assertThat(doomed.get(id)).as("doomed %s", id).isTrue();
        }
        for (String id : kept) {
            assertThat(doomed.get(id)).as("live %s", id).isFalse();
        }
        // a writer no longer sees the doomed blobs (it uploads them again if it needs them)
        assertThat(catalogue.liveLocations(s.dest, s.env).keySet()).isEqualTo(kept);

        // within the grace nothing is deleted
        gc.run(t0.plus(gc.grace()).minusSeconds(60));
        assertThat(s.packs()).containsOnlyKeys(keptPack, gonePack);
        assertThat(s.objects()).hasSize(4);

        BlobGarbageCollector.Report sweep = gc.run(afterGrace(t0));
        assertThat(sweep.packsDeleted()).isGreaterThanOrEqualTo(1);
        assertThat(s.packs()).containsOnlyKeys(keptPack);
        assertThat(s.catalogued().keySet()).isEqualTo(kept);
        s.assertConsistent();
        s.assertRestorable(kept);
        assertThat(retained).isNotNull();
    }

    @Test
    void aDestinationThatFailsDuringTheRunIsSkippedAndTheOthersAreStillCollected() throws Exception {
        Store broken = new Store();
        broken.pack(List.of(broken.chunk(4000)));
        broken.forget(broken.backup(broken.chunks.keySet()));
        Store ok = new Store();
        ok.pack(List.of(ok.chunk(5000)));
        ok.forget(ok.backup(ok.chunks.keySet()));
        // the first one's destination now answers nothing (opened lazily: it fails at the first request):
        // a server that closes every connection it accepts, counting them
        AtomicInteger connections = new AtomicInteger();
        BlobGarbageCollector.Report sweep;
        try (ServerSocket dead = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!dead.isClosed()) {
                    try (Socket c = dead.accept()) {
                        connections.incrementAndGet();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            DestinationStub.register(broken.org, broken.dest, "S3", "s3", Map.of("bucket", "gone",
                    "region", "us-east-1", "accessKeyId", "k", "secretAccessKey", "s",
                    "endpoint", "http://127.0.0.1:" + dead.getLocalPort()));

            Instant t0 = Instant.now();
            gc.run(t0);
            sweep = gc.run(afterGrace(t0));
        }

        assertThat(sweep.skipped()).anyMatch(x -> x.contains(broken.dest.toString()));
        // skipped at its first failed request (the next run is the retry), not retried with backoff
        // as a backup's storage calls are: a dead destination costs each run one request, i.e. the
        // S3 SDK's own attempts for it (1 + 3 retries by default), never that times the storage
        // layer's RetryPolicy.defaults() attempts (16 connections before)
        assertThat(connections.get()).as("connections to the dead destination in one sweep")
                .isPositive().isLessThanOrEqualTo(SDK_ATTEMPTS_PER_REQUEST)
                .isLessThan(SDK_ATTEMPTS_PER_REQUEST * RetryPolicy.defaults().maxAttempts());
        assertThat(ok.packs()).isEmpty();
        ok.assertConsistent();
        assertThat(broken.objects()).isNotEmpty(); // nothing lost: retried by a later run
    }

    @Test
    void aMostlyGarbagePackIsRepackedAndEveryRetainedBackupStaysReadable() throws Exception {
        Store s = new Store();
        String small = s.chunk(2000);
        String small2 = s.chunk(3000);
        List<String> big = List.of(s.chunk(200_000), s.chunk(150_000), s.chunk(180_000));
        List<String> order = List.of(big.get(0), small, big.get(1), small2, big.get(2));
        String mixed = s.pack(order);
        Set<String> kept = Set.of(small, small2);
        s.backup(kept);
        UUID deleted = s.backup(new TreeSet<>(order));
        s.forget(deleted);
        long oldSize = rows("select size_bytes from blob_pack where pack_id = $1", Tuple.of(mixed)).iterator().next()
                .getLong("size_bytes");

        Instant t0 = Instant.now();
        gc.run(t0);
        BlobGarbageCollector.Report sweep = gc.run(afterGrace(t0));
        assertThat(sweep.packsRepacked()).isGreaterThanOrEqualTo(1);
        assertThat(s.packs()).doesNotContainKey(mixed).hasSize(1);
        String fresh = s.packs().keySet().iterator().next();
        Row row = rows("select size_bytes, blob_count from blob_pack where pack_id = $1", Tuple.of(fresh)).iterator()
                .next();
        assertThat(row.getInteger("blob_count")).isEqualTo(2);
        assertThat(row.getLong("size_bytes")).isLessThan(oldSize / 10);
        assertThat(Files.size(s.dir.resolve(BlobLayout.packKey(s.org, s.env, fresh))))
                .isEqualTo(row.getLong("size_bytes"));
        assertThat(s.catalogued()).containsOnlyKeys(small, small2);
        s.assertConsistent();
        s.assertRestorable(kept);
    }

    /** Writes {@code dir} into the store with the format library's writer, as a backup does; answers its index. */
    FilestoreIndex.Contents writeBackup(Store s, Path dir) throws Exception {
        BackupStorage storage = new LocalStorage(new LocalConfig(s.dir.toRealPath()));
        ByteArrayOutputStream index = new ByteArrayOutputStream();
        FilestoreWriter.Result r = new FilestoreWriter(s.keys, s.org, s.env, new FilestoreWriter.Options(
                64 * 1024, BlobLayout.PACK_TARGET_BYTES, Duration.ofMinutes(1)))
                .write(dir, List.of(new FilestoreWriter.Destination(s.dest, storage)),
                        catalogue.forBackup(s.org, s.env, List.of(s.dest)), Map.of(), index, null, n -> {
                        });
        assertThat(r.failures()).isEmpty();
        FilestoreIndex.Contents contents = FilestoreIndex.read(new java.io.ByteArrayInputStream(index.toByteArray()));
        Set<String> ids = new TreeSet<>();
        contents.entries().forEach(e -> ids.addAll(e.blobs()));
        s.backupRefs(ids);
        return contents;
    }

    /** Assembles the backup from the destination (every catalogued location) and compares it with its source. */
    void assertAssemblesTo(Store s, FilestoreIndex.Contents contents, Path source) throws Exception {
        Path target = Files.createTempDirectory("ocore-gc-out-").resolve("fs");
        Map<String, BlobLocation> where = locations.all(s.dest, s.env);
        new FilestoreAssembler(s.keys, s.org, s.env, new LocalStorage(new LocalConfig(s.dir.toRealPath())), where::get)
                .extract(contents.entries(), target, n -> {
                });
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(target.resolve(source.relativize(f).toString())).as(f.toString())
                        .hasSameBinaryContentAs(f);
            }
        }
    }

    @Test
    void aRepackKeepsARetainedBackupWrittenByTheFilestoreWriterAssemblable() throws Exception {
        Store s = new Store();
        Path both = Files.createTempDirectory("ocore-gc-src-");
        Files.createDirectories(both.resolve("ab"));
        byte[] small = new byte[20_000];
        random.nextBytes(small);
        Files.write(both.resolve("ab/small"), small);
        for (int i = 0; i < 3; i++) {
            byte[] big = new byte[300_000];
            random.nextBytes(big);
            Files.write(both.resolve("ab/big" + i), big);
        }
        Path kept = Files.createTempDirectory("ocore-gc-src-");
        Files.createDirectories(kept.resolve("ab"));
        Files.write(kept.resolve("ab/small"), small);

        // the backup to be deleted packs everything; the retained one only references the small file
        FilestoreIndex.Contents gone = writeBackup(s, both);
        UUID goneId = s.lastBackup;
        FilestoreIndex.Contents retained = writeBackup(s, kept);
        assertThat(s.packs()).hasSize(1);
        s.forget(goneId);

        Instant t0 = Instant.now();
        gc.run(t0);
        gc.run(afterGrace(t0));
        assertThat(s.packs()).hasSize(1);
        s.assertConsistent();
        assertAssemblesTo(s, retained, kept);
        // the repacked pack holds the retained blobs only
        long packBytes = Files.size(s.dir.resolve(BlobLayout.packKey(s.org, s.env, s.packs().keySet().iterator()
                .next())));
        assertThat(packBytes).isLessThan(100_000);
        assertThat(gone.entries()).isNotEmpty();
    }

    @Test
    void aDoomedBlobReferencedAgainBeforeTheSweepIsUndoomedAndKept() throws Exception {
        Store s = new Store();
        Set<String> blobs = Set.of(s.chunk(4000), s.chunk(8000));
        String pack = s.pack(List.copyOf(blobs));
        s.forget(s.backup(blobs));

        Instant t0 = Instant.now();
        gc.run(t0);
        assertThat(s.catalogued().values()).containsOnly(true);
        // a backup that chose those blobs before they were doomed finishes within the grace
        s.backup(blobs);
        BlobGarbageCollector.Report sweep = gc.run(afterGrace(t0));
        assertThat(sweep.undoomed()).isGreaterThanOrEqualTo(2);
        assertThat(s.catalogued()).containsOnlyKeys(blobs.toArray(String[]::new)).doesNotContainValue(true);
        assertThat(s.packs()).containsOnlyKeys(pack);
        s.assertConsistent();
        s.assertRestorable(blobs);
    }

    @Test
    void nothingIsDoomedWhileABackupOfTheEnvironmentRuns() throws Exception {
        Store s = new Store();
        // a running backup's new pack: its blobs are referenced only once it finishes
        Set<String> fresh = Set.of(s.chunk(6000), s.chunk(7000));
        s.pack(List.copyOf(fresh));
        UUID running = s.running();
        Instant t0 = Instant.now();
        gc.run(t0);
        assertThat(s.catalogued().values()).containsOnly(false);
        gc.run(afterGrace(t0));
        s.assertRestorable(fresh);

        // it failed and referenced nothing: now they are garbage
        sql("update backup set status = 'failed' where id = $1", Tuple.of(running));
        Instant t1 = Instant.now();
        gc.run(t1);
        assertThat(s.catalogued().values()).containsOnly(true);
        gc.run(afterGrace(t1));
        assertThat(s.catalogued()).isEmpty();
        s.assertConsistent();
        assertThat(s.packs()).isEmpty();
    }

    @Test
    void aCrashAtEachStepThenARerunEndsConsistent() throws Exception {
        for (String point : GcFaults.POINTS) {
            Store s = new Store();
            Set<String> kept = Set.of(s.chunk(1000), s.chunk(1500));
            List<String> garbage = List.of(s.chunk(120_000), s.chunk(90_000));
            String onlyGarbage = s.chunk(50_000);
            List<String> mixed = new ArrayList<>(garbage);
            mixed.addAll(kept);
            s.pack(mixed);
            s.pack(List.of(onlyGarbage));
            s.backup(kept);
            Set<String> all = new TreeSet<>(mixed);
            all.add(onlyGarbage);
            s.forget(s.backup(all));

            Instant t0 = Instant.now();
            GcFaults.crashAt(point, s.env);
            Instant later = afterGrace(t0);
            Throwable crash = null;
            try {
                gc.run(t0);
                gc.run(later);
            } catch (GcFaults.SimulatedCrash e) {
                crash = e;
            }
            assertThat(crash).as("crash at %s", point).isNotNull().hasMessageContaining(point);
            // whatever the crash left, every retained blob is still readable
            s.assertRestorable(kept);

            gc.run(point.equals("mark.done") ? t0 : later);
            gc.run(later);
            s.assertConsistent();
            s.assertRestorable(kept);
            assertThat(s.catalogued()).as("after a crash at %s", point).containsOnlyKeys(kept.toArray(String[]::new));
            assertThat(s.packs()).as("after a crash at %s", point).hasSize(1);
        }
    }

    @Test
    void oneReplicaAtATime() {
        SqlConnection other = pool.getConnection().await().atMost(T);
        try {
            other.query("begin").execute().await().atMost(T);
            other.preparedQuery("select pg_advisory_xact_lock($1)").execute(Tuple.of(BlobGarbageCollector.LOCK_KEY))
                    .await().atMost(T);
            assertThat(gc.run(Instant.now())).as("skipped while another replica collects").isNull();
            other.query("rollback").execute().await().atMost(T);
            assertThat(gc.run(Instant.now())).isNotNull();
        } finally {
            other.close().await().atMost(T);
        }
    }
}
