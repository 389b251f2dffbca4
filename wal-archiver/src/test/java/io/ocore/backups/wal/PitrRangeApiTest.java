package io.ocore.backups.wal;

import static io.ocore.backups.wal.WalRows.segment;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;

import io.ocore.backups.platform.events.v1.Events.BackupCompleted;
import io.ocore.backups.platform.events.v1.Events.BackupDeleted;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.ocore.backups.platform.events.v1.Events.PitrBase;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
class PitrRangeApiTest {

    static KafkaTestClient kafka;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    /** Registers the environment and waits until wal-archiver knows it (bases of unknown ones are retried). */
    static void registered(UUID org, UUID env) {
        kafka.publish(new EnvironmentRegistered(org, env, UUID.randomUUID(), "prod", "production", Instant.now()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .auth().oauth2(TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/environments/{env}/wal-coverage", env).then().statusCode(200));
    }

    @Test
    void aBaseReachesFromItsConsistencyPointToTheLastCommitOfItsUnbrokenWal() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = UUID.randomUUID();
        UUID backup = UUID.randomUUID();
        String token = TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS);
        Instant t0 = Instant.parse("2026-03-15T14:00:00Z");
        registered(org, env);
        // pg_basebackup started in segment 2 and stopped in segment 3
        kafka.publish(new BackupCompleted(org, env, backup, "db", "scheduled", "k-" + backup, 52_000_000L,
                t0.plusSeconds(300), t0.plusSeconds(400), Map.of(), List.of(),
                new PitrBase("0/2000028", "0/3000138", 1, "000000010000000000000002", t0.plusSeconds(399))));

        // the base is known, but its own WAL is not archived yet
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token)
                .get("/api/backups/{id}/pitr-range", backup).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("000000010000000000000002 is missing")));
        Instant now = Instant.now();
        WalRows.insert(env, List.of(UUID.randomUUID()),
                segment("000000010000000000000001", t0.plusSeconds(1), t0.plusSeconds(299), 300, now),
                segment("000000010000000000000002", t0.plusSeconds(300), t0.plusSeconds(398), 120, now),
                segment("000000010000000000000002.00000028.backup", null, null, 0, now));
        given().auth().oauth2(token).get("/api/backups/{id}/pitr-range", backup).then().statusCode(409)
                .body("detail", containsString("000000010000000000000003 is missing"));
        given().auth().oauth2(TestTokens.service()).queryParam("orgId", org.toString())
                .get("/internal/backups/{id}/pitr-range", backup).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("000000010000000000000003 is missing"));

        WalRows.insert(env, List.of(UUID.randomUUID()),
                segment("000000010000000000000003", t0.plusSeconds(401), t0.plusSeconds(700), 290, now),
                segment("000000010000000000000004", t0.plusSeconds(701), t0.plusSeconds(1000), 310, now),
                // after a hole: not reachable from this base
                segment("000000010000000000000006", t0.plusSeconds(1300), t0.plusSeconds(1600), 301, now));
        given().auth().oauth2(token).get("/api/backups/{id}/pitr-range", backup).then().statusCode(200)
                .body("backupId", equalTo(backup.toString()))
                .body("environmentId", equalTo(env.toString()))
                .body("from", equalTo("2026-03-15T14:06:39Z"))
                .body("to", equalTo("2026-03-15T14:16:40Z"))
                .body("timeline", equalTo(1))
                .body("startSegment", equalTo("000000010000000000000002"))
                .body("endSegment", equalTo("000000010000000000000004"));

        // restore-service's view (service token only): the same range, 404 for another organisation
        given().auth().oauth2(TestTokens.service()).queryParam("orgId", org.toString())
                .get("/internal/backups/{id}/pitr-range", backup).then().statusCode(200)
                .body("from", equalTo("2026-03-15T14:06:39Z"))
                .body("to", equalTo("2026-03-15T14:16:40Z"))
                // what a replay fetches: the segments of the range only, each with its checksum and destinations
                .body("files.fileName", contains("000000010000000000000002", "000000010000000000000003",
                        "000000010000000000000004"))
                .body("files[0].sha256", matchesPattern("[0-9a-f]{64}"))
                .body("files[0].sizeBytes", equalTo(16 << 20))
                .body("files[0].destinationIds", hasSize(1));
        given().auth().oauth2(TestTokens.service()).queryParam("orgId", UUID.randomUUID().toString())
                .get("/internal/backups/{id}/pitr-range", backup).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(token).queryParam("orgId", org.toString())
                .get("/internal/backups/{id}/pitr-range", backup).then().statusCode(401);
        given().queryParam("orgId", org.toString()).get("/internal/backups/{id}/pitr-range", backup).then()
                .statusCode(401);

        // another organisation, an unknown backup: 404
        given().auth().oauth2(TestTokens.of(UUID.randomUUID(), Permissions.VIEW_ENVIRONMENTS))
                .get("/api/backups/{id}/pitr-range", backup).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(token).get("/api/backups/{id}/pitr-range", UUID.randomUUID()).then().statusCode(404);
        given().get("/api/backups/{id}/pitr-range", backup).then().statusCode(401);

        // deleted: no longer a base
        kafka.publish(new BackupDeleted(org, env, backup, Instant.now()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token)
                .get("/api/backups/{id}/pitr-range", backup).then().statusCode(404));
    }

    @Test
    void aBackupWithoutABaseHasNoRange() {
        UUID org = UUID.randomUUID();
        UUID env = UUID.randomUUID();
        UUID backup = UUID.randomUUID();
        UUID marker = UUID.randomUUID();
        registered(org, env);
        Instant t = Instant.now();
        kafka.publish(new BackupCompleted(org, env, backup, "db", "manual", "k1", 1000, t, t, Map.of(), List.of()));
        kafka.publish(new BackupCompleted(org, env, marker, "db", "manual", "k2", 1000, t, t, Map.of(), List.of(),
                new PitrBase("0/5000028", "0/5000100", 1, "000000010000000000000005", t)));
        String token = TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS);
        // the later event on the same key was consumed, so the first was too
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token)
                .get("/api/backups/{id}/pitr-range", marker).then().statusCode(409));
        given().auth().oauth2(token).get("/api/backups/{id}/pitr-range", backup).then().statusCode(404);
    }
}
