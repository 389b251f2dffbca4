package io.ocore.backups.backup;

import io.ocore.backups.platform.testing.fakes.DestinationStub;

import static io.ocore.backups.backup.Fixtures.manager;
import static io.ocore.backups.backup.Fixtures.viewer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import io.ocore.backups.backup.verify.Scrub;
import io.ocore.backups.backup.verify.VerificationStore;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.platform.testing.s3.S3ProxyServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
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
 * Verification of stored copies, for real: a db backup of the generated environment on a local
 * folder and on s3proxy, then one copy damaged, removed or made unreachable; the scrub.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class VerificationTest {

    static final String BUCKET = "verify";
    static final String PREFIX = "ocore";
    static SourceEnvironment src;
    static S3ProxyServer s3;
    static S3Client s3Client;

    @Inject
    Pool pool;

    @Inject
    com.fasterxml.jackson.databind.ObjectMapper mapper;

    @Inject
    Scrub scrub;

    @Inject
    VerificationStore store;

    /** One org's two-destination backup. */
    record Copy(UUID org, UUID env, String id, Path localDir, UUID local, UUID s3) {
        String key(ComponentName c) {
            return BackupLayout.componentKey(org, env, UUID.fromString(id), c);
        }
    }

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
    }

    @AfterAll
    static void stop() {
        s3Client.close();
        s3.close();
    }

    static Map<String, Object> s3Config(String endpoint) {
        return Map.of("bucket", BUCKET, "region", s3.region(), "accessKeyId", s3.accessKey(), "secretAccessKey",
                s3.secretKey(), "endpoint", endpoint, "pathPrefix", PREFIX);
    }

    static Copy backup() throws Exception {
        return backup("db");
    }

    static Copy backup(String type) throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        Path dir = Files.createTempDirectory("ocore-verify-");
        UUID local = UUID.randomUUID();
        DestinationStub.register(org, local, "Local disk", "local", Map.of("path", dir.toString()));
        UUID s3Dest = UUID.randomUUID();
        DestinationStub.register(org, s3Dest, "S3", "s3", s3Config(s3.endpoint().toString()));
        String id = BackupExecutionTest.requestBackup(org, env, type, local, s3Dest);
        JsonPath b = BackupExecutionTest.awaitFinished(org, id);
        assertThat(b.getString("status")).as(b.prettify()).isEqualTo("completed");
        // both copies written: a verdict on a destination the backup never reached would test nothing
        assertThat(b.getList("failedDestinations")).as(b.prettify()).isNullOrEmpty();
        return new Copy(org, env, id, dir, local, s3Dest);
    }

    static JsonPath verify(UUID org, String backupId) {
        String vid = given().auth().oauth2(manager(org)).post("/api/backups/" + backupId + "/verify").then()
                .statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> given().auth().oauth2(viewer(org)).get("/api/verifications/" + vid).then()
                        .statusCode(200).body("status", not("running")));
        JsonPath v = given().auth().oauth2(viewer(org)).get("/api/verifications/" + vid).then().extract().jsonPath();
        assertThat(v.getString("backupId")).isEqualTo(backupId);
        assertThat(v.getString("startedAt")).isNotNull();
        assertThat(v.getString("completedAt")).isNotNull();
        return v;
    }

    List<Events.BackupCorrupted> corruptedEvents(String backupId) throws Exception {
        var rows = pool.preparedQuery("select payload from outbox_event where event_type = $1 and payload like $2")
                .execute(Tuple.of(EventTypes.typeOf(Events.BackupCorrupted.class), "%" + backupId + "%"))
                .await().atMost(Duration.ofSeconds(10));
        List<Events.BackupCorrupted> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(mapper.readValue(r.getString("payload"), Events.BackupCorrupted.class));
        }
        return out;
    }

    @Test
    void aFlippedByteOnOneDestinationIsCorruptThereAndOkOnTheOther() throws Exception {
        Copy c = backup();
        JsonPath clean = verify(c.org(), c.id());
        assertThat(clean.getString("status")).as(clean.prettify()).isEqualTo("completed");
        assertThat(clean.getString("destinations." + c.local() + ".status")).isEqualTo("ok");
        assertThat(clean.getString("destinations." + c.s3() + ".status")).isEqualTo("ok");

        Path stored = c.localDir().resolve(c.key(ComponentName.database));
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(stored, bytes);

        JsonPath v = verify(c.org(), c.id());
        assertThat(v.getString("status")).as(v.prettify()).isEqualTo("completed");
        assertThat(v.getString("destinations." + c.local() + ".status")).as(v.prettify()).isEqualTo("corrupt");
        assertThat(v.getString("destinations." + c.local() + ".detail")).contains("database")
                .contains("checksum mismatch");
        assertThat(v.getString("destinations." + c.s3() + ".status")).as(v.prettify()).isEqualTo("ok");

        List<Events.BackupCorrupted> events = corruptedEvents(c.id());
        assertThat(events).hasSize(1);
        assertThat(events.get(0).destinationId()).isEqualTo(c.local());
        assertThat(events.get(0).status()).isEqualTo("corrupt");
        assertThat(events.get(0).detectedBy()).isEqualTo("verify");
        assertThat(events.get(0).detail()).contains("database");
    }

    @Test
    void aDeletedObjectIsMissing() throws Exception {
        Copy c = backup();
        s3Client.deleteObject(r -> r.bucket(BUCKET).key(PREFIX + "/" + c.key(ComponentName.database)));

        JsonPath v = verify(c.org(), c.id());
        assertThat(v.getString("status")).isEqualTo("completed");
        assertThat(v.getString("destinations." + c.s3() + ".status")).as(v.prettify()).isEqualTo("missing");
        assertThat(v.getString("destinations." + c.s3() + ".detail")).contains("database");
        assertThat(v.getString("destinations." + c.local() + ".status")).isEqualTo("ok");
        assertThat(corruptedEvents(c.id())).singleElement()
                .satisfies(e -> assertThat(e.destinationId()).isEqualTo(c.s3()))
                .satisfies(e -> assertThat(e.status()).isEqualTo("missing"));
    }

    @Test
    void aMissingManifestIsMissing() throws Exception {
        Copy c = backup();
        Files.delete(c.localDir().resolve(BackupLayout.manifestKey(c.org(), c.env(), UUID.fromString(c.id()))));

        JsonPath v = verify(c.org(), c.id());
        assertThat(v.getString("destinations." + c.local() + ".status")).as(v.prettify()).isEqualTo("missing");
        assertThat(v.getString("destinations." + c.local() + ".detail")).contains("manifest.json");
        assertThat(v.getString("destinations." + c.s3() + ".status")).isEqualTo("ok");
    }

    @Test
    void anUnreachableDestinationIsUnreachableAndRaisesNoCorruption() throws Exception {
        Copy c = backup();
        // The same destination, now at a port where nothing listens.
        DestinationStub.register(c.org(), c.s3(), "S3", "s3", s3Config("http://127.0.0.1:9"));

        JsonPath v = verify(c.org(), c.id());
        assertThat(v.getString("status")).isEqualTo("completed");
        assertThat(v.getString("destinations." + c.s3() + ".status")).as(v.prettify()).isEqualTo("unreachable");
        assertThat(v.getString("destinations." + c.local() + ".status")).isEqualTo("ok");
        assertThat(v.prettify()).doesNotContain(s3.secretKey());
        assertThat(corruptedEvents(c.id())).isEmpty();
    }

    @Test
    void anotherOrganisationSeesNeitherTheBackupNorItsVerification() throws Exception {
        Copy c = backup();
        String vid = given().auth().oauth2(manager(c.org())).post("/api/backups/" + c.id() + "/verify").then()
                .statusCode(202).extract().path("id");
        UUID other = UUID.randomUUID();
        given().auth().oauth2(viewer(other)).get("/api/verifications/" + vid).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(manager(other)).post("/api/backups/" + c.id() + "/verify").then().statusCode(404)
                .contentType("application/problem+json");
        // a viewer may read, not start
        given().auth().oauth2(viewer(c.org())).post("/api/backups/" + c.id() + "/verify").then().statusCode(403);
        given().auth().oauth2(viewer(c.org())).get("/api/verifications/" + vid).then().statusCode(200);
    }

    @Test
    void aBackupThatIsNotCompletedCannotBeVerified() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.registerNowhere(org);
        Path dir = Files.createTempDirectory("ocore-verify-");
        UUID local = UUID.randomUUID();
        DestinationStub.register(org, local, "Local disk", "local", Map.of("path", dir.toString()));
        String id = given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(Map.of("backupType", "db", "destinationIds", Stream.of(local).map(UUID::toString).toList()))
                .post("/api/environments/" + env + "/backups").then().statusCode(202).extract().path("id");
        assertThat(BackupExecutionTest.awaitFinished(org, id).getString("status")).isEqualTo("failed");

        given().auth().oauth2(manager(org)).post("/api/backups/" + id + "/verify").then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("failed"));
    }

    @Test
    void theScrubVerifiesWhatIsDueOldestFirstAndSkipsWhatWasVerifiedRecently() throws Exception {
        Copy recent = backup();
        JsonPath manual = verify(recent.org(), recent.id());
        assertThat(manual.getString("status")).isEqualTo("completed");
        // every other backup in this database counts as just verified
        pool.query("""
                insert into backup_verification_state (backup_id, last_verified_at)
                select id, now() from backup where status = 'completed'
                on conflict (backup_id) do update set last_verified_at = now()""").execute()
                .await().atMost(Duration.ofSeconds(10));
        Copy fresh = backup();
        assertThat(store.lastVerifiedAt(UUID.fromString(fresh.id()))).isNull();

        List<UUID> scrubbed = scrub.runDue();

        assertThat(scrubbed).containsExactly(UUID.fromString(fresh.id()));
        assertThat(store.lastVerifiedAt(UUID.fromString(fresh.id()))).isNotNull();
        List<VerificationStore.Verification> ofFresh = store.ofBackup(UUID.fromString(fresh.id()));
        assertThat(ofFresh).singleElement().satisfies(v -> {
            assertThat(v.trigger()).isEqualTo("scrub");
            assertThat(v.status()).isEqualTo("completed");
            assertThat(v.destinations().values()).as(v.destinations().toString())
                    .extracting(VerificationStore.DestinationResult::status).containsOnly("ok");
        });
        assertThat(store.ofBackup(UUID.fromString(recent.id()))).hasSize(1); // only the manual one

        // Nothing is due any more; once the period (1h in tests) has passed, the older one is first.
        assertThat(scrub.runDue()).isEmpty();
        pool.preparedQuery("update backup_verification_state set last_verified_at = now() - interval '2 hours' "
                + "where backup_id = any($1)").execute(Tuple.of(new UUID[] {UUID.fromString(recent.id()),
                        UUID.fromString(fresh.id())})).await().atMost(Duration.ofSeconds(10));
        pool.preparedQuery("update backup_verification_state set last_verified_at = now() - interval '3 hours' "
                + "where backup_id = $1").execute(Tuple.of(UUID.fromString(recent.id())))
                .await().atMost(Duration.ofSeconds(10));
        assertThat(scrub.runDue()).containsExactly(UUID.fromString(recent.id()), UUID.fromString(fresh.id()));
    }

    /**
     * The scrub reads at its paced rate (a tenth of a second's worth per read): a full backup's
     * filestore blobs read that way are checked like any others. It once answered "unreachable"
     * for every blob-store filestore (a zero-length read was turned into a one-byte read past the
     * end of the blob reader's buffer), so the scrub checked no filestore at all.
     */
    @Test
    void theScrubChecksAFullBackupsFilestoreBlobsAndFindsThemOk() throws Exception {
        pool.query("""
                insert into backup_verification_state (backup_id, last_verified_at)
                select id, now() from backup where status = 'completed'
                on conflict (backup_id) do update set last_verified_at = now()""").execute()
                .await().atMost(Duration.ofSeconds(10));
        Copy full = backup("full");

        assertThat(scrub.runDue()).containsExactly(UUID.fromString(full.id()));

        assertThat(store.ofBackup(UUID.fromString(full.id()))).singleElement().satisfies(v -> {
            assertThat(v.trigger()).isEqualTo("scrub");
            assertThat(v.destinations().values()).as(v.destinations().toString())
                    .extracting(VerificationStore.DestinationResult::status).containsOnly("ok");
            assertThat(v.destinations().values()).extracting(VerificationStore.DestinationResult::detail)
                    .allSatisfy(d -> assertThat(d).contains("filestore blob(s) read and checked"));
        });
    }
}
