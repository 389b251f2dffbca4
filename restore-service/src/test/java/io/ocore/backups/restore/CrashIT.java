package io.ocore.backups.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.storage.local.LocalConfig;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.local.LocalStorage;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaBroker;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.postgres.PostgresCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged restore-service as a real process, killed with SIGKILL in the middle of restores of
 * a real backup onto its own (production) environment: once while pg_restore fills the fresh
 * database, once while the filestore is unpacked beside the target's, once inside the swap (the
 * target's database set aside, the restored one not yet in its place). After each restart the
 * restore is failed as interrupted, its temporary database and directory are gone and the target
 * is exactly as it was; then the same backup, undisturbed, restores completely.
 *
 * <p>To land each kill inside its step however slow the machine, the destination stalls: the
 * object being downloaded is a FIFO that delivers its stored bytes up to a point and holds the rest
 * back (a destination that stops sending mid-download). The service itself has no test hook here.
 */
class CrashIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The throwaway master key of the tests (application.properties' %test profile). */
    static final String MASTER_KEY = "dGVzdC1vbmx5LW1hc3Rlci1rZXktMzItYnl0ZXMhISE=";
    /** Generous: a loaded 2-core machine; every wait polls and returns as soon as it can. */
    static final Duration DEADLINE = Duration.ofSeconds(120);
    /** Held back from a stalled object: more than a cipher segment (1 MiB), so its end never arrives. */
    static final int TAIL = (1 << 20) + (512 << 10);

    static final UUID ORG = UUID.randomUUID();
    static final UUID PROJECT = UUID.randomUUID();
    static final UUID DEST = UUID.randomUUID();

    static PostgresCluster cluster;
    static String serviceDb;
    static InternalStub stub;
    static Map<String, String> stubProps;
    static String kafkaBootstrap;
    static KafkaTestClient kafka;
    static Path publicKey;
    static Path destDir;
    static OdooWorld.Env env;
    static OdooWorld.Backup backup;
    static Process app;
    static int port;
    static int managementPort;
    static int starts;
    static final List<ProcessHandle> orphans = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = OdooWorld.cluster();
        serviceDb = cluster.createDatabase("crashit_service");
        stub = new InternalStub();
        stubProps = stub.start();
        kafkaBootstrap = KafkaBroker.shared();
        kafka = new KafkaTestClient(kafkaBootstrap);
        publicKey = OdooWorld.root.resolve("jwt-public.pem");
        try (InputStream in = CrashIT.class.getClassLoader().getResourceAsStream(TestTokens.PUBLIC_KEY_LOCATION)) {
            Files.write(publicKey, in.readAllBytes());
        }
        destDir = Files.createDirectories(OdooWorld.root.resolve("destination"));
        InternalStub.destination(ORG, DEST, "Local disk", "local", Map.of("path", destDir.toString()));

        env = OdooWorld.environment(ORG, PROJECT, "odoo_crash", "production", 71L);
        // Incompressible ballast, so that the database and filestore components are several cipher
        // segments long: a stalled download then leaves pg_restore / the unpacking mid-way.
        cluster.execute(env.db(), """
                create table crash_ballast (id int primary key, data bytea);
                insert into crash_ballast
                select g, (select decode(string_agg(md5(random()::text || g || s), ''), 'hex')
                           from generate_series(1, 4096) s)
                from generate_series(1, 64) g""");
        Path ballast = Files.createDirectories(env.filestore().resolve("ff"));
        byte[] chunk = new byte[1 << 20];
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 8; i++) {
            random.nextBytes(chunk);
            Files.write(ballast.resolve(String.format("ff%038x", i)), chunk);
        }
        EnvelopeCipher cipher = new EnvelopeCipher("k1", Map.of("k1", MASTER_KEY));
        backup = OdooWorld.backup(cipher, env, Map.of(DEST, new LocalStorage(new LocalConfig(destDir))));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (app != null) {
                orphans.addAll(app.descendants().toList());
                app.destroyForcibly();
                app.waitFor(30, TimeUnit.SECONDS);
                app = null;
            }
        } finally {
            orphans.forEach(ProcessHandle::destroyForcibly);
            if (kafka != null) {
                kafka.close();
            }
            if (stub != null) {
                stub.stop();
            }
        }
    }

    @Test
    void aRestoreKilledMidwayIsFailedAsInterruptedAndLeavesTheTargetAsItWas() throws Exception {
        Map<String, String> atBackup = OdooWorld.fingerprint(env);
        // the environment moved on since the backup: that state is what a failed restore must keep
        cluster.execute(env.db(), "delete from sale_order where id % 2 = 0");
        cluster.execute(env.db(), "update res_partner set name = 'changed after the backup' where id < 25");
        Files.writeString(env.filestore().resolve("zz-added-after-the-backup"), "kept by a failed restore");
        Map<String, String> before = OdooWorld.fingerprint(env);
        assertThat(before).isNotEqualTo(atBackup);
        Path dbObject = destDir.resolve(BackupLayout.componentKey(ORG, env.id(), backup.id(), ComponentName.database));
        Path fsObject = destDir.resolve(BackupLayout.componentKey(ORG, env.id(), backup.id(), ComponentName.filestore));

        // 1. killed while pg_restore fills the fresh database
        startApp();
        String first;
        String firstDb;
        try (StalledObject stalled = new StalledObject(dbObject, TAIL)) {
            first = startRestore();
            answerSnapshot(first);
            firstDb = env.db() + "_restore_" + first.substring(0, 8);
            await("restore " + first + " restoring into " + firstDb).atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                    .until(() -> "restore_database".equals(step(first)) && (tablesIn(firstDb) > 0
                            || Files.exists(archive(first)))); // streamed into pg_restore, or written for --jobs
            kill();
            assertThat(databaseExists(firstDb)).as("the kill left the fresh database behind").isTrue();
            assertThat(OdooWorld.fingerprint(env)).as("the target right after the kill").isEqualTo(before);
        }
        startApp();
        JsonNode failed = awaitEnd(first);
        assertThat(failed.path("status").asText()).as(failed.toString()).isEqualTo("failed");
        assertThat(failed.path("error").asText())
                .isEqualTo("interrupted: the restore service stopped during restore_database");
        assertThat(OdooWorld.fingerprint(env)).isEqualTo(before);
        assertThat(databaseExists(firstDb)).as(firstDb).isFalse();
        assertThat(archive(first)).as("the decrypted database archive").doesNotExist();
        assertThat(OdooWorld.leftovers()).isEmpty();
        assertThat(step(logs(first), "restore_database").path("status").asText()).isEqualTo("failed");
        assertThat(kafka.awaitRecord(Topics.RESTORE, r -> r.data().contains(first), DEADLINE).type())
                .isEqualTo(EventTypes.typeOf(Events.RestoreFailed.class));

        // 2. killed while the filestore is unpacked beside the target's
        String second;
        String secondDb;
        Path secondFs;
        try (StalledObject stalled = new StalledObject(fsObject, TAIL)) {
            second = startRestore();
            answerSnapshot(second);
            secondDb = env.db() + "_restore_" + second.substring(0, 8);
            secondFs = Path.of(env.filestore() + ".restore-" + second.substring(0, 8));
            await("restore " + second + " unpacking into " + secondFs).atMost(DEADLINE)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> "restore_filestore".equals(step(second)) && !filesUnder(secondFs).isEmpty());
            kill();
            assertThat(databaseExists(secondDb)).as("the kill left the fresh database behind").isTrue();
            assertThat(filesUnder(secondFs)).as("the kill left the half-unpacked filestore behind").isNotEmpty();
            assertThat(OdooWorld.fingerprint(env)).as("the target right after the kill").isEqualTo(before);
        }
        startApp();
        failed = awaitEnd(second);
        assertThat(failed.path("status").asText()).as(failed.toString()).isEqualTo("failed");
        assertThat(failed.path("error").asText())
                .isEqualTo("interrupted: the restore service stopped during restore_filestore");
        assertThat(OdooWorld.fingerprint(env)).isEqualTo(before);
        assertThat(databaseExists(secondDb)).as(secondDb).isFalse();
        assertThat(secondFs).doesNotExist();
        assertThat(OdooWorld.leftovers()).isEmpty();
        assertThat(step(logs(second), "restore_filestore").path("status").asText()).isEqualTo("failed");

        // 3. killed inside the swap: the target's database already set aside under its pre-restore
        // name, the restored one not yet renamed into its place, so the environment has no database
        // under its name at that moment. The rename is held back by a lock on the fresh database
        // (what any session's COMMENT ON DATABASE in an open transaction takes), not by a test hook.
        String third = startRestore();
        answerSnapshot(third);
        String thirdDb = env.db() + "_restore_" + third.substring(0, 8);
        String asideDb = env.db() + "_prerestore_" + third.substring(0, 8);
        try (Connection holder = cluster.connect("postgres"); Statement hold = holder.createStatement()) {
            await("restore " + third + " has filled " + thirdDb).atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
                    .until(() -> "restore_filestore".equals(step(third)) || "swap".equals(step(third))
                            || "neutralize".equals(step(third)) || tablesIn(thirdDb) > 0);
            holder.setAutoCommit(false);
            hold.execute("comment on database " + thirdDb + " is 'held by CrashIT'");
            await("restore " + third + " inside the swap: " + env.db() + " set aside as " + asideDb)
                    .atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                    .until(() -> databaseExists(asideDb) && !databaseExists(env.db()) && renameWaiting(thirdDb));
            kill();
            // the killed service's rename still waits in its server session: the host's connections
            // die with it (the server would see the socket closed at its next write)
            cluster.execute("postgres", "select pg_terminate_backend(pid) from pg_stat_activity where"
                    + " wait_event_type = 'Lock' and query ilike 'alter database%'");
            holder.rollback();
        }
        assertThat(databaseExists(env.db())).as("the kill came while the target had no database").isFalse();
        startApp();
        failed = awaitEnd(third);
        assertThat(failed.path("status").asText()).as(failed.toString()).isEqualTo("failed");
        assertThat(failed.path("error").asText()).isEqualTo("interrupted: the restore service stopped during swap");
        assertThat(OdooWorld.fingerprint(env)).as("the old pair is back in place").isEqualTo(before);
        assertThat(databaseExists(asideDb)).as(asideDb).isFalse();
        assertThat(databaseExists(thirdDb)).as(thirdDb).isFalse();
        assertThat(OdooWorld.leftovers()).isEmpty();
        assertThat(step(logs(third), "swap").path("status").asText()).isEqualTo("failed");

        // 4. nothing stalls: the same backup restores completely after the crashes
        String fourth = startRestore();
        answerSnapshot(fourth);
        JsonNode done = awaitEnd(fourth);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("completed");
        assertThat(OdooWorld.fingerprint(env)).isEqualTo(atBackup);
        await().atMost(DEADLINE).until(() -> OdooWorld.leftovers().isEmpty());
        kill();
    }

    /**
     * A point-in-time restore killed while its scratch cluster runs (the WAL replayed and the
     * database dumped, the filestore stalled): after the restart the restore is failed as
     * interrupted, the scratch server is stopped, its directory gone, the target as it was.
     */
    @Test
    void aPointInTimeRestoreKilledWhileItsScratchClusterRunsLeavesNoServerNoFilesAndTheTargetAsItWas()
            throws Exception {
        EnvelopeCipher cipher = new EnvelopeCipher("k1", Map.of("k1", MASTER_KEY));
        Map<UUID, BackupStorage> dests = Map.of(DEST, new LocalStorage(new LocalConfig(destDir)));
        cluster.execute(env.db(), "create table if not exists crash_pitr (n int)");
        Instant from = Instant.now().minusSeconds(5);
        OdooWorld.Backup pitr = OdooWorld.pitrBackup(cipher, env, dests);
        cluster.execute(env.db(), "insert into crash_pitr values (1)");
        Instant moment = Instant.now();
        cluster.execute(env.db(), "insert into crash_pitr values (2)");
        List<Map<String, Object>> files = OdooWorld.archiveWal(cipher, env, dests, pitr.id());
        InternalStub.pitrRange(ORG, pitr.id(), from.toString(), Instant.now().plusSeconds(5).toString(), files);
        Map<String, String> before = OdooWorld.fingerprint(env);
        Path fsObject = destDir.resolve(BackupLayout.componentKey(ORG, env.id(), pitr.id(), ComponentName.filestore));

        startApp();
        String id;
        Path scratch;
        Path pidFile;
        long postmaster;
        try (StalledObject stalled = new StalledObject(fsObject, TAIL)) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/backups/" + pitr.id() + "/restore"))
                    .header("Authorization", "Bearer " + token()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("targetType", "same",
                            "confirm", env.name(), "pitrTimestamp", moment.toString()))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            id = JSON.readTree(r.body()).path("restoreId").asText();
            answerSnapshot(id);
            scratch = OdooWorld.root.resolve("crash-work").resolve("ocore-restore-" + id + ".pitr");
            pidFile = scratch.resolve("data").resolve("postmaster.pid");
            Path fs = Path.of(env.filestore() + ".restore-" + id.substring(0, 8));
            await("restore " + id + " replayed and unpacking into " + fs).atMost(DEADLINE)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> "restore_filestore".equals(step(id)) && !filesUnder(fs).isEmpty());
            kill();
            assertThat(pidFile).as("the kill left the scratch cluster running").exists();
            postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive)).contains(true);
        }
        startApp();
        JsonNode failed = awaitEnd(id);
        assertThat(failed.path("status").asText()).as(failed.toString()).isEqualTo("failed");
        assertThat(failed.path("error").asText()).startsWith("interrupted: the restore service stopped during");
        assertThat(step(logs(id), "replay_wal").path("status").asText()).isEqualTo("completed");
        await("the scratch postmaster " + postmaster + " stopped").atMost(DEADLINE)
                .until(() -> ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false) == false);
        assertThat(scratch).doesNotExist();
        assertThat(OdooWorld.fingerprint(env)).isEqualTo(before);
        assertThat(OdooWorld.leftovers()).isEmpty();
        kill();
    }

    // --- the service process ---------------------------------------------------------------------

    static void startApp() throws Exception {
        port = freePort();
        managementPort = freePort();
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Dquarkus.http.port=" + port,
                // health is served on the management interface only
                "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.datasource.reactive.url=" + cluster.reactiveUrl(serviceDb),
                "-Dquarkus.datasource.jdbc.url=" + cluster.jdbcUrl(serviceDb),
                "-Dquarkus.datasource.username=" + PostgresCluster.SUPERUSER,
                "-Dquarkus.datasource.password=unused",
                "-Dkafka.bootstrap.servers=" + kafkaBootstrap,
                // a killed consumer is evicted from the group in seconds, not the default 45 s
                "-Dmp.messaging.incoming.backup-events.session.timeout.ms=6000",
                "-Dmp.messaging.incoming.backup-events.heartbeat.interval.ms=1000",
                "-Dmp.jwt.verify.publickey.location=" + publicKey,
                "-Docore.services.backup.url=" + stubProps.get("ocore.services.backup.url"),
                "-Docore.services.destination.url=" + stubProps.get("ocore.services.destination.url"),
                "-Docore.services.wal.url=" + stubProps.get("ocore.services.wal.url"),
                "-Docore.destinations.local-roots=" + OdooWorld.root,
                "-Docore.environments.filestore-roots=" + OdooWorld.root.resolve("filestore"),
                "-Docore.environments.config-roots=" + OdooWorld.root.resolve("conf"),
                "-Docore.destinations.allow-private-endpoints=true",
                "-Docore.restore.node-name=crash-it",
                "-Docore.restore.poll-interval=1s",
                "-Docore.restore.progress-interval=100ms",
                "-Docore.restore.pg-bin=" + cluster.bin(),
                "-Docore.restore.work-dir=" + OdooWorld.root.resolve("crash-work"),
                "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString()));
        Path log = Path.of("target", "restore-crash-it-" + (++starts) + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> environment = pb.environment();
        environment.keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("OCORE_") || k.startsWith("KAFKA_")
                || k.startsWith("MP_") || k.startsWith("PG"));
        // secrets through the environment, never on the command line
        environment.put("OCORE_MASTER_KEY", MASTER_KEY);
        environment.put("OCORE_SERVICE_SIGNING_KEY", TestTokens.SERVICE_SIGNING_KEY);
        app = pb.start();
        Process started = app;
        // even if this JVM is stopped before @AfterAll (Ctrl-C, fork timeout)
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "restore-crash-it-kill"));
        await("restore-service up (log: " + log + ")").atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!app.isAlive()) {
                throw new AssertionError("restore-service exited with " + app.exitValue() + ", see " + log.toAbsolutePath());
            }
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/live"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** SIGKILL: no shutdown hook, no graceful stop, nothing recorded on the way out. */
    static void kill() throws InterruptedException {
        // pg_restore (if running) outlives the JVM for a moment; it is ended at the latest in stop()
        orphans.addAll(app.descendants().toList());
        app.destroyForcibly();
        int exit = app.waitFor();
        app = null;
        assertThat(exit).as("exit status of a process killed by SIGKILL (128 + 9)").isEqualTo(137);
    }

    // --- API ---------------------------------------------------------------------------------------

    static String token() {
        return TestTokens.of(ORG, Permissions.MANAGE_ENVIRONMENTS, Permissions.VIEW_ENVIRONMENTS);
    }

    static String startRestore() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/backups/" + backup.id() + "/restore"))
                .header("Authorization", "Bearer " + token()).header("Content-Type", "application/json")
                // the target is production: the restore names it
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        Map.of("targetType", "same", "confirm", env.name()))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body()).path("restoreId").asText();
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token()).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static String step(String restoreId) throws Exception {
        return get("/api/restores/" + restoreId).path("progress").path("step").asText();
    }

    static JsonNode logs(String restoreId) throws Exception {
        return get("/api/restores/" + restoreId + "/logs");
    }

    static JsonNode step(JsonNode logs, String step) {
        for (JsonNode entry : logs) {
            if (step.equals(entry.path("step").asText())) {
                return entry;
            }
        }
        throw new AssertionError("no step " + step + " in " + logs);
    }

    static JsonNode awaitEnd(String restoreId) {
        JsonNode[] last = new JsonNode[1];
        await("restore " + restoreId + " ends").atMost(DEADLINE).pollInterval(Duration.ofMillis(250)).until(() -> {
            last[0] = get("/api/restores/" + restoreId);
            String s = last[0].path("status").asText();
            return "completed".equals(s) || "failed".equals(s);
        });
        return last[0];
    }

    /** Plays backup-service: answers the BackupRequested of the restore's pre-restore snapshot. */
    static void answerSnapshot(String restoreId) {
        String key = "pre_restore:" + restoreId;
        Events.BackupRequested req = kafka.awaitRecord(Topics.SCHEDULE, r -> r.data().contains(key), DEADLINE)
                .as(Events.BackupRequested.class);
        assertThat(req.environmentId()).isEqualTo(env.id());
        kafka.publish(new Events.BackupCompleted(ORG, env.id(), UUID.randomUUID(), "full", "pre_restore", key, 1000,
                Instant.now(), Instant.now(), Map.of(DEST, "x/"), List.of()));
    }

    // --- what is on the target's server and disk ----------------------------------------------------

    static boolean databaseExists(String db) throws SQLException {
        try (Connection c = cluster.connect("postgres");
                PreparedStatement st = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            st.setString(1, db);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Whether a session waits for a lock to rename database {@code db} (the swap, held back). */
    static boolean renameWaiting(String db) throws SQLException {
        try (Connection c = cluster.connect("postgres");
                PreparedStatement st = c.prepareStatement("select 1 from pg_stat_activity where wait_event_type = 'Lock'"
                        + " and query ilike 'alter database%' and query like ?")) {
            st.setString(1, "%" + db + "%");
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Tables pg_restore has created so far in {@code db}; 0 while it does not exist yet. */
    /** The restore's decrypted database archive for pg_restore --jobs (ocore.restore.work-dir). */
    static Path archive(String restoreId) {
        return OdooWorld.root.resolve("crash-work").resolve("ocore-restore-" + restoreId + ".dump");
    }

    static int tablesIn(String db) {
        try (Connection c = cluster.connect(db); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from pg_tables where schemaname = 'public'")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            return 0;
        }
    }

    /** Regular files under {@code dir}; none when it does not exist. */
    static List<Path> filesUnder(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of(); // changed while walked: look again
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * A stored object replaced by a FIFO that delivers all but its last {@code tail} bytes and then
     * stalls, like a destination that stops sending mid-download; {@link #close()} puts the whole
     * object back.
     */
    static final class StalledObject implements AutoCloseable {
        private final Path object;
        private final byte[] bytes;
        private final CountDownLatch release = new CountDownLatch(1);
        private final Thread writer;

        StalledObject(Path object, int tail) throws Exception {
            this.object = object;
            this.bytes = Files.readAllBytes(object);
            assertThat(bytes.length).as("stored size of " + object.getFileName() + ": enough to stall after"
                    + " whole cipher segments were delivered").isGreaterThan(tail + (2 << 20));
            Files.delete(object);
            Process mkfifo = new ProcessBuilder("mkfifo", object.toString()).redirectErrorStream(true).start();
            assertThat(mkfifo.waitFor()).as(new String(mkfifo.getInputStream().readAllBytes())).isZero();
            writer = Thread.ofPlatform().daemon().name("stalled-" + object.getFileName()).start(() -> {
                try (OutputStream out = Files.newOutputStream(object)) { // returns once the service opens it
                    out.write(bytes, 0, bytes.length - tail);
                    out.flush();
                    release.await();
                } catch (IOException | InterruptedException e) {
                    // the reader was killed (broken pipe)
                }
            });
        }

        @Override
        public void close() throws Exception {
            release.countDown();
            writer.join(5000);
            Files.delete(object);
            Files.write(object, bytes);
        }
    }
}
