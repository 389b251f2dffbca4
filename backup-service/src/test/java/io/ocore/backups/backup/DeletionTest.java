package io.ocore.backups.backup;

import io.ocore.backups.platform.testing.fakes.DestinationStub;

import static io.ocore.backups.backup.Fixtures.manager;
import static io.ocore.backups.backup.Fixtures.viewer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.platform.testing.s3.S3ProxyServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A deletion is a state: a backup being deleted shows {@code deleting} while any copy remains on
 * any destination, survives destination-service being down or erring, and leaves the catalogue
 * (tombstone, BackupDeleted) only once every copy is gone. Real PostgreSQL, s3proxy and a local
 * directory; DestinationStub stands in for destination-service (stopped, 503, 404).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class DeletionTest {

    static final String BUCKET = "deletions";
    static final String PREFIX = "ocore";
    static final Duration DEADLINE = Duration.ofSeconds(60);
    static SourceEnvironment src;
    static S3ProxyServer s3;
    static S3Client s3Client;
    static KafkaTestClient kafka;

    @Inject
    Pool pool;

    @BeforeAll
    static void start() throws Exception {
        src = SourceEnvironment.get();
        s3 = S3ProxyServer.inMemory().start();
        s3.createBucket(BUCKET);
        s3Client = S3Client.builder().endpointOverride(s3.endpoint()).region(Region.of(s3.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(ApacheHttpClient.create()).build();
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void stop() {
        kafka.close();
        s3Client.close();
        s3.close();
    }

    @AfterEach
    void destinationServiceBack() {
        DestinationStub.answerNormally();
        DestinationStub.startAgain();
    }

    /** A completed db backup to an S3 and a local destination; answers its id. */
    record Stored(UUID org, UUID env, String id, UUID s3Dest, UUID localDest, Path localDir, String dir) {
    }

    Stored completedBackup() throws IOException {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        Path localDir = Files.createTempDirectory("ocore-del-");
        UUID s3Dest = UUID.randomUUID();
        DestinationStub.register(org, s3Dest, "S3", "s3", Map.of("bucket", BUCKET, "region", s3.region(),
                "accessKeyId", s3.accessKey(), "secretAccessKey", s3.secretKey(), "endpoint", s3.endpoint().toString(),
                "pathPrefix", PREFIX));
        UUID localDest = UUID.randomUUID();
        DestinationStub.register(org, localDest, "Local disk", "local", Map.of("path", localDir.toString()));
        String id = request(org, env, s3Dest, localDest);
        awaitStatus(org, id, "completed");
        String dir = BackupLayout.backupDir(org, env, UUID.fromString(id));
        Stored s = new Stored(org, env, id, s3Dest, localDest, localDir, dir);
        assertThat(s3Keys(s)).isNotEmpty();
        assertThat(localFiles(s)).isNotEmpty();
        return s;
    }

    static String request(UUID org, UUID env, UUID... dests) {
        return given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(Map.of("backupType", "db", "destinationIds", Stream.of(dests).map(UUID::toString).toList()))
                .post("/api/environments/" + env + "/backups").then().statusCode(202).extract().path("id");
    }

    static void awaitStatus(UUID org, String id, String status) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> given().auth().oauth2(viewer(org)).get("/api/backups/" + id).then()
                        .statusCode(200).body("status", equalTo(status)));
    }

    static void awaitGone(UUID org, String id) {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> given().auth()
                .oauth2(viewer(org)).get("/api/backups/" + id).then().statusCode(404));
    }

    static List<String> s3Keys(Stored s) {
        return s3Client.listObjectsV2(b -> b.bucket(BUCKET).prefix(PREFIX + "/" + s.dir())).contents().stream()
                .map(o -> o.key()).toList();
    }

    static List<Path> localFiles(Stored s) throws IOException {
        Path d = s.localDir().resolve(s.dir());
        if (!Files.exists(d)) {
            return List.of();
        }
        try (var files = Files.walk(d)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    int attempts(String id) {
        var rows = pool.preparedQuery("select attempts from backup_deletion where backup_id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().atMost(Duration.ofSeconds(10));
        return rows.iterator().hasNext() ? rows.iterator().next().getInteger("attempts") : 0;
    }

    Row tombstone(String id) {
        var rows = pool.preparedQuery("select * from backup_tombstone where id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().atMost(Duration.ofSeconds(10));
        return rows.iterator().hasNext() ? rows.iterator().next() : null;
    }

    /** Several retries went by: the deletion really was attempted and refused to count the copies as gone. */
    void awaitRetries(String id) {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> attempts(id) >= 3);
    }

    @Test
    void aDeletionWhileDestinationServiceIsDownFinishesOnceItIsBack() throws Exception {
        Stored s = completedBackup();
        DestinationStub.stopNow();

        given().auth().oauth2(manager(s.org())).delete("/api/backups/" + s.id()).then().statusCode(202)
                .body("id", equalTo(s.id())).body("status", equalTo("deleting"));
        awaitRetries(s.id());
        given().auth().oauth2(viewer(s.org())).get("/api/backups/" + s.id()).then().statusCode(200)
                .body("status", equalTo("deleting"));
        given().auth().oauth2(viewer(s.org())).get("/api/environments/" + s.env() + "/backups?status=deleting")
                .then().statusCode(200).body("items.id", hasItem(s.id()));
        given().auth().oauth2(viewer(s.org())).get("/api/environments/" + s.env() + "/backups?status=completed")
                .then().statusCode(200).body("items.id", org.hamcrest.Matchers.not(hasItem(s.id())));
        // restore-service asks here: a deleting backup is not restorable (it refuses all but completed)
        given().auth().oauth2(io.ocore.backups.platform.testing.TestTokens.service())
                .get("/internal/backups/" + s.id() + "?orgId=" + s.org()).then().statusCode(200)
                .body("status", equalTo("deleting"));
        // every copy is still there, and a second DELETE is the same answer
        assertThat(s3Keys(s)).isNotEmpty();
        assertThat(localFiles(s)).isNotEmpty();
        given().auth().oauth2(manager(s.org())).delete("/api/backups/" + s.id()).then().statusCode(202)
                .body("status", equalTo("deleting"));

        DestinationStub.startAgain();
        awaitGone(s.org(), s.id());
        assertThat(s3Keys(s)).isEmpty();
        assertThat(localFiles(s)).isEmpty();
        Row t = tombstone(s.id());
        assertThat(t).isNotNull();
        assertThat(t.getString("reason")).isEqualTo("user");
        assertThat(t.getString("requested_by")).isNotBlank();
        assertThat(t.getUUID("environment_id")).isEqualTo(s.env());
        assertThat(t.getString("backup_type")).isEqualTo("db");
        assertThat(t.getString("trigger")).isEqualTo("manual");
        assertThat(t.getOffsetDateTime("deleted_at")).isAfter(t.getOffsetDateTime("requested_at"));
        kafka.awaitRecord(Topics.BACKUP, r -> r.data().contains(s.id())
                && r.type().equals(EventTypes.typeOf(Events.BackupDeleted.class)), Duration.ofSeconds(30));
        given().auth().oauth2(manager(s.org())).delete("/api/backups/" + s.id()).then().statusCode(404);
    }

    @Test
    void aDefinite404ForADestinationCountsAsNothingLeftThere() throws Exception {
        Stored s = completedBackup();
        DestinationStub.unregister(s.s3Dest()); // the destination no longer exists in this organisation

        given().auth().oauth2(manager(s.org())).delete("/api/backups/" + s.id()).then().statusCode(202);
        awaitGone(s.org(), s.id());
        assertThat(localFiles(s)).isEmpty();
        assertThat(tombstone(s.id())).isNotNull();
    }

    @Test
    void aDeletionNotFinishedInTimeRaisesTheStuckAlertOnceAndGoesOn() throws Exception {
        Stored s = completedBackup();
        DestinationStub.answerWith(503);

        given().auth().oauth2(manager(s.org())).delete("/api/backups/" + s.id()).then().statusCode(202);
        KafkaTestClient.Received stuck = kafka.awaitRecord(Topics.of(Events.BackupDeletionStuck.class), r -> r.data().contains(s.id())
                && r.type().equals(EventTypes.typeOf(Events.BackupDeletionStuck.class)), DEADLINE);
        Events.BackupDeletionStuck e = stuck.as(Events.BackupDeletionStuck.class);
        assertThat(e.environmentId()).isEqualTo(s.env());
        assertThat(e.attempts()).isGreaterThanOrEqualTo(1);
        assertThat(e.reason()).startsWith("user").contains("503");
        assertThat(s3Keys(s)).isNotEmpty();
        given().auth().oauth2(viewer(s.org())).get("/api/backups/" + s.id()).then().body("status", equalTo("deleting"));
        var reported = pool.preparedQuery("select count(*) as n from outbox_event where event_type = $1 and payload like $2")
                .execute(Tuple.of(EventTypes.typeOf(Events.BackupDeletionStuck.class), "%" + s.id() + "%"))
                .await().atMost(Duration.ofSeconds(10));
        int before = attempts(s.id());
        await().atMost(DEADLINE).until(() -> attempts(s.id()) >= before + 2); // still retrying
        var again = pool.preparedQuery("select count(*) as n from outbox_event where event_type = $1 and payload like $2")
                .execute(Tuple.of(EventTypes.typeOf(Events.BackupDeletionStuck.class), "%" + s.id() + "%"))
                .await().atMost(Duration.ofSeconds(10));
        assertThat(again.iterator().next().getLong("n")).isEqualTo(reported.iterator().next().getLong("n"))
                .isLessThanOrEqualTo(1L);

        DestinationStub.answerNormally();
        awaitGone(s.org(), s.id());
        assertThat(s3Keys(s)).isEmpty();
    }

    @Test
    void aGfsExpiryWhileDestinationServiceIsDownIsNotLost() throws Exception {
        Stored s = completedBackup();
        DestinationStub.answerWith(503);

        kafka.publish(new Events.BackupExpired(s.org(), s.env(), UUID.fromString(s.id()), "gfs"));
        awaitStatus(s.org(), s.id(), "deleting");
        awaitRetries(s.id());
        assertThat(s3Keys(s)).isNotEmpty();
        assertThat(localFiles(s)).isNotEmpty();

        DestinationStub.answerNormally();
        awaitGone(s.org(), s.id());
        assertThat(s3Keys(s)).isEmpty();
        assertThat(localFiles(s)).isEmpty();
        Row t = tombstone(s.id());
        assertThat(t.getString("reason")).isEqualTo("gfs");
        assertThat(t.getString("requested_by")).isNull();
    }

    @Test
    void anExpiryOfARunningBackupIsCarriedOutOnceItHasFinished() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        Path localDir = Files.createTempDirectory("ocore-del-");
        UUID localDest = UUID.randomUUID();
        DestinationStub.register(org, localDest, "Local disk", "local", Map.of("path", localDir.toString()));
        DestinationStub.delayNextRead(localDest, Duration.ofSeconds(8)); // holds the backup in_progress
        String id = request(org, env, localDest);
        awaitStatus(org, id, "in_progress");

        kafka.publish(new Events.BackupExpired(org, env, UUID.fromString(id), "snapshot_retention"));
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> pool
                .preparedQuery("select 1 from backup_deletion where backup_id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().atMost(Duration.ofSeconds(10)).size() == 1);
        // the user cannot delete it while it runs, and the expiry waits for it
        given().auth().oauth2(manager(org)).delete("/api/backups/" + id).then().statusCode(409);

        kafka.awaitRecord(Topics.BACKUP, r -> r.data().contains(id)
                && r.type().equals(EventTypes.typeOf(Events.BackupCompleted.class)), DEADLINE);
        awaitGone(org, id);
        Stored s = new Stored(org, env, id, null, localDest, localDir, BackupLayout.backupDir(org, env,
                UUID.fromString(id)));
        assertThat(localFiles(s)).isEmpty();
        assertThat(tombstone(id).getString("reason")).isEqualTo("snapshot_retention");
        assertThat(tombstone(id).getString("trigger")).isEqualTo("manual");
        // it was deleting only briefly: the stuck alert counts from then, not from the expiry
        var stuck = pool.preparedQuery("select count(*) as n from outbox_event where event_type = $1 and payload like $2")
                .execute(Tuple.of(EventTypes.typeOf(Events.BackupDeletionStuck.class), "%" + id + "%"))
                .await().atMost(Duration.ofSeconds(10));
        assertThat(stuck.iterator().next().getLong("n")).isZero();
    }
}
