package io.ocore.backups.backup;

import static io.ocore.backups.backup.Fixtures.manager;
import static io.ocore.backups.backup.Fixtures.platform;
import static io.ocore.backups.backup.Fixtures.viewer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;

import io.ocore.backups.backup.blobs.BlobStoreCatalogue;
import io.ocore.backups.backup.blobs.gc.BlobGarbageCollector;
import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.backupformat.blobs.BlobLayout;
import io.ocore.backups.platform.backupformat.blobs.BlobLocation;
import io.ocore.backups.platform.backupformat.blobs.FilestoreAssembler;
import io.ocore.backups.platform.backupformat.blobs.FilestoreCapture;
import io.ocore.backups.platform.backupformat.blobs.FilestoreIndex;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.local.LocalConfig;
import io.ocore.backups.platform.storage.local.LocalStorage;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.fakes.DestinationStub;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The continuous filestore capture against real PostgreSQL (the service's and a source cluster
 * with WAL archiving), Kafka and a local destination: a WAL-enabled environment's first blob-store
 * backup, then a file added to its filestore, captured by the running service's schedule
 * ({@code %test.ocore.backup.capture.interval=1s}); then the collector with instants standing for
 * time passing.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class FilestoreCaptureTest {

    static KafkaTestClient kafka;
    static SourceEnvironment src;

    @Inject
    BlobStoreCatalogue catalogue;

    @Inject
    BlobGarbageCollector gc;

    @Inject
    Pool pool;

    @BeforeAll
    static void start() throws Exception {
        src = SourceEnvironment.get();
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    /** A few attachment files of its own, inside the test's filestore root. */
    static Path smallFilestore(String name) throws Exception {
        Path fs = src.filestoreRoot.resolve(name);
        Random r = new Random(3);
        for (int i = 0; i < 5; i++) {
            byte[] b = new byte[1000 + i];
            r.nextBytes(b);
            write(fs, b);
        }
        return fs;
    }

    /** Stores {@code content} as Odoo does: {@code <2 hex>/<sha1>}; answers the path. */
    static String write(Path fs, byte[] content) throws Exception {
        String sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(content));
        String path = sha.substring(0, 2) + "/" + sha;
        Files.createDirectories(fs.resolve(sha.substring(0, 2)));
        Files.write(fs.resolve(path), content);
        return path;
    }

    long count(String sql, Object... args) {
        return pool.preparedQuery(sql).execute(Tuple.tuple(List.of(args))).await().atMost(Duration.ofSeconds(30))
                .iterator().next().getLong(0);
    }

    @Test
    void aFileAddedToAWalEnabledEnvironmentsFilestoreReachesTheBlobStoreAndTheCollectorKeepsItsBlobs()
            throws Exception {
        UUID org = UUID.randomUUID();
        String name = "capture_" + UUID.randomUUID().toString().substring(0, 8);
        Path fs = smallFilestore(name);
        String id = given().auth().oauth2(platform(org)).contentType(ContentType.JSON)
                .body(Fixtures.environmentBody(UUID.randomUUID(), src.cluster.port(), SourceEnvironment.DATABASE,
                        fs.toString(), src.config.toString()))
                .post("/api/environments").then().statusCode(201).extract().path("id");
        UUID env = UUID.fromString(id);
        Path dir = Files.createTempDirectory("ocore-capture-");
        UUID dest = UUID.randomUUID();
        DestinationStub.register(org, dest, "Local disk", "local", Map.of("path", dir.toString()));
        kafka.publish(new Events.BackupScheduleChanged(org, env, true, true, 7, List.of(dest)));

        // the first blob-store backup: what the capture starts from
        String[] backup = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Response r = given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                    .body(Map.of("backupType", "full")).post("/api/environments/" + env + "/backups");
            backup[0] = r.statusCode() == 202 ? r.path("id") : null;
            return backup[0] != null;
        });
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> "completed".equals(
                given().auth().oauth2(viewer(org)).get("/api/backups/" + backup[0]).then().extract().path("status")));
        BackupStorage storage = new LocalStorage(new LocalConfig(dir));
        BlobKeys keys = catalogue.keys(org, env);
        Path captures = dir.resolve(BlobLayout.capturesDir(org, env));
        assertThat(captures).as("nothing new since the backup: no capture").doesNotExist();

        byte[] content = new byte[3 << 20]; // three blobs
        new Random(9).nextBytes(content);
        Instant added = Instant.now();
        String path = write(fs, content);

        FilestoreCapture.Seen[] seen = new FilestoreCapture.Seen[1];
        await("the new file captured").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!Files.isDirectory(captures)) {
                return false;
            }
            try (Stream<Path> s = Files.list(captures)) {
                for (Path p : s.toList()) {
                    String n = p.getFileName().toString();
                    n = n.substring(0, n.length() - BlobLayout.CAPTURE_SUFFIX.length());
                    for (FilestoreCapture.Seen f : FilestoreCapture.decrypt(keys, n, Files.readAllBytes(p)).files()) {
                        if (f.entry().path().equals(path)) {
                            seen[0] = f;
                        }
                    }
                }
            }
            return seen[0] != null;
        });
        assertThat(Duration.between(added, Instant.now())).isLessThan(Duration.ofSeconds(60));
        FilestoreIndex.Entry e = seen[0].entry();
        assertThat(e.size()).isEqualTo(content.length);
        assertThat(e.blobs()).hasSize(3);
        assertThat(seen[0].firstSeen()).isAfterOrEqualTo(added.minusSeconds(2)).isBeforeOrEqualTo(Instant.now());
        assertThat(count("select count(*) from filestore_capture where environment_id = $1", env)).isEqualTo(1);
        assertThat(captures.toFile().list()).as("the files of the backup are not captured again").hasSize(1);
        // its blobs are on the destination, the assembler reads the file back from them
        assertReadable(storage, keys, org, env, e, content);
        // the attachment is deleted again (Odoo unlinks it): from now on only the PITR window needs
        // its blobs, and the capture, which keeps walking the filestore, finds nothing to capture
        Files.delete(fs.resolve(path));

        // what the retention preview is told (backup-service's internal blob retention): the backup's
        // blobs (five small files) and the capture's three, nothing to free
        long backupBlobs = count("select blob_count from backup_blob_ref where backup_id = $1", UUID.fromString(backup[0]));
        io.restassured.path.json.JsonPath r = blobRetention(org, env);
        assertThat(r.getBoolean("blobStore")).isTrue();
        assertThat(r.getLong("keptByBackups.blobs")).isEqualTo(backupBlobs).isEqualTo(5);
        assertThat(r.getLong("keptByBackups.bytes")).isEqualTo(1000 + 1001 + 1002 + 1003 + 1004);
        assertThat(r.getLong("capturesKept")).isEqualTo(1);
        assertThat(r.getLong("keptByCaptures.blobs")).isEqualTo(3);
        assertThat(r.getLong("keptByCaptures.bytes")).isEqualTo(content.length);
        assertThat(r.getLong("kept.blobs")).isEqualTo(backupBlobs + 3);
        assertThat(r.getLong("notReferenced.blobs")).isZero();
        assertThat(r.getLong("freedByNextCollection.blobs")).isZero();
        assertThat(r.getLong("graceSeconds")).isEqualTo(gc.grace().toSeconds());
        // another organisation's view of the environment: nothing known; org users never reach it
        io.restassured.path.json.JsonPath other = blobRetention(UUID.randomUUID(), env);
        assertThat(other.getBoolean("blobStore")).isFalse();
        assertThat(other.getMap("")).containsEntry("kept", null).containsEntry("freedByNextCollection", null);
        given().auth().oauth2(manager(org)).get("/internal/blob-stores/" + env + "/retention?orgId=" + org).then()
                .statusCode(401);
        given().auth().oauth2(io.ocore.backups.platform.testing.TestTokens.service())
                .get("/internal/blob-stores/" + env + "/retention").then().statusCode(400)
                .body("errors.field", hasItem("orgId"));

        // the collector: the captured blobs (no backup references them) are referenced while the capture is kept
        Instant now = Instant.now();
        gc.run(now.plus(Duration.ofDays(2)));
        gc.run(now.plus(Duration.ofDays(4)));
        assertThat(count("select count(*) from blob_location where environment_id = $1 and doomed_at is not null",
                env)).isZero();
        assertReadable(storage, keys, org, env, e, content);

        // past the WAL retention (7 days) plus the grace: the capture goes, then its blobs
        gc.run(now.plus(Duration.ofDays(10)));
        assertThat(count("select count(*) from filestore_capture where environment_id = $1", env)).isZero();
        assertThat(storage.list(BlobLayout.capturesDir(org, env))).as("its capture object is deleted").isEmpty();

        // its three blobs are referenced by nothing kept now, doomed by that run; once doomed longer than the
        // grace (their doomed_at moved back to stand for the time passing), the next collection frees them
        r = blobRetention(org, env);
        assertThat(r.getLong("capturesKept")).isZero();
        assertThat(r.getLong("keptByCaptures.blobs")).isZero();
        assertThat(r.getLong("kept.blobs")).isEqualTo(backupBlobs);
        assertThat(r.getLong("notReferenced.blobs")).isEqualTo(3);
        assertThat(r.getLong("notReferenced.bytes")).isEqualTo(content.length);
        assertThat(r.getLong("freedByNextCollection.blobs")).as("doomed less than the grace ago").isZero();
        pool.preparedQuery("update blob_location set doomed_at = now() - make_interval(secs => $2) where environment_id = $1"
                + " and doomed_at is not null").execute(Tuple.of(env, (double) gc.grace().toSeconds() + 60))
                .await().atMost(Duration.ofSeconds(30));
        r = blobRetention(org, env);
        assertThat(r.getLong("freedByNextCollection.blobs")).isEqualTo(3);
        assertThat(r.getLong("freedByNextCollection.bytes")).isEqualTo(content.length);
        BlobGarbageCollector.Report collected = gc.run(Instant.now());
        // what the preview said the next collection frees is freed: the blobs' locations (removed one by
        // one, or with their pack when nothing else is left in it) and at least their bytes
        assertThat(count("select count(*) from blob_location where environment_id = $1 and doomed_at is not null",
                env)).as("what the preview said the next collection frees").isZero();
        assertThat(collected.bytesFreed()).isGreaterThanOrEqualTo(content.length);
        r = blobRetention(org, env);
        assertThat(r.getLong("notReferenced.blobs")).isZero();
        assertThat(r.getLong("freedByNextCollection.blobs")).isZero();
        assertThat(r.getLong("kept.blobs")).isEqualTo(backupBlobs);
    }

    /** backup-service's internal blob retention of an environment, as scheduler-service reads it. */
    static io.restassured.path.json.JsonPath blobRetention(UUID org, UUID env) {
        return given().auth().oauth2(io.ocore.backups.platform.testing.TestTokens.service())
                .get("/internal/blob-stores/" + env + "/retention?orgId=" + org).then().statusCode(200)
                .extract().jsonPath();
    }

    static void assertReadable(BackupStorage storage, BlobKeys keys, UUID org, UUID env, FilestoreIndex.Entry e,
            byte[] content) throws Exception {
        Map<String, BlobLocation> located = FilestoreAssembler.readPackIndexes(storage, keys, org, env);
        assertThat(located).containsKeys(e.blobs().toArray(String[]::new));
        Path out = Files.createTempDirectory("ocore-capture-read-");
        new FilestoreAssembler(keys, org, env, storage, located::get).extract(List.of(e), out, n -> {
        });
        assertThat(Files.readAllBytes(out.resolve(e.path()))).isEqualTo(content);
    }
}
