package io.ocore.backups.backup;

import static io.ocore.backups.backup.Fixtures.manager;
import static io.ocore.backups.backup.Fixtures.platform;
import static io.ocore.backups.backup.Fixtures.viewer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.oneOf;

import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.backupformat.ComponentReader;
import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.fakes.DestinationStub;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PITR bases (ADR 0017): every backup of an environment whose schedule archives WAL also carries
 * pg_basebackup's base.tar as its {@code base} component, with where its WAL starts and stops in
 * the manifest, the API and BackupCompleted. Real pg_basebackup against the generated source.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class PitrBaseTest {

    static SourceEnvironment src;
    static KafkaTestClient kafka;

    @Inject
    EnvelopeCipher cipher;

    @BeforeAll
    static void start() throws Exception {
        src = SourceEnvironment.get();
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    record World(UUID org, UUID env, UUID dest, Path dir) {
    }

    /** An environment on the source with a schedule (walEnabled as given) on a local destination, known to backup-service. */
    static World world(boolean walEnabled) throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        return scheduled(org, env, walEnabled);
    }

    static World scheduled(UUID org, UUID env, boolean walEnabled) throws Exception {
        Path dir = Files.createTempDirectory("ocore-pitr-");
        UUID dest = UUID.randomUUID();
        DestinationStub.register(org, dest, "Local disk", "local", Map.of("path", dir.toString()));
        kafka.publish(new Events.BackupScheduleChanged(org, env, true, walEnabled, 7, List.of(dest)));
        return new World(org, env, dest, dir);
    }

    /** A manual backup without destinationIds: the schedule's (polls until backup-service has the schedule). */
    static String manualBackup(World w, String type) {
        String[] id = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Response r = given().auth().oauth2(manager(w.org())).contentType(ContentType.JSON)
                    .body(Map.of("backupType", type)).post("/api/environments/" + w.env() + "/backups");
            id[0] = r.statusCode() == 202 ? r.path("id") : null;
            return id[0] != null;
        });
        return id[0];
    }

    static JsonPath awaitFinished(UUID org, String id) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> given().auth().oauth2(viewer(org)).get("/api/backups/" + id).then()
                        .body("status", is(oneOf("completed", "failed"))));
        return given().auth().oauth2(viewer(org)).get("/api/backups/" + id).then().extract().jsonPath();
    }

    BackupManifest manifest(World w, String id) throws Exception {
        String dir = BackupLayout.backupDir(w.org(), w.env(), UUID.fromString(id));
        return BackupManifest.fromJson(Files.readAllBytes(w.dir().resolve(dir + "manifest.json")));
    }

    /** The base component decrypted and decompressed by the library, then unpacked by the system's tar. */
    Path unpackBase(World w, BackupManifest m) throws Exception {
        BackupManifest.Component c = m.component(ComponentName.base).orElseThrow();
        Path tar = Files.createTempFile("ocore-base-", ".tar");
        try (InputStream in = ComponentReader.open(Files.newInputStream(w.dir().resolve(c.objectKey())), cipher, m,
                ComponentName.base)) {
            Files.copy(in, tar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(Files.size(tar)).isEqualTo(c.rawBytes());
        Path out = Files.createTempDirectory("ocore-base-x-");
        Process p = new ProcessBuilder("tar", "-xf", tar.toString(), "-C", out.toString(), "backup_label",
                "PG_VERSION", "backup_manifest").redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(said).isZero();
        return out;
    }

    static long lsn(String s) {
        String[] p = s.split("/");
        return (Long.parseLong(p[0], 16) << 32) | Long.parseLong(p[1], 16);
    }

    void assertBase(World w, String id, JsonPath view, Instant requestedAt) throws Exception {
        assertThat(view.getString("status")).as(view.prettify()).isEqualTo("completed");
        BackupManifest m = manifest(w, id);
        BackupManifest.Component base = m.component(ComponentName.base).orElseThrow();
        assertThat(base.objectKey()).endsWith("/base.tar.zst.enc");
        assertThat(view.getString("checksums.base")).isEqualTo(base.sha256());

        Path unpacked = unpackBase(w, m);
        String label = Files.readString(unpacked.resolve("backup_label"));
        assertThat(label).contains("LABEL: ocore-backup-" + id + "\n");
        assertThat(Files.readString(unpacked.resolve("PG_VERSION")).strip()).isEqualTo("15");

        BackupManifest.PitrBase p = m.pitrBase();
        assertThat(p).isNotNull();
        assertThat(lsn(p.startLsn())).isPositive().isLessThanOrEqualTo(lsn(p.stopLsn()));
        assertThat(p.timeline()).isEqualTo(1);
        assertThat(label).contains("START WAL LOCATION: " + p.startLsn() + " (file " + p.startWalFile() + ")");
        assertThat(p.startWalFile()).matches("00000001[0-9A-F]{16}");
        // the base's own manifest says the same stop
        assertThat(Files.readString(unpacked.resolve("backup_manifest"))).contains("\"End-LSN\": \"" + p.stopLsn() + "\"");
        assertThat(p.consistentAt()).isAfter(requestedAt).isBeforeOrEqualTo(Instant.parse(view.getString("completedAt")));

        // the API shows it as the manifest does
        assertThat(view.getString("pitrBase.startLsn")).isEqualTo(p.startLsn());
        assertThat(view.getString("pitrBase.stopLsn")).isEqualTo(p.stopLsn());
        assertThat(view.getInt("pitrBase.timeline")).isEqualTo(1);
        assertThat(view.getString("pitrBase.startWalFile")).isEqualTo(p.startWalFile());
        assertThat(Instant.parse(view.getString("pitrBase.consistentAt"))).isEqualTo(p.consistentAt());

        // and BackupCompleted carries it to wal-archiver
        Events.BackupCompleted done = kafka.awaitRecord(Topics.BACKUP,
                r -> r.data().contains(id) && r.type().equals(EventTypes.typeOf(Events.BackupCompleted.class)),
                Duration.ofSeconds(30)).as(Events.BackupCompleted.class);
        assertThat(done.pitrBase()).isEqualTo(new Events.PitrBase(p.startLsn(), p.stopLsn(), p.timeline(),
                p.startWalFile(), p.consistentAt()));
    }

    @Test
    void everyBackupOfAWalEnabledEnvironmentCarriesABase() throws Exception {
        World w = world(true);
        Instant before = Instant.now();
        String full = manualBackup(w, "full");
        JsonPath fullView = awaitFinished(w.org(), full);
        assertBase(w, full, fullView, before);
        assertThat(manifest(w, full).components()).extracting(BackupManifest.Component::name)
                .containsExactlyInAnyOrder("database", "filestore", "config", "base");

        String db = manualBackup(w, "db");
        JsonPath dbView = awaitFinished(w.org(), db);
        assertBase(w, db, dbView, before);
        assertThat(manifest(w, db).components()).extracting(BackupManifest.Component::name)
                .containsExactlyInAnyOrder("database", "base");
        // two bases, one after the other
        assertThat(lsn(dbView.getString("pitrBase.startLsn"))).isGreaterThan(lsn(fullView.getString("pitrBase.stopLsn")));

        // a scheduled request asking for a base
        String key = w.env() + ":db:" + Instant.now();
        kafka.publish(new Events.BackupRequested(w.org(), w.env(), "db", "scheduled", key, List.of(w.dest()),
                Instant.now(), true));
        String scheduled = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            List<Map<String, Object>> items = given().auth().oauth2(viewer(w.org()))
                    .get("/api/environments/" + w.env() + "/backups").then().extract().path("items");
            return items.stream().filter(i -> "scheduled".equals(i.get("trigger"))).map(i -> (String) i.get("id"))
                    .findFirst().orElse(null);
        }, id -> id != null);
        assertBase(w, scheduled, awaitFinished(w.org(), scheduled), before);

        // verify reads the base back like any component
        String vid = given().auth().oauth2(manager(w.org())).post("/api/backups/" + full + "/verify").then()
                .statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> given().auth().oauth2(viewer(w.org())).get("/api/verifications/" + vid).then()
                        .statusCode(200).body("status", not("running")));
        JsonPath v = given().auth().oauth2(viewer(w.org())).get("/api/verifications/" + vid).then().extract()
                .jsonPath();
        assertThat(v.getString("destinations." + w.dest() + ".status")).as(v.prettify()).isEqualTo("ok");
        assertThat(v.getString("destinations." + w.dest() + ".detail")).contains("4 component(s)");

        // the base downloads as base.tar, decrypted: the same bytes as the stored component holds
        BackupManifest m = manifest(w, full);
        byte[] expected;
        try (InputStream in = ComponentReader.open(Files.newInputStream(w.dir().resolve(
                m.component(ComponentName.base).orElseThrow().objectKey())), cipher, m, ComponentName.base)) {
            expected = in.readAllBytes();
        }
        Response r = given().auth().oauth2(manager(w.org())).get("/api/backups/" + full + "/components/base");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.header("Content-Disposition")).contains("base.tar");
        assertThat(r.asByteArray()).isEqualTo(expected);
    }

    @Test
    void aBackupOfAnEnvironmentWithoutWalHasNoBase() throws Exception {
        World w = world(false);
        String id = manualBackup(w, "db");
        JsonPath view = awaitFinished(w.org(), id);
        assertThat(view.getString("status")).as(view.prettify()).isEqualTo("completed");
        assertThat(view.getMap("checksums")).doesNotContainKey("base");
        assertThat(view.get("pitrBase") == null).isTrue();
        BackupManifest m = manifest(w, id);
        assertThat(m.component(ComponentName.base)).isEmpty();
        assertThat(m.pitrBase()).isNull();
        assertThat(new String(Files.readAllBytes(w.dir().resolve(BackupLayout.manifestKey(w.org(), w.env(),
                UUID.fromString(id)))))).doesNotContain("pitrBase");
        Events.BackupCompleted done = kafka.awaitRecord(Topics.BACKUP,
                r -> r.data().contains(id) && r.type().equals(EventTypes.typeOf(Events.BackupCompleted.class)),
                Duration.ofSeconds(30)).as(Events.BackupCompleted.class);
        assertThat(done.pitrBase()).isNull();
        given().auth().oauth2(manager(w.org())).get("/api/backups/" + id + "/components/base").then()
                .statusCode(404);
    }

    @Test
    void aUserWithoutReplicationFailsTheBackupSayingWhatToGrant() throws Exception {
        String role = "norep_" + UUID.randomUUID().toString().substring(0, 8);
        String password = "norep-Secret-" + UUID.randomUUID();
        String db = src.cluster.createDatabase(role + "_db");
        src.cluster.execute("postgres", "create role " + role + " login password '" + password + "'");
        src.cluster.execute(db, "create table t (id int); insert into t values (1); alter table t owner to " + role);
        UUID org = UUID.randomUUID();
        String envId = given().auth().oauth2(platform(org)).contentType(ContentType.JSON)
                .body(Map.of("name", "norep-" + role, "projectId", UUID.randomUUID().toString(),
                        "environmentType", "staging",
                        "database", Map.of("host", "127.0.0.1", "port", src.cluster.port(), "name", db, "user", role,
                                "password", password),
                        "filestorePath", Fixtures.filestore(role), "configPath", Fixtures.config(role + ".conf")))
                .post("/api/environments").then().statusCode(201).extract().path("id");
        World w = scheduled(org, UUID.fromString(envId), true);

        String id = manualBackup(w, "db");
        JsonPath view = awaitFinished(org, id);
        assertThat(view.getString("status")).as(view.prettify()).isEqualTo("failed");
        assertThat(view.getString("error")).contains("PITR base", role, "REPLICATION", "ALTER ROLE")
                .doesNotContain(password).doesNotContain("127.0.0.1")
                .doesNotContain(Integer.toString(src.cluster.port()));
        assertThat(view.get("pitrBase") == null).isTrue();
        Events.BackupFailed failed = kafka.awaitRecord(Topics.BACKUP,
                r -> r.data().contains(id) && r.type().equals(EventTypes.typeOf(Events.BackupFailed.class)),
                Duration.ofSeconds(30)).as(Events.BackupFailed.class);
        assertThat(failed.reason()).isEqualTo(view.getString("error"));
        // nothing of it is left on the destination
        assertThat(Files.exists(w.dir().resolve(BackupLayout.manifestKey(org, w.env(), UUID.fromString(id)))))
                .isFalse();
    }
}
