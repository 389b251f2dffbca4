package io.ocore.backups.restore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.testing.postgres.PostgresCluster;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.StorageFactory;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.platform.testing.s3.S3ProxyServer;
import io.ocore.backups.restore.execution.FaultInjector;
import io.ocore.backups.restore.execution.RestoreWorker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Restores executed for real: Odoo-shaped environments in a dedicated PostgreSQL cluster, backups
 * written as backup-service writes them to s3proxy and a local folder, pg_restore, Kafka for the
 * pre-restore snapshot and the outcome events; backup-service and destination-service stubbed.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
@QuarkusTestResource(InternalStub.class)
class RestoreExecutionTest {

    static final String BUCKET = "backups";
    static S3ProxyServer s3;
    static KafkaTestClient kafka;
    static final UUID ORG = UUID.randomUUID();
    static final UUID PROJECT = UUID.randomUUID();
    static UUID s3Dest;
    static UUID localDest;
    static BackupStorage s3Storage;
    static BackupStorage localStorage;
    static OdooWorld.Env prod;
    static OdooWorld.Env staging;

    @Inject
    EnvelopeCipher cipher;

    @Inject
    StorageFactory storages;

    @Inject
    RestoreWorker worker;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyServer.inMemory().start();
        s3.createBucket(BUCKET);
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        OdooWorld.cluster();
        Path local = Files.createDirectories(OdooWorld.root.resolve("destination"));
        s3Dest = UUID.randomUUID();
        localDest = UUID.randomUUID();
        Map<String, Object> s3Config = Map.of("bucket", BUCKET, "region", s3.region(), "accessKeyId", s3.accessKey(),
                "secretAccessKey", s3.secretKey(), "endpoint", s3.endpoint().toString(), "pathPrefix", "ocore");
        InternalStub.destination(ORG, s3Dest, "S3", "s3", s3Config);
        InternalStub.destination(ORG, localDest, "Local disk", "local", Map.of("path", local.toString()));
        prod = OdooWorld.environment(ORG, PROJECT, "odoo_prod", "production", 42L);
        staging = OdooWorld.environment(ORG, PROJECT, "odoo_staging", "staging", 7L);
    }

    @AfterAll
    static void stop() {
        kafka.close();
        s3.close();
    }

    @AfterEach
    void clearFaults() {
        FaultInjector.clear();
    }

    Map<UUID, BackupStorage> destinations() {
        if (s3Storage == null) {
            s3Storage = storages.open(DestinationType.of("s3"), Map.of("bucket", BUCKET, "region", s3.region(),
                    "accessKeyId", s3.accessKey(), "secretAccessKey", s3.secretKey(), "endpoint",
                    s3.endpoint().toString(), "pathPrefix", "ocore"));
            localStorage = storages.open(DestinationType.of("local"),
                    Map.of("path", OdooWorld.root.resolve("destination").toString()));
        }
        Map<UUID, BackupStorage> m = new LinkedHashMap<>();
        m.put(s3Dest, s3Storage);
        m.put(localDest, localStorage);
        return m;
    }

    static String manager(UUID org) {
        return TestTokens.of(org, Permissions.MANAGE_ENVIRONMENTS, Permissions.VIEW_ENVIRONMENTS);
    }

    static String startRestore(UUID backupId, Map<String, Object> body) {
        return given().auth().oauth2(manager(ORG)).contentType(ContentType.JSON).body(body)
                .post("/api/backups/{id}/restore", backupId).then().statusCode(202)
                .body("restoreId", notNullValue()).body("status", equalTo("pending"))
                .extract().path("restoreId");
    }

    /** Plays backup-service: waits for the BackupRequested of the restore's snapshot and answers it. */
    static UUID answerSnapshot(String restoreId, UUID targetEnv, boolean ok) {
        String key = "pre_restore:" + restoreId;
        var req = kafka.awaitRecord(Topics.SCHEDULE, r -> r.data().contains(key), Duration.ofSeconds(30))
                .as(Events.BackupRequested.class);
        assertThat(req.trigger()).isEqualTo("pre_restore");
        assertThat(req.backupType()).isEqualTo("full");
        assertThat(req.environmentId()).isEqualTo(targetEnv);
        assertThat(req.destinationIds()).containsExactly(s3Dest, localDest);
        UUID snapshot = UUID.randomUUID();
        if (ok) {
            kafka.publish(new Events.BackupCompleted(ORG, targetEnv, snapshot, "full", "pre_restore", key, 1000,
                    Instant.now(), Instant.now(), Map.of(s3Dest, "x/"), List.of()));
        } else {
            kafka.publish(new Events.BackupFailed(ORG, targetEnv, snapshot, "full", "pre_restore", key,
                    "pg_dump exited with code 1: disk full", Instant.now()));
        }
        return snapshot;
    }

    static JsonPath awaitEnd(String restoreId) {
        JsonPath[] last = new JsonPath[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> {
            last[0] = given().auth().oauth2(manager(ORG)).get("/api/restores/{id}", restoreId).then().statusCode(200)
                    .extract().jsonPath();
            String s = last[0].getString("status");
            return "completed".equals(s) || "failed".equals(s);
        });
        return last[0];
    }

    static void execute(String db, String sql) throws Exception {
        try (Connection c = OdooWorld.cluster().connect(db); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Test
    void aSameTargetRestoreBringsBackTheBackupsStateAfterASnapshot() throws Exception {
        OdooWorld.Backup backup = OdooWorld.backup(cipher, prod, destinations());
        Map<String, String> atBackup = OdooWorld.fingerprint(prod);

        execute(prod.db(), "delete from mail_message where id % 2 = 0");
        execute(prod.db(), "update res_partner set name = 'changed' where id < 20");
        try (var files = Files.walk(prod.filestore())) {
            Files.delete(files.filter(Files::isRegularFile).findFirst().orElseThrow());
        }
        Files.writeString(prod.filestore().resolve("zz-new-file"), "added after the backup");
        assertThat(OdooWorld.fingerprint(prod)).isNotEqualTo(atBackup);

        String restoreId = startRestore(backup.id(), Map.of("targetType", "same", "confirm", prod.name()));
        UUID snapshot = answerSnapshot(restoreId, prod.id(), true);
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        assertThat(done.getString("preRestoreSnapshotId")).isEqualTo(snapshot.toString());
        assertThat(done.getInt("progress.percent")).isEqualTo(100);
        assertThat(done.getLong("progress.bytesTotal")).isPositive();
        assertThat(done.getBoolean("neutralize")).isFalse();
        assertThat(done.getList("missingAttachments")).as("every attachment of the restored database is there").isEmpty();
        assertThat(done.getInt("missingAttachmentCount")).isZero();

        assertThat(OdooWorld.fingerprint(prod)).isEqualTo(atBackup);
        await().atMost(Duration.ofSeconds(10)).until(() -> OdooWorld.leftovers().isEmpty());

        given().auth().oauth2(manager(ORG)).get("/api/restores/{id}/logs", restoreId).then().statusCode(200)
                .body("step", org.hamcrest.Matchers.contains("resolve", "pre_restore_snapshot", "restore_database",
                        "restore_filestore", "check_attachments", "swap"))
                .body("status", org.hamcrest.Matchers.everyItem(equalTo("completed")))
                .body("[2].message", containsString("S3"))
                .body("[3].message", containsString("directories synced to disk"))
                .body("durationMs", org.hamcrest.Matchers.everyItem(notNullValue()));
        var completed = kafka.awaitRecord(Topics.RESTORE, r -> r.data().contains(restoreId), Duration.ofSeconds(20));
        assertThat(completed.type()).isEqualTo(EventTypes.typeOf(Events.RestoreCompleted.class));
    }

    /** The restore's temporary files in the work directory (the decrypted database archive for pg_restore --jobs). */
    static List<String> workFiles() throws Exception {
        Path work = OdooWorld.root.resolve("work");
        if (!Files.isDirectory(work)) {
            return List.of();
        }
        try (var s = Files.list(work)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    static JsonPath logs(String restoreId) {
        return given().auth().oauth2(manager(ORG)).get("/api/restores/{id}/logs", restoreId).then().statusCode(200)
                .extract().jsonPath();
    }

    static Instant at(JsonPath logs, String step, String field) {
        return java.time.OffsetDateTime.parse(logs.getString("find { it.step == '" + step + "' }." + field))
                .toInstant();
    }

    /** The database and filestore steps overlap in time: each began before the other finished. */
    static void assertOverlap(JsonPath logs) {
        Instant dbStart = at(logs, "restore_database", "startedAt");
        Instant dbEnd = at(logs, "restore_database", "finishedAt");
        Instant fsStart = at(logs, "restore_filestore", "startedAt");
        Instant fsEnd = at(logs, "restore_filestore", "finishedAt");
        assertThat(fsStart).as("the filestore step began before the database step ended").isBefore(dbEnd);
        assertThat(dbStart).as("the database step began before the filestore step ended").isBefore(fsEnd);
    }

    static OdooWorld.Env registered(String name, String db, JsonPath done) {
        Map<String, Object> reg = InternalStub.REGISTERED.stream().filter(r -> name.equals(r.get("name")))
                .findFirst().orElseThrow();
        return new OdooWorld.Env(ORG, UUID.fromString(done.getString("targetEnvironmentId")), PROJECT, db,
                Path.of((String) reg.get("filestorePath")), Path.of((String) reg.get("configPath")));
    }

    static List<String> storeFnames(String db) throws Exception {
        List<String> out = new ArrayList<>();
        try (var c = OdooWorld.cluster().connect(db); var st = c.createStatement();
                var rs = st.executeQuery("select distinct store_fname from ir_attachment where store_fname is not null"
                        + " order by 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void aRestoredDatabaseReferencingFilesItsFilestoreLacksCompletesAndNamesThem() throws Exception {
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_absent_src", "staging", 77L);
        List<String> referenced = storeFnames(source.db());
        assertThat(referenced).hasSizeGreaterThan(2);
        // two files gone from the filestore before the backup, their rows still there; an unsafe value is ignored
        List<String> gone = List.of(referenced.get(0), referenced.get(referenced.size() - 1));
        for (String p : gone) {
            Files.delete(source.filestore().resolve(p));
        }
        execute(source.db(), "insert into ir_attachment (id, name, type, store_fname) select max(id) + 1, 'evil',"
                + " 'binary', '../../../etc/passwd' from ir_attachment");
        OdooWorld.Backup backup = OdooWorld.backup(cipher, source, destinations());

        String restoreId = startRestore(backup.id(), Map.of("targetType", "new", "newEnvironmentName", "absent files copy",
                "neutralize", false));
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        assertThat(done.getList("missingAttachments")).containsExactlyElementsOf(gone.stream().sorted().toList());
        assertThat(done.getInt("missingAttachmentCount")).isEqualTo(2);
        String message = logs(restoreId).getString("find { it.step == 'check_attachments' }.message");
        assertThat(message).startsWith("2 of the " + referenced.size() + " attachment files the database references"
                + " are missing").contains(gone.get(0)).contains(gone.get(1))
                .contains("1 store_fname values are not safe relative paths and were ignored");
    }

    @Test
    void theDatabaseAndFilestoreStepsRunAtOnceAndPgRestoreRunsParallelJobsFromAFileItRemoves() throws Exception {
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_overlap_src", "staging", 91L);
        OdooWorld.Backup backup = OdooWorld.backup(cipher, source, destinations());
        Map<String, String> expected = OdooWorld.fingerprint(source);

        String restoreId = startRestore(backup.id(), Map.of("targetType", "new", "newEnvironmentName", "overlap copy",
                "neutralize", false));
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        JsonPath logs = logs(restoreId);
        assertThat(logs.getList("step")).containsExactly("resolve", "restore_database", "restore_filestore",
                "check_attachments", "restore_config", "swap", "register_environment");
        assertOverlap(logs);
        int jobs = ConfigProvider.getConfig().getOptionalValue("ocore.restore.pg-restore-jobs", Integer.class)
                .orElse(2);
        if (jobs > 1) {
            assertThat(logs.getString("find { it.step == 'restore_database' }.message"))
                    .contains("(pg_restore --jobs=" + jobs + ")");
        }
        Map<String, String> after = OdooWorld.fingerprint(registered("overlap copy", "odoo_overlap_copy", done));
        for (String t : OdooWorld.TABLES) {
            assertThat(after.get("rows." + t)).as(t).isEqualTo(expected.get("rows." + t));
        }
        assertThat(after.get("partners")).isEqualTo(expected.get("partners"));
        assertThat(after.get("files")).isEqualTo(expected.get("files"));
        assertThat(workFiles()).as("the decrypted database archive is removed").isEmpty();
    }

    @Test
    void aBackupCarryingAPitrBaseRestoresAsBeforeAndIgnoresTheBase() throws Exception {
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_pitrbase_src", "staging", 95L);
        OdooWorld.Backup backup = OdooWorld.pitrBackup(cipher, source, destinations());
        assertThat(backup.checksums().get("base")).isNotNull();
        Map<String, String> expected = OdooWorld.fingerprint(source);

        String restoreId = startRestore(backup.id(), Map.of("targetType", "new", "newEnvironmentName", "pitr copy",
                "neutralize", false));
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        assertThat(done.getInt("progress.percent")).isEqualTo(100);
        // what it read: the database and the filestore, not the base
        BackupManifest m = BackupManifest.fromJson(localStorage.get(BackupLayout.manifestKey(ORG, source.id(),
                backup.id())).readAllBytes());
        long read = m.components().stream().filter(c -> c.name().equals("database") || c.name().equals("filestore"))
                .mapToLong(BackupManifest.Component::sizeBytes).sum();
        assertThat(m.component(ComponentName.base)).isPresent();
        assertThat(done.getLong("progress.bytesTotal")).isEqualTo(read);
        assertThat(logs(restoreId).getList("step")).containsExactly("resolve", "restore_database",
                "restore_filestore", "check_attachments", "restore_config", "swap", "register_environment");
        Map<String, String> after = OdooWorld.fingerprint(registered("pitr copy", "odoo_pitr_copy", done));
        for (String t : OdooWorld.TABLES) {
            assertThat(after.get("rows." + t)).as(t).isEqualTo(expected.get("rows." + t));
        }
        assertThat(after.get("partners")).isEqualTo(expected.get("partners"));
        assertThat(after.get("files")).isEqualTo(expected.get("files"));
    }

    /** The scratch directory of a restore's WAL replay (under ocore.restore.work-dir). */
    static Path scratchOf(String restoreId) {
        return OdooWorld.root.resolve("work").resolve("ocore-restore-" + restoreId + ".pitr");
    }

    static Instant dbNow() throws Exception {
        try (var c = OdooWorld.cluster().connect("postgres"); var st = c.createStatement();
                var rs = st.executeQuery("select clock_timestamp()")) {
            rs.next();
            return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
        }
    }

    static List<Integer> marks(String db) throws Exception {
        List<Integer> out = new ArrayList<>();
        try (var c = OdooWorld.cluster().connect(db); var st = c.createStatement();
                var rs = st.executeQuery("select n from pitr_mark order by n")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }

    @Test
    void aPointInTimeRestoreReplaysTheWalToTheMomentBetweenTwoCommittedRows() throws Exception {
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_pitr_src", "staging", 96L);
        PostgresCluster c = OdooWorld.cluster();
        c.execute(source.db(), "create table pitr_mark (n int)");
        Instant before = dbNow();
        OdooWorld.Backup backup = OdooWorld.pitrBackup(cipher, source, destinations());
        c.execute(source.db(), "insert into pitr_mark values (1)");
        // read after the first commit, before the second transaction begins: between the two commits
        Instant moment = dbNow();
        c.execute(source.db(), "insert into pitr_mark values (2)");
        List<Map<String, Object>> files = OdooWorld.archiveWal(cipher, source, destinations(), backup.id());
        InternalStub.pitrRange(ORG, backup.id(), before.toString(), dbNow().toString(), files);

        // the scratch server holds back the commit of row 1 (its delay counts from the commit's own time), so
        // that its replay is seen while it runs: its position then is before the one the replay ends at
        FaultInjector.scratchSettings("recovery_min_apply_delay = '12s'\n");
        String restoreId = startRestore(backup.id(), Map.of("targetType", "new", "newEnvironmentName", "pitr moment",
                "neutralize", false, "pitrTimestamp", moment.toString()));
        List<String> seenReplaying = new java.util.concurrent.CopyOnWriteArrayList<>();
        JsonPath[] last = new JsonPath[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = given().auth().oauth2(manager(ORG)).get("/api/restores/{id}", restoreId).then().statusCode(200)
                    .extract().jsonPath();
            String during = last[0].getString("progress.replay.replayedLsn");
            if ("replay_wal".equals(last[0].getString("progress.step")) && during != null) {
                assertThat(last[0].getLong("progress.replay.bytesReplayed")).as(last[0].prettify()).isPositive()
                        .isLessThanOrEqualTo(last[0].getLong("progress.replay.bytesToReplay"));
                seenReplaying.add(during);
            }
            return List.of("completed", "failed").contains(last[0].getString("status"));
        });
        JsonPath done = last[0];
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        // the replay's progress in WAL: from the base's redo point towards the end of the last WAL file fetched
        String segment = (String) files.get(files.size() - 1).get("fileName");
        long end = (Long.parseLong(segment.substring(8, 16), 16) * 256 + Long.parseLong(segment.substring(16), 16) + 1)
                << 24;
        assertThat(done.getString("progress.replay.endLsn")).as(done.prettify())
                .isEqualTo(Long.toHexString(end >>> 32).toUpperCase() + "/" + Long.toHexString(end & 0xFFFFFFFFL).toUpperCase());
        long replayed = done.getLong("progress.replay.bytesReplayed");
        long toReplay = done.getLong("progress.replay.bytesToReplay");
        assertThat(replayed).as(done.prettify()).isPositive().isLessThanOrEqualTo(toReplay);
        String reached = done.getString("progress.replay.replayedLsn");
        assertThat(lsn(reached) - lsn(done.getString("progress.replay.startLsn"))).isEqualTo(replayed);
        assertThat(lsn(done.getString("progress.replay.endLsn")) - lsn(done.getString("progress.replay.startLsn")))
                .isEqualTo(toReplay);
        // seen while the replay held back row 1's commit: a position before the one it reached (after the
        // promotion, until the next step begins, the step still shows the LSN reached)
        assertThat(seenReplaying).as("the replayed positions seen during replay_wal")
                .allSatisfy(during -> assertThat(lsn(during)).isLessThanOrEqualTo(lsn(reached)))
                .anySatisfy(during -> assertThat(lsn(during)).isLessThan(lsn(reached)));
        assertThat(marks("odoo_pitr_moment")).as("the row committed before the moment, not the one after")
                .containsExactly(1);
        assertThat(marks(source.db())).containsExactly(1, 2);
        JsonPath logs = logs(restoreId);
        assertThat(logs.getList("step")).containsExactly("resolve", "replay_wal", "restore_database",
                "restore_filestore", "check_attachments", "restore_config", "swap", "register_environment");
        assertThat(logs.getString("find { it.step == 'replay_wal' }.message"))
                .contains("recovery stopping before commit of transaction")
                .contains(files.size() + " WAL files").contains("promoted at the target " + moment)
                .contains("WAL replayed from " + done.getString("progress.replay.startLsn") + " to " + reached
                        + " (LSN reached; " + replayed + " of the " + toReplay + " bytes");
        assertThat(logs.getString("find { it.step == 'restore_database' }.message"))
                .contains("recovered to " + moment);
        assertThat(scratchOf(restoreId)).doesNotExist();
    }

    @Test
    void aScratchServerThatCannotBeAHotStandbyReplaysWithoutAndStillSaysTheLsnReached() throws Exception {
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_pitr_nohs_src", "staging", 99L);
        PostgresCluster c = OdooWorld.cluster();
        c.execute(source.db(), "create table pitr_mark (n int)");
        Instant before = dbNow();
        OdooWorld.Backup backup = OdooWorld.pitrBackup(cipher, source, destinations());
        c.execute(source.db(), "insert into pitr_mark values (1)");
        Instant moment = dbNow();
        c.execute(source.db(), "insert into pitr_mark values (2)");
        List<Map<String, Object>> files = OdooWorld.archiveWal(cipher, source, destinations(), backup.id());
        InternalStub.pitrRange(ORG, backup.id(), before.toString(), dbNow().toString(), files);
        // below the source's max_connections: PostgreSQL aborts a hot standby's recovery ("insufficient parameter
        // settings"), so the scratch server is started again without hot standby
        FaultInjector.scratchSettings("max_connections = 10\n");

        String restoreId = startRestore(backup.id(), Map.of("targetType", "new", "newEnvironmentName", "pitr nohs",
                "neutralize", false, "pitrTimestamp", moment.toString()));
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        assertThat(marks("odoo_pitr_nohs")).containsExactly(1);
        String reached = done.getString("progress.replay.replayedLsn");
        assertThat(done.getLong("progress.replay.bytesReplayed")).as(done.prettify()).isPositive()
                .isLessThanOrEqualTo(done.getLong("progress.replay.bytesToReplay"));
        assertThat(logs(restoreId).getString("find { it.step == 'replay_wal' }.message"))
                .contains("to " + reached + " (LSN reached;");
        assertThat(scratchOf(restoreId)).doesNotExist();
    }

    /** A WAL location {@code 0/16B3748} as a number. */
    static long lsn(String text) {
        int slash = text.indexOf('/');
        return Long.parseLong(text.substring(0, slash), 16) << 32 | Long.parseLong(text.substring(slash + 1), 16);
    }

    /** Adds an attachment as Odoo does: its file {@code <2 hex>/<sha1>} first, then its row; answers the path. */
    static String attach(OdooWorld.Env env, String name, byte[] content) throws Exception {
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(content));
        String path = sha.substring(0, 2) + "/" + sha;
        Files.createDirectories(env.filestore().resolve(sha.substring(0, 2)));
        Files.write(env.filestore().resolve(path), content);
        execute(env.db(), "insert into ir_attachment (id, name, type, store_fname, file_size, checksum)"
                + " select max(id) + 1, '" + name + "', 'binary', '" + path + "', " + content.length + ", '" + sha + "'"
                + " from ir_attachment");
        return path;
    }

    @Test
    void aPointInTimeRestoreWritesTheCapturedAttachmentsTheRecoveredDatabaseReferences() throws Exception {
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_pitrfs_src", "staging", 98L);
        PostgresCluster c = OdooWorld.cluster();
        c.execute(source.db(), "create table pitr_mark (n int)");
        Instant before = dbNow();
        OdooWorld.Backup backup = OdooWorld.pitrBlobBackup(cipher, source, destinations());
        java.util.Random random = new java.util.Random(14);
        byte[] first = new byte[(2 << 20) + 77]; // several blobs
        random.nextBytes(first);
        String t1 = attach(source, "t1.pdf", first);
        c.execute(source.db(), "insert into pitr_mark values (1)");
        byte[] second = new byte[4321];
        random.nextBytes(second);
        String t2 = attach(source, "t2.pdf", second);
        c.execute(source.db(), "insert into pitr_mark values (2)");
        Instant moment = dbNow(); // after t2's row committed, before t3's
        byte[] third = new byte[999];
        random.nextBytes(third);
        String t3 = attach(source, "t3.pdf", third);
        c.execute(source.db(), "insert into pitr_mark values (3)");
        // captured after the moment (first seen then), t1 and t2 in one capture, t3 in another
        OdooWorld.capture(cipher, source, destinations(), List.of(t1, t2));
        OdooWorld.capture(cipher, source, destinations(), List.of(t3));
        List<Map<String, Object>> files = OdooWorld.archiveWal(cipher, source, destinations(), backup.id());
        InternalStub.pitrRange(ORG, backup.id(), before.toString(), dbNow().toString(), files);

        String restoreId = startRestore(backup.id(), Map.of("targetType", "new", "newEnvironmentName", "pitr files",
                "neutralize", false, "pitrTimestamp", moment.toString()));
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        assertThat(marks("odoo_pitr_files")).containsExactly(1, 2);
        OdooWorld.Env created = registered("pitr files", "odoo_pitr_files", done);
        assertThat(created.filestore().resolve(t1)).hasBinaryContent(first);
        assertThat(created.filestore().resolve(t2)).hasBinaryContent(second);
        assertThat(created.filestore().resolve(t3)).as("its row is after the moment: not referenced, not written")
                .doesNotExist();
        assertThat(storeFnames("odoo_pitr_files")).contains(t1, t2).doesNotContain(t3);
        assertThat(done.getList("missingAttachments")).isEmpty();
        assertThat(done.getInt("missingAttachmentCount")).isZero();
        assertThat(logs(restoreId).getString("find { it.step == 'check_attachments' }.message"))
                .startsWith("2 of the 2 attachment files the recovered database references and the base's filestore"
                        + " lacks written from 2 captures on destination S3");
        assertThat(scratchOf(restoreId)).doesNotExist();
    }

    @Test
    void aMomentPastTheEndOfTheArchivedWalFailsTheRestoreAndLeavesTheTargetUntouched() throws Exception {
        OdooWorld.Env target = OdooWorld.environment(ORG, PROJECT, "odoo_pitr_short", "staging", 97L);
        PostgresCluster c = OdooWorld.cluster();
        c.execute(target.db(), "create table pitr_mark (n int)");
        Instant before = dbNow();
        OdooWorld.Backup backup = OdooWorld.pitrBackup(cipher, target, destinations());
        c.execute(target.db(), "insert into pitr_mark values (1)");
        List<Map<String, Object>> files = OdooWorld.archiveWal(cipher, target, destinations(), backup.id());
        Map<String, String> expected = OdooWorld.fingerprint(target);
        // the catalogue says covered, but the WAL the replay gets ends before the moment
        Instant moment = dbNow().plusSeconds(600);
        InternalStub.pitrRange(ORG, backup.id(), before.toString(), moment.plusSeconds(60).toString(), files);

        String restoreId = startRestore(backup.id(), Map.of("targetType", "same", "neutralize", false,
                "pitrTimestamp", moment.toString(), "confirm", target.name()));
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("failed");
        assertThat(done.getString("error")).contains("the WAL replay did not reach " + moment)
                .contains("the archived WAL ends before the target").contains("the target was not touched");
        JsonPath logs = logs(restoreId);
        assertThat(logs.getList("step")).containsExactly("resolve", "replay_wal");
        assertThat(logs.getString("find { it.step == 'replay_wal' }.status")).isEqualTo("failed");
        assertThat(done.getString("preRestoreSnapshotId")).isNull();
        assertThat(OdooWorld.fingerprint(target)).isEqualTo(expected);
        assertThat(marks(target.db())).containsExactly(1);
        assertThat(scratchOf(restoreId)).doesNotExist();
    }

    @Test
    void aFilestoreFailureStopsTheDatabaseStepAndLeavesNothingBehind() throws Exception {
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_fsfail_src", "staging", 93L);
        OdooWorld.Env target = OdooWorld.environment(ORG, PROJECT, "odoo_fsfail_dst", "development", 94L);
        OdooWorld.Backup backup = OdooWorld.backup(cipher, source, destinations());
        Map<String, String> before = OdooWorld.fingerprint(target);
        String fsKey = BackupLayout.componentKey(ORG, source.id(), backup.id(), ComponentName.filestore);
        s3Storage.delete(fsKey);
        localStorage.delete(fsKey);
        // no copy of the filestore: its step fails within milliseconds, while the database step downloads and restores
        String restoreId = startRestore(backup.id(), Map.of("targetType", "other", "targetEnvironmentId",
                target.id().toString()));
        answerSnapshot(restoreId, target.id(), true);
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).isEqualTo("failed");
        assertThat(done.getString("error")).startsWith("no destination holds a good copy of the filestore component");
        JsonPath logs = logs(restoreId);
        assertThat(logs.getString("find { it.step == 'restore_filestore' }.status")).isEqualTo("failed");
        assertThat(logs.getString("find { it.step == 'restore_database' }.status")).isEqualTo("failed");
        assertThat(logs.getString("find { it.step == 'restore_database' }.message"))
                .isEqualTo("stopped: the restore_filestore step failed");
        assertThat(logs.getList("step")).doesNotContain("swap");
        assertThat(OdooWorld.fingerprint(target)).isEqualTo(before);
        assertThat(OdooWorld.leftovers()).isEmpty();
        assertThat(workFiles()).as("the decrypted database archive is removed").isEmpty();
    }

    @Test
    void aBlobIndexBackupRestoresIntoANewEnvironmentWithTheSameFilesModesAndDatabase() throws Exception {
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_blob_src", "staging", 95L);
        // modes other than the generator's, an empty file, a file of several chunks, an empty directory
        try (var files = Files.walk(source.filestore())) {
            Path first = files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
            Files.setPosixFilePermissions(first, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        Path odd = Files.createDirectories(source.filestore().resolve("zz/private"));
        Files.setPosixFilePermissions(odd.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        Files.write(odd.resolve("empty"), new byte[0]);
        byte[] big = new byte[(3 << 20) + 12345];
        new java.util.Random(5).nextBytes(big);
        Files.write(odd.resolve("big"), big);
        Files.setPosixFilePermissions(odd.resolve("big"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        Files.createDirectories(source.filestore().resolve("zz/empty-dir"));
        Map<String, String> expectedFiles = OdooWorld.filesAndModes(source.filestore());
        Map<String, String> expected = OdooWorld.fingerprint(source);
        OdooWorld.Backup backup = OdooWorld.blobBackup(cipher, source, destinations());

        String restoreId = startRestore(backup.id(), Map.of("targetType", "new", "newEnvironmentName", "blob copy",
                "neutralize", false));
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        OdooWorld.Env created = registered("blob copy", "odoo_blob_copy", done);
        assertThat(OdooWorld.filesAndModes(created.filestore())).isEqualTo(expectedFiles);
        Map<String, String> after = OdooWorld.fingerprint(created);
        for (String t : OdooWorld.TABLES) {
            assertThat(after.get("rows." + t)).as(t).isEqualTo(expected.get("rows." + t));
        }
        assertThat(after.get("partners")).isEqualTo(expected.get("partners"));
        JsonPath logs = logs(restoreId);
        assertThat(logs.getString("find { it.step == 'restore_filestore' }.message")).contains("from destination S3")
                .doesNotContain("skipped");
        assertOverlap(logs);
        await().atMost(Duration.ofSeconds(10)).until(() -> OdooWorld.leftovers().isEmpty());
        assertThat(workFiles()).isEmpty();
    }

    @Test
    void aCorruptedBlobOnTheFirstDestinationFallsBackToTheOtherCopyAndIsReported() throws Exception {
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_blobbad_src", "staging", 97L);
        Map<String, String> expectedFiles = OdooWorld.filesAndModes(source.filestore());
        OdooWorld.Backup backup = OdooWorld.blobBackup(cipher, source, destinations());
        var packs = s3Storage.list(io.ocore.backups.platform.backupformat.blobs.BlobLayout.blobsDir(ORG, source.id())
                + "packs/");
        assertThat(packs).isNotEmpty();
        String packKey = packs.get(0).key();
        byte[] good;
        try (var in = s3Storage.get(packKey)) {
            good = in.readAllBytes();
        }
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 0x55;
        s3Storage.put(packKey, new ByteArrayInputStream(bad));

        String restoreId = startRestore(backup.id(), Map.of("targetType", "new", "newEnvironmentName", "blob fallback",
                "neutralize", false));
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        OdooWorld.Env created = registered("blob fallback", "odoo_blob_fallback", done);
        assertThat(OdooWorld.filesAndModes(created.filestore())).isEqualTo(expectedFiles);
        assertThat(logs(restoreId).getString("find { it.step == 'restore_filestore' }.message"))
                .contains("from destination Local disk")
                .contains("skipped the filestore copy on destination S3 (" + s3Dest + "): corrupt");
        var corrupted = kafka.awaitRecord(Topics.BACKUP, r -> r.type().equals(EventTypes.typeOf(
                Events.BackupCorrupted.class)) && r.data().contains(backup.id().toString()), Duration.ofSeconds(20))
                .as(Events.BackupCorrupted.class);
        assertThat(corrupted.destinationId()).isEqualTo(s3Dest);
        assertThat(corrupted.status()).isEqualTo("corrupt");
        assertThat(corrupted.detail()).contains("filestore");
        await().atMost(Duration.ofSeconds(10)).until(() -> OdooWorld.leftovers().isEmpty());
    }

    /**
     * A timing, run on demand ({@code -Docore.restore.bench-mb=N}): a full backup of an N MB
     * generated environment (about half database, half filestore) restored into a new
     * environment; prints the database and filestore steps' durations and the span of the two
     * (docs/restores.md, "Measured"). Checks the copy like the other tests.
     */
    @Test
    void timedRestoreOfALargerEnvironment() throws Exception {
        int mb = Integer.getInteger("ocore.restore.bench-mb", 0);
        org.junit.jupiter.api.Assumptions.assumeTrue(mb > 0, "on demand: -Docore.restore.bench-mb=N");
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_bench_src", "staging", 99L, mb);
        Map<String, String> expected = OdooWorld.fingerprint(source);
        OdooWorld.Backup backup = OdooWorld.backup(cipher, source, Map.of(localDest, destinations().get(localDest)));
        String restoreId = startRestore(backup.id(), Map.of("targetType", "new", "newEnvironmentName", "bench copy",
                "neutralize", false));
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        JsonPath logs = logs(restoreId);
        Instant dbStart = at(logs, "restore_database", "startedAt");
        Instant dbEnd = at(logs, "restore_database", "finishedAt");
        Instant fsStart = at(logs, "restore_filestore", "startedAt");
        Instant fsEnd = at(logs, "restore_filestore", "finishedAt");
        Instant first = dbStart.isBefore(fsStart) ? dbStart : fsStart;
        Instant last = dbEnd.isAfter(fsEnd) ? dbEnd : fsEnd;
        System.out.printf("BENCH size=%d MB database=%d ms filestore=%d ms database+filestore span=%d ms total=%d ms"
                + " (%s)%n", mb, Duration.between(dbStart, dbEnd).toMillis(), Duration.between(fsStart, fsEnd).toMillis(),
                Duration.between(first, last).toMillis(), Duration.between(Instant.parse(done.getString("startedAt")),
                        Instant.parse(done.getString("completedAt"))).toMillis(),
                logs.getString("find { it.step == 'restore_database' }.message"));
        Map<String, String> after = OdooWorld.fingerprint(registered("bench copy", "odoo_bench_copy", done));
        assertThat(after.get("partners")).isEqualTo(expected.get("partners"));
        assertThat(after.get("files")).isEqualTo(expected.get("files"));
    }

    @Test
    void aDbBackupBringsBackTheDatabaseAndLeavesTheFilestoreAsItIs() throws Exception {
        OdooWorld.Env target = OdooWorld.environment(ORG, PROJECT, "odoo_dbonly", "production", 61L);
        OdooWorld.Backup backup = OdooWorld.backup(cipher, target, destinations(), "db");
        assertThat(backup.checksums().get("filestore")).isNull();
        Map<String, String> atBackup = OdooWorld.fingerprint(target);

        // after the backup: the database and the filestore both move on
        execute(target.db(), "delete from sale_order where id % 2 = 0");
        execute(target.db(), "update res_partner set name = 'changed after the db backup' where id < 30");
        Path removed;
        try (var files = Files.walk(target.filestore())) {
            removed = files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
        }
        Files.delete(removed);
        Files.writeString(target.filestore().resolve("zz-attachment-after-the-backup"), "added after the backup");
        Map<String, String> beforeRestore = OdooWorld.fingerprint(target);
        assertThat(beforeRestore.get("partners")).isNotEqualTo(atBackup.get("partners"));
        assertThat(beforeRestore.get("rows.sale_order")).isNotEqualTo(atBackup.get("rows.sale_order"));
        assertThat(beforeRestore.get("files")).isNotEqualTo(atBackup.get("files"));

        String restoreId = startRestore(backup.id(), Map.of("targetType", "same", "confirm", target.name()));
        answerSnapshot(restoreId, target.id(), true);
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        assertThat(done.getInt("progress.percent")).isEqualTo(100);

        Map<String, String> after = OdooWorld.fingerprint(target);
        // the database is the backup's again
        for (String t : OdooWorld.TABLES) {
            assertThat(after.get("rows." + t)).as(t).isEqualTo(atBackup.get("rows." + t));
        }
        assertThat(after.get("partners")).isEqualTo(atBackup.get("partners"));
        // the filestore is exactly as it was just before the restore: not wiped, not rolled back
        assertThat(after.get("files")).isEqualTo(beforeRestore.get("files"));
        assertThat(target.filestore().resolve("zz-attachment-after-the-backup")).hasContent("added after the backup");
        assertThat(removed).doesNotExist();
        assertThat(after.get("config")).isEqualTo(beforeRestore.get("config"));
        await().atMost(Duration.ofSeconds(10)).until(() -> OdooWorld.leftovers().isEmpty());

        given().auth().oauth2(manager(ORG)).get("/api/restores/{id}/logs", restoreId).then().statusCode(200)
                .body("step", org.hamcrest.Matchers.contains("resolve", "pre_restore_snapshot", "restore_database",
                        "restore_filestore", "swap"))
                .body("find { it.step == 'restore_filestore' }.status", equalTo("skipped"))
                .body("find { it.step == 'restore_filestore' }.message", containsString("left as it is"))
                .body("find { it.step == 'swap' }.status", equalTo("completed"))
                .body("find { it.step == 'swap' }.message", containsString("filestore was left as it is"));
    }

    @Test
    void anotherEnvironmentOfTheProjectIsOverwrittenAndNeutralizedByDefault() throws Exception {
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_src_other", "production", 11L);
        OdooWorld.Env target = OdooWorld.environment(ORG, PROJECT, "odoo_target_other", "staging", 12L);
        OdooWorld.Backup backup = OdooWorld.backup(cipher, source, destinations());
        Map<String, String> expected = OdooWorld.fingerprint(source);
        String targetConf = Files.readString(target.config());

        String restoreId = startRestore(backup.id(), Map.of("targetType", "other", "targetEnvironmentId",
                target.id().toString()));
        answerSnapshot(restoreId, target.id(), true);
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        assertThat(done.getBoolean("neutralize")).isTrue();

        Map<String, String> after = OdooWorld.fingerprint(target);
        for (String t : OdooWorld.TABLES) {
            if (!t.equals("ir_config_parameter")) {
                assertThat(after.get("rows." + t)).as(t).isEqualTo(expected.get("rows." + t));
            }
        }
        assertThat(after.get("partners")).isEqualTo(expected.get("partners"));
        assertThat(after.get("files")).isEqualTo(expected.get("files"));
        assertThat(after.get("config")).isEqualTo(targetConf);
        // neutralization
        try (Connection c = OdooWorld.cluster().connect(target.db()); Statement st = c.createStatement()) {
            assertThat(OdooWorld.one(st, "select value from ir_config_parameter where key = 'database.is_neutralized'"))
                    .isEqualTo("true");
            assertThat(OdooWorld.one(st, "select count(*) from ir_mail_server where active")).isEqualTo("0");
            assertThat(OdooWorld.one(st, "select count(*) from fetchmail_server where active")).isEqualTo("0");
            assertThat(OdooWorld.one(st, "select string_agg(cron_name, ',') from ir_cron where active"))
                    .isEqualTo("Base: Auto-vacuum internal data");
            assertThat(OdooWorld.one(st, "select count(*) from payment_provider where state = 'enabled'")).isEqualTo("0");
        }
        given().auth().oauth2(manager(ORG)).get("/api/restores/{id}/logs", restoreId).then()
                .body("step", hasItem("neutralize"));
        await().atMost(Duration.ofSeconds(10)).until(() -> OdooWorld.leftovers().isEmpty());
    }

    @Test
    void aNewEnvironmentIsCreatedOnTheSourcesServerAndRegisteredInItsProject() throws Exception {
        OdooWorld.Backup backup = OdooWorld.backup(cipher, staging, destinations());
        Map<String, String> expected = OdooWorld.fingerprint(staging);

        String restoreId = startRestore(backup.id(), Map.of("targetType", "new", "newEnvironmentName", "QA copy",
                "neutralize", false));
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        assertThat(done.getString("targetEnvironmentId")).isNotNull();
        assertThat(done.getString("preRestoreSnapshotId")).isNull();

        Map<String, Object> reg = InternalStub.REGISTERED.stream().filter(r -> "QA copy".equals(r.get("name")))
                .findFirst().orElseThrow();
        assertThat(reg.get("projectId")).isEqualTo(PROJECT.toString());
        assertThat(reg.get("orgId")).isEqualTo(ORG.toString());
        OdooWorld.Env created = new OdooWorld.Env(ORG, UUID.fromString(done.getString("targetEnvironmentId")), PROJECT,
                "odoo_qa_copy", Path.of((String) reg.get("filestorePath")), Path.of((String) reg.get("configPath")));
        assertThat(created.filestore()).isEqualTo(OdooWorld.root.resolve("filestore/odoo_qa_copy"));
        Map<String, String> after = OdooWorld.fingerprint(created);
        assertThat(after.get("partners")).isEqualTo(expected.get("partners"));
        assertThat(after.get("files")).isEqualTo(expected.get("files"));
        assertThat(after.get("rows.sale_order")).isEqualTo(expected.get("rows.sale_order"));
        assertThat(after.get("config")).contains("db_name = odoo_qa_copy").contains("dbfilter = ^odoo_qa_copy$")
                .doesNotContain("db_name = odoo_staging");
        // odoo.conf holds the database password: its owner alone reads it
        assertThat(Files.getPosixFilePermissions(created.config())).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(OdooWorld.fingerprint(staging)).isEqualTo(expected);
        await().atMost(Duration.ofSeconds(10)).until(() -> OdooWorld.leftovers().isEmpty());
    }

    @Test
    void aCorruptedCopyOnTheFirstDestinationIsSkippedAndTwoCorruptedCopiesFailWithoutTouchingTheTarget()
            throws Exception {
        OdooWorld.Env target = OdooWorld.environment(ORG, PROJECT, "odoo_corrupt", "production", 21L);
        OdooWorld.Backup backup = OdooWorld.backup(cipher, target, destinations());
        Map<String, String> atBackup = OdooWorld.fingerprint(target);
        String dbKey = BackupLayout.componentKey(ORG, target.id(), backup.id(), ComponentName.database);
        byte[] good;
        try (var in = s3Storage.get(dbKey)) {
            good = in.readAllBytes();
        }
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 0x55;
        s3Storage.put(dbKey, new ByteArrayInputStream(bad));
        execute(target.db(), "delete from sale_order where id % 3 = 0");

        String restoreId = startRestore(backup.id(), Map.of("targetType", "same", "confirm", target.name()));
        answerSnapshot(restoreId, target.id(), true);
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        assertThat(OdooWorld.fingerprint(target)).isEqualTo(atBackup);
        given().auth().oauth2(manager(ORG)).get("/api/restores/{id}/logs", restoreId).then()
                .body("find { it.step == 'restore_database' }.message", containsString("from destination Local disk"))
                .body("find { it.step == 'restore_database' }.message", containsString(
                        "skipped the database copy on destination S3 (" + s3Dest + "): corrupt, checksum mismatch"));
        // the skipped copy is reported: BackupCorrupted through the outbox, which alert-service turns into an alert
        var corrupted = kafka.awaitRecord(Topics.BACKUP, r -> r.type().equals(EventTypes.typeOf(
                Events.BackupCorrupted.class)) && r.data().contains(backup.id().toString()), Duration.ofSeconds(20))
                .as(Events.BackupCorrupted.class);
        assertThat(corrupted.destinationId()).isEqualTo(s3Dest);
        assertThat(corrupted.destinationName()).isEqualTo("S3");
        assertThat(corrupted.status()).isEqualTo("corrupt");
        assertThat(corrupted.detectedBy()).isEqualTo("restore");
        assertThat(corrupted.environmentId()).isEqualTo(target.id());
        assertThat(corrupted.detail()).contains("database").contains("checksum mismatch");

        localStorage.put(dbKey, new ByteArrayInputStream(bad));
        execute(target.db(), "delete from sale_order where id % 5 = 0");
        Map<String, String> before = OdooWorld.fingerprint(target);
        String second = startRestore(backup.id(), Map.of("targetType", "same", "confirm", target.name()));
        answerSnapshot(second, target.id(), true);
        JsonPath failed = awaitEnd(second);
        assertThat(failed.getString("status")).isEqualTo("failed");
        assertThat(failed.getString("error")).contains("no destination holds a good copy of the database")
                .contains("checksum mismatch");
        assertThat(OdooWorld.fingerprint(target)).isEqualTo(before);
        assertThat(OdooWorld.leftovers()).isEmpty();
        assertThat(workFiles()).as("the partly written database archive is removed").isEmpty();
        var event = kafka.awaitRecord(Topics.RESTORE, r -> r.data().contains(second), Duration.ofSeconds(20));
        assertThat(event.type()).isEqualTo(EventTypes.typeOf(Events.RestoreFailed.class));
    }

    @Test
    void aMissingCopyIsSkippedNamedInTheStepLogAndReportedAsMissing() throws Exception {
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_missing_src", "staging", 23L);
        OdooWorld.Backup backup = OdooWorld.backup(cipher, source, destinations());
        Map<String, String> expected = OdooWorld.fingerprint(source);
        s3Storage.delete(BackupLayout.componentKey(ORG, source.id(), backup.id(), ComponentName.filestore));

        String restoreId = startRestore(backup.id(), Map.of("targetType", "new", "newEnvironmentName", "missing copy",
                "neutralize", false));
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        given().auth().oauth2(manager(ORG)).get("/api/restores/{id}/logs", restoreId).then()
                .body("find { it.step == 'restore_database' }.message", org.hamcrest.Matchers.not(
                        containsString("skipped")))
                .body("find { it.step == 'restore_filestore' }.message", containsString(
                        "skipped the filestore copy on destination S3 (" + s3Dest + "): missing"));
        var missing = kafka.awaitRecord(Topics.BACKUP, r -> r.type().equals(EventTypes.typeOf(
                Events.BackupCorrupted.class)) && r.data().contains(backup.id().toString()), Duration.ofSeconds(20))
                .as(Events.BackupCorrupted.class);
        assertThat(missing.status()).isEqualTo("missing");
        assertThat(missing.destinationId()).isEqualTo(s3Dest);
        assertThat(missing.detectedBy()).isEqualTo("restore");
        Map<String, Object> reg = InternalStub.REGISTERED.stream().filter(r -> "missing copy".equals(r.get("name")))
                .findFirst().orElseThrow();
        OdooWorld.Env created = new OdooWorld.Env(ORG, UUID.fromString(done.getString("targetEnvironmentId")), PROJECT,
                "odoo_missing_copy", Path.of((String) reg.get("filestorePath")), Path.of((String) reg.get("configPath")));
        assertThat(OdooWorld.fingerprint(created).get("files")).isEqualTo(expected.get("files"));
    }

    @Test
    void aFailureAtAnyStepLeavesTheTargetExactlyAsItWas() throws Exception {
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_fault_src", "production", 31L);
        OdooWorld.Env target = OdooWorld.environment(ORG, PROJECT, "odoo_fault_target", "development", 32L);
        OdooWorld.Backup backup = OdooWorld.backup(cipher, source, destinations());
        Map<String, String> before = OdooWorld.fingerprint(target);
        for (String step : List.of("resolve", "pre_restore_snapshot", "restore_database", "restore_filestore",
                "check_attachments", "neutralize", "swap")) {
            FaultInjector.failAt(step);
            String restoreId = startRestore(backup.id(), Map.of("targetType", "other", "targetEnvironmentId",
                    target.id().toString()));
            if (!step.equals("resolve") && !step.equals("pre_restore_snapshot")) {
                answerSnapshot(restoreId, target.id(), true);
            }
            JsonPath done = awaitEnd(restoreId);
            assertThat(done.getString("status")).as(step).isEqualTo("failed");
            assertThat(done.getString("error")).as(step).contains("injected failure at step " + step);
            assertThat(OdooWorld.fingerprint(target)).as(step).isEqualTo(before);
            assertThat(OdooWorld.leftovers()).as(step).isEmpty();
            given().auth().oauth2(manager(ORG)).get("/api/restores/{id}/logs", restoreId).then()
                    .body("find { it.step == '" + step + "' }.status", equalTo("failed"));
        }
    }

    @Test
    void aTargetWhoseFilestoreIsOutsideTheRootsIsRefusedAndLeftAlone() throws Exception {
        OdooWorld.Backup backup = OdooWorld.backup(cipher, prod, destinations());
        // an environment registered under other rules: its filestore outside today's roots
        Path outside = Files.createDirectories(Files.createTempDirectory("ocore-outside-").resolve("filestore"));
        Files.writeString(outside.resolve("id_rsa"), "KEEP ME");
        UUID target = UUID.randomUUID();
        InternalStub.environment(ORG, target, PROJECT, "escaped-env", "development", OdooWorld.cluster().port(),
                "odoo_escaped", outside.toString(), OdooWorld.root.resolve("conf/odoo_escaped.conf").toString());
        String restoreId = startRestore(backup.id(), Map.of("targetType", "other", "targetEnvironmentId",
                target.toString()));
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).isEqualTo("failed");
        assertThat(done.getString("error")).isEqualTo("the filestore path leaves the configured filestore roots");
        try (var left = Files.list(outside.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("filestore");
        }
        assertThat(Files.readString(outside.resolve("id_rsa"))).isEqualTo("KEEP ME");
    }

    @Test
    void aFailedConnectionsMessageShowsNoHostOrPort() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        UUID source = UUID.randomUUID();
        InternalStub.environment(ORG, source, PROJECT, "down-env", "production", closed, "odoo_down",
                OdooWorld.root.resolve("filestore/odoo_down").toString(),
                OdooWorld.root.resolve("conf/odoo_down.conf").toString());
        UUID backupId = UUID.randomUUID();
        Map<String, String> checksums = new LinkedHashMap<>();
        checksums.put("database", "00");
        checksums.put("filestore", null);
        checksums.put("config", null);
        InternalStub.backup(ORG, backupId, source, "completed", "db", Map.of(localDest, "x/"), checksums);
        String restoreId = startRestore(backupId, Map.of("targetType", "new", "newEnvironmentName", "down copy"));
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).isEqualTo("failed");
        String logs = given().auth().oauth2(manager(ORG)).get("/api/restores/{id}/logs", restoreId).then()
                .statusCode(200).extract().asString();
        for (String shown : List.of(done.getString("error"), logs)) {
            assertThat(shown).contains("the environment's database server").doesNotContain("127.0.0.1")
                    .doesNotContain(Integer.toString(closed));
        }
    }

    @Test
    void aFailedSnapshotStopsTheRestoreBeforeTheTargetIsTouched() throws Exception {
        Map<String, String> before = OdooWorld.fingerprint(staging);
        OdooWorld.Backup backup = OdooWorld.backup(cipher, prod, destinations());
        String restoreId = startRestore(backup.id(), Map.of("targetType", "other", "targetEnvironmentId",
                staging.id().toString()));
        answerSnapshot(restoreId, staging.id(), false);
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).isEqualTo("failed");
        assertThat(done.getString("error")).contains("pre-restore snapshot failed").contains("disk full");
        assertThat(OdooWorld.fingerprint(staging)).isEqualTo(before);
        assertThat(OdooWorld.leftovers()).isEmpty();
    }

    @Test
    void aRestoreInterruptedMidSwapIsRolledBackAtTheNextStart() throws Exception {
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_crash_src", "production", 41L);
        OdooWorld.Env target = OdooWorld.environment(ORG, PROJECT, "odoo_crash_target", "production", 42L);
        OdooWorld.Backup backup = OdooWorld.backup(cipher, source, destinations());
        Map<String, String> before = OdooWorld.fingerprint(target);
        FaultInjector.crashAt("swap");
        String restoreId = startRestore(backup.id(), Map.of("targetType", "other", "confirm", target.name(), "targetEnvironmentId",
                target.id().toString()));
        answerSnapshot(restoreId, target.id(), true);
        // the "process" died in the middle of the swap: the new database is in place, the old one renamed away
        await().atMost(Duration.ofSeconds(60)).until(() -> OdooWorld.leftovers().stream()
                .anyMatch(n -> n.startsWith("odoo_crash_target_prerestore_")));
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.runningHere().isEmpty());
        given().auth().oauth2(manager(ORG)).get("/api/restores/{id}", restoreId).then().body("status",
                equalTo("in_progress"));
        FaultInjector.clear();

        assertThat(worker.recoverInterrupted()).isEqualTo(1);
        JsonPath done = awaitEnd(restoreId);
        assertThat(done.getString("status")).isEqualTo("failed");
        assertThat(done.getString("error")).isEqualTo("interrupted: the restore service stopped during swap");
        assertThat(OdooWorld.fingerprint(target)).isEqualTo(before);
        assertThat(OdooWorld.leftovers()).isEmpty();
    }

    /**
     * A crash at every point of the swap in turn (docs/adr/0009-restore-swap.md), then recovery: the
     * target holds exactly its old pair (database, filestore, odoo.conf) or exactly the new one,
     * never a mix, and nothing temporary is left.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"swap.old_database_aside", "swap",
            "swap.old_filestore_aside", "swap.filestore_in_place", "swap.completed"})
    void aCrashAtAnySwapStepLeavesTheOldPairOrTheNewPairAfterRecovery(String point) throws Exception {
        String tag = point.replace("swap", "").replace(".", "").replace("_", "");
        OdooWorld.Env source = OdooWorld.environment(ORG, PROJECT, "odoo_step_src" + tag, "production", 81L);
        OdooWorld.Env target = OdooWorld.environment(ORG, PROJECT, "odoo_step_dst" + tag, "staging", 82L);
        OdooWorld.Backup backup = OdooWorld.backup(cipher, source, destinations());
        Map<String, String> oldPair = OdooWorld.fingerprint(target);
        Map<String, String> newPair = new java.util.TreeMap<>(OdooWorld.fingerprint(source));
        newPair.put("config", oldPair.get("config")); // an existing target keeps its own odoo.conf
        assertThat(newPair).isNotEqualTo(oldPair);

        FaultInjector.crashAt(point);
        String restoreId = startRestore(backup.id(), Map.of("targetType", "other", "targetEnvironmentId",
                target.id().toString(), "neutralize", false));
        answerSnapshot(restoreId, target.id(), true);
        await().atMost(Duration.ofSeconds(60)).until(() -> point.equals(FaultInjector.crashed())
                && worker.runningHere().isEmpty());
        FaultInjector.clear();
        worker.recoverInterrupted();
        JsonPath done = awaitEnd(restoreId);

        Map<String, String> after = OdooWorld.fingerprint(target);
        if (point.equals("swap.completed")) {
            assertThat(done.getString("status")).isEqualTo("completed");
            assertThat(after).as(point).isEqualTo(newPair);
        } else {
            assertThat(done.getString("status")).isEqualTo("failed");
            assertThat(done.getString("error")).isEqualTo("interrupted: the restore service stopped during swap");
            assertThat(after).as(point).isEqualTo(oldPair);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> OdooWorld.leftovers().isEmpty());
    }

    /** The same for a new environment: after recovery its database, filestore and odoo.conf all exist, or none. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"swap", "swap.filestore_in_place",
            "swap.config_in_place"})
    void aCrashAtAnySwapStepOfANewEnvironmentLeavesAllOfItOrNothing(String point) throws Exception {
        String name = "crash new " + point.replace(".", " ");
        String db = "odoo_" + name.replaceAll("[^a-z0-9]+", "_");
        OdooWorld.Backup backup = OdooWorld.backup(cipher, staging, destinations());
        FaultInjector.crashAt(point);
        String restoreId = startRestore(backup.id(), Map.of("targetType", "new", "newEnvironmentName", name,
                "neutralize", false));
        await().atMost(Duration.ofSeconds(60)).until(() -> point.equals(FaultInjector.crashed())
                && worker.runningHere().isEmpty());
        FaultInjector.clear();
        worker.recoverInterrupted();
        assertThat(awaitEnd(restoreId).getString("status")).isEqualTo("failed");
        boolean database;
        try (Connection c = OdooWorld.cluster().connect("postgres"); Statement st = c.createStatement()) {
            database = !"0".equals(OdooWorld.one(st, "select count(*) from pg_database where datname = '" + db + "'"));
        }
        assertThat(List.of(database, Files.exists(OdooWorld.root.resolve("filestore").resolve(db)),
                Files.exists(OdooWorld.root.resolve("conf").resolve(db + ".conf")))).as(point)
                .containsExactly(false, false, false);
        assertThat(OdooWorld.leftovers()).isEmpty();
    }

    @Test
    void neutralizationRunsAloneOnAnEnvironment() throws Exception {
        OdooWorld.Env env = OdooWorld.environment(ORG, PROJECT, "odoo_neutral", "production", 51L);
        String id = given().auth().oauth2(manager(ORG)).contentType(ContentType.JSON)
                .body(Map.of("confirm", env.name())).post("/api/environments/{id}/neutralize", env.id()).then()
                .statusCode(202).body("kind", equalTo("neutralize")).extract().path("restoreId");
        JsonPath done = awaitEnd(id);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        Map<String, String> after = OdooWorld.fingerprint(env);
        assertThat(after.get("neutralized")).isEqualTo("true");
        assertThat(after.get("activeMailServers")).isEqualTo("0");
        assertThat(after.get("activeCrons")).isEqualTo("1");
        given().auth().oauth2(manager(ORG)).get("/api/restores/{id}/logs", id).then()
                .body("step", org.hamcrest.Matchers.contains("resolve", "neutralize"));
        given().auth().oauth2(manager(UUID.randomUUID())).post("/api/environments/{id}/neutralize", env.id()).then()
                .statusCode(404);
    }

    @io.quarkus.test.common.http.TestHTTPResource(value = "/metrics", management = true)
    java.net.URL metrics;

    double sample(String name, String... labels) {
        return io.ocore.backups.platform.testing.Metrics.sample(metrics, name, labels);
    }

    @Test
    void finishedRestoresAreCountedByOutcomeAndTargetType() throws Exception {
        OdooWorld.Env env = OdooWorld.environment(ORG, PROJECT, "odoo_metrics", "staging", 54L);
        OdooWorld.Backup backup = OdooWorld.backup(cipher, env, destinations(), "db");
        String same = "target_type=\"same\"";
        String completed = "status=\"completed\"";
        String failed = "status=\"failed\"";
        double completedBefore = sample("ocore_restores_total", completed, same);
        double failedBefore = sample("ocore_restores_total", failed, same);
        double timedBefore = sample("ocore_restore_duration_seconds_count", completed, same);

        String ok = startRestore(backup.id(), Map.of("targetType", "same"));
        answerSnapshot(ok, env.id(), true);
        assertThat(awaitEnd(ok).getString("status")).isEqualTo("completed");
        String bad = startRestore(backup.id(), Map.of("targetType", "same"));
        answerSnapshot(bad, env.id(), false); // the pre-restore snapshot fails: so does the restore
        assertThat(awaitEnd(bad).getString("status")).isEqualTo("failed");

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            assertThat(sample("ocore_restores_total", completed, same)).isEqualTo(completedBefore + 1);
            assertThat(sample("ocore_restores_total", failed, same)).isEqualTo(failedBefore + 1);
            assertThat(sample("ocore_restore_duration_seconds_count", completed, same)).isEqualTo(timedBefore + 1);
        });
    }

    @Test
    void aNeutralizationBlockedByALockFailsInBoundedTimeChangingNothingAndTheNextOneRuns() throws Exception {
        OdooWorld.Env env = OdooWorld.environment(ORG, PROJECT, "odoo_locked", "production", 53L);
        Map<String, String> before = OdooWorld.fingerprint(env);
        String id;
        long started;
        // a live Odoo session holding ir_cron for longer than the lock timeout (3 s in tests)
        try (Connection odoo = OdooWorld.cluster().connect(env.db()); Statement st = odoo.createStatement()) {
            odoo.setAutoCommit(false);
            st.execute("lock table ir_cron in access exclusive mode");
            started = System.nanoTime();
            id = given().auth().oauth2(manager(ORG)).contentType(ContentType.JSON)
                    .body(Map.of("confirm", env.name())).post("/api/environments/{id}/neutralize", env.id()).then()
                    .statusCode(202).extract().path("restoreId");
            JsonPath failed = awaitEnd(id);
            assertThat(failed.getString("status")).as(failed.prettify()).isEqualTo("failed");
            assertThat(failed.getString("error")).contains("another session held a lock")
                    .contains("ocore.restore.lock-timeout = 3 s").contains("during neutralize");
            odoo.rollback();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
        // rolled back as a whole: not even the mail servers (updated before ir_cron) changed
        assertThat(OdooWorld.fingerprint(env)).isEqualTo(before);

        String next = given().auth().oauth2(manager(ORG)).contentType(ContentType.JSON)
                .body(Map.of("confirm", env.name())).post("/api/environments/{id}/neutralize", env.id()).then()
                .statusCode(202).extract().path("restoreId");
        JsonPath done = awaitEnd(next);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("completed");
        assertThat(OdooWorld.fingerprint(env).get("neutralized")).isEqualTo("true");
    }

    @Test
    void restoringOntoOrNeutralizingAProductionEnvironmentNeedsItsNameInConfirm() throws Exception {
        OdooWorld.Env target = OdooWorld.environment(ORG, PROJECT, "odoo_confirm_prod", "production", 71L);
        OdooWorld.Backup backup = OdooWorld.backup(cipher, target, destinations());
        String token = manager(ORG);
        Map<String, String> before = OdooWorld.fingerprint(target);
        // same, other (from another environment's backup) and neutralize: no confirm, then a wrong name
        for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of("targetType", "same"),
                Map.of("targetType", "same", "confirm", "odoo_prod-env"))) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                    .post("/api/backups/{id}/restore", backup.id()).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("errors[0].field", equalTo("confirm"))
                    .body("errors[0].message", containsString("restoring onto the production environment '"
                            + target.name() + "' replaces its data: send confirm = its name"));
        }
        OdooWorld.Backup fromStaging = OdooWorld.backup(cipher, staging, destinations());
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("targetType", "other", "targetEnvironmentId", target.id().toString()))
                .post("/api/backups/{id}/restore", fromStaging.id()).then().statusCode(400)
                .body("errors[0].message", containsString("replaces its data"))
                .body("errors[0].field", equalTo("confirm"));
        given().auth().oauth2(token).post("/api/environments/{id}/neutralize", target.id()).then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("confirm"))
                .body("errors[0].message", containsString("neutralizing the production environment '"
                        + target.name() + "'"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("confirm", "ODOO_CONFIRM_PROD-ENV"))
                .post("/api/environments/{id}/neutralize", target.id()).then().statusCode(400)
                .body("errors[0].field", equalTo("confirm"));
        // nothing was recorded, nothing ran
        given().auth().oauth2(token).get("/api/environments/{env}/restores", target.id()).then().statusCode(200)
                .body("items", org.hamcrest.Matchers.hasSize(0));
        assertThat(OdooWorld.fingerprint(target)).isEqualTo(before);

        // a staging environment needs no confirmation, to be neutralized or restored onto
        OdooWorld.Env stagingTarget = OdooWorld.environment(ORG, PROJECT, "odoo_confirm_staging", "staging", 72L);
        String neutralized = given().auth().oauth2(token).post("/api/environments/{id}/neutralize", stagingTarget.id())
                .then().statusCode(202).extract().path("restoreId");
        assertThat(awaitEnd(neutralized).getString("status")).isEqualTo("completed");
        String toStaging = startRestore(backup.id(), Map.of("targetType", "other", "targetEnvironmentId",
                stagingTarget.id().toString()));
        answerSnapshot(toStaging, stagingTarget.id(), true);
        assertThat(awaitEnd(toStaging).getString("status")).isEqualTo("completed");

        // the right name: accepted
        String restoreId = startRestore(backup.id(), Map.of("targetType", "same", "confirm", target.name()));
        answerSnapshot(restoreId, target.id(), true);
        assertThat(awaitEnd(restoreId).getString("status")).isEqualTo("completed");
    }

    @Test
    void requestsAreCheckedBeforeAnythingRuns() throws Exception {
        OdooWorld.Backup backup = OdooWorld.backup(cipher, prod, destinations());
        String token = manager(ORG);
        // every bad field at once
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("targetType", "elsewhere"))
                .post("/api/backups/{id}/restore", backup.id()).then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.find { it.field == 'targetType' }.message", containsString("[same, other, new]"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("targetType", "other",
                "pitrTimestamp", "yesterday")).post("/api/backups/{id}/restore", backup.id()).then()
                .statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.containsInAnyOrder("targetEnvironmentId", "pitrTimestamp"))
                .body("errors.find { it.field == 'pitrTimestamp' }.message", containsString("ISO 8601"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("targetType", "new"))
                .post("/api/backups/{id}/restore", backup.id()).then().statusCode(400)
                .body("errors.field", hasItem("newEnvironmentName"));
        // another project's environment
        UUID elsewhere = UUID.randomUUID();
        InternalStub.environment(ORG, elsewhere, UUID.randomUUID(), "other-project", "staging", 5432, "odoo_x",
                "/tmp/x", "/tmp/x.conf");
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("targetType", "other",
                "targetEnvironmentId", elsewhere.toString())).post("/api/backups/{id}/restore", backup.id()).then()
                .statusCode(400).body("errors[0].field", equalTo("targetEnvironmentId"))
                .body("errors[0].message", containsString("project"));
        // not completed
        UUID running = UUID.randomUUID();
        InternalStub.backup(ORG, running, prod.id(), "in_progress", "full", Map.of(), Map.of());
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("targetType", "same"))
                .post("/api/backups/{id}/restore", running).then().statusCode(409)
                .body("detail", containsString("in_progress"));
        // another organisation, unknown backup
        given().auth().oauth2(manager(UUID.randomUUID())).contentType(ContentType.JSON)
                .body(Map.of("targetType", "same")).post("/api/backups/{id}/restore", backup.id()).then()
                .statusCode(404);
        // auth
        given().contentType(ContentType.JSON).body(Map.of("targetType", "same"))
                .post("/api/backups/{id}/restore", backup.id()).then().statusCode(401);
        given().auth().oauth2(TestTokens.of(ORG, Permissions.VIEW_ENVIRONMENTS)).contentType(ContentType.JSON)
                .body(Map.of("targetType", "same")).post("/api/backups/{id}/restore", backup.id()).then()
                .statusCode(403);
        given().auth().oauth2(TestTokens.of(ORG, Permissions.VIEW_ENVIRONMENTS))
                .post("/api/environments/{id}/neutralize", prod.id()).then().statusCode(403);
        // one restore per target at a time
        String first = startRestore(backup.id(), Map.of("targetType", "same", "confirm", prod.name()));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("targetType", "same", "confirm", prod.name()))
                .post("/api/backups/{id}/restore", backup.id()).then().statusCode(409)
                .body("detail", containsString("already has a restore"));
        answerSnapshot(first, prod.id(), true);
        assertThat(awaitEnd(first).getString("status")).isEqualTo("completed");
    }
}
