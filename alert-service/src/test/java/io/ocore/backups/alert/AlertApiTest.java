package io.ocore.backups.alert;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.ocore.backups.platform.events.v1.Events.BackupFailed;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
class AlertApiTest {

    static KafkaTestClient kafka;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    static String viewer(UUID org) {
        return TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS);
    }

    static UUID failBackup(UUID org, UUID env) {
        UUID backup = UUID.randomUUID();
        kafka.publish(new BackupFailed(org, env, backup, "full", "scheduled", "k-" + backup,
                "pg_dump exited with code 1", Instant.now()));
        return backup;
    }

    static void awaitAlerts(UUID org, int count) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/backup-alerts").then().statusCode(200).body("items", hasSize(count)));
    }

    @Test
    void missingExpiredOrForeignTokensAre401ProblemDetails() {
        UUID org = UUID.randomUUID();
        given().get("/api/backup-alerts").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", "Bearer")
                .body("status", equalTo(401)).body("title", equalTo("Unauthorized"));
        given().auth().oauth2(TestTokens.expired(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/backup-alerts").then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.signedByOtherKey(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/backup-alerts").then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2("not-a-jwt").get("/api/backup-alerts").then().statusCode(401);
    }

    @Test
    void aTokenWithoutViewPermissionIs403() {
        given().auth().oauth2(TestTokens.of(UUID.randomUUID(), Permissions.MANAGE_ORG_SETTINGS))
                .get("/api/backup-alerts").then().statusCode(403)
                .contentType("application/problem+json").body("status", equalTo(403));
    }

    @Test
    void anotherOrganisationsAlertIs404AndNeverListed() {
        UUID org = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        UUID backup = failBackup(org, UUID.randomUUID());
        awaitAlerts(org, 1);
        String id = given().auth().oauth2(viewer(org)).get("/api/backup-alerts").then()
                .body("items[0].backupId", equalTo(backup.toString()))
                .body("items[0].alertType", equalTo("backup_failed"))
                .body("items[0].severity", equalTo("error"))
                .body("items[0].isRead", equalTo(false))
                .extract().path("items[0].id");

        given().auth().oauth2(viewer(other)).get("/api/backup-alerts/" + id).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(viewer(other)).post("/api/backup-alerts/" + id + "/read").then().statusCode(404);
        given().auth().oauth2(viewer(other)).get("/api/backup-alerts").then().statusCode(200).body("items", hasSize(0));
        given().auth().oauth2(viewer(org)).get("/api/backup-alerts/" + id).then().statusCode(200)
                .body("isRead", equalTo(false));
    }

    @Test
    void badFiltersAre400sNamingTheParameter() {
        String token = viewer(UUID.randomUUID());
        given().auth().oauth2(token).get("/api/backup-alerts?severity=loud").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("severity"))
                .body("errors[0].message", equalTo("must be one of [info, warning, error, critical]"));
        given().auth().oauth2(token).get("/api/backup-alerts?cursor=xyz").then().statusCode(400)
                .body("errors[0].field", equalTo("cursor"));
        given().auth().oauth2(token).get("/api/backup-alerts?limit=0").then().statusCode(400)
                .body("errors[0].field", equalTo("limit"));
        given().auth().oauth2(token).get("/api/backup-alerts/not-a-uuid").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void pagesFollowTheCursorAndReadFlagsStick() {
        UUID org = UUID.randomUUID();
        UUID env = UUID.randomUUID();
        failBackup(org, env);
        failBackup(org, env);
        failBackup(org, env);
        awaitAlerts(org, 3);

        String token = viewer(org);
        String next = given().auth().oauth2(token).get("/api/backup-alerts?limit=2").then().statusCode(200)
                .body("items", hasSize(2)).body("nextCursor", notNullValue()).extract().path("nextCursor");
        given().auth().oauth2(token).queryParam("cursor", next).queryParam("limit", 2).get("/api/backup-alerts")
                .then().statusCode(200).body("items", hasSize(1)).body("nextCursor", nullValue());

        String first = given().auth().oauth2(token).get("/api/backup-alerts").then().extract().path("items[0].id");
        given().auth().oauth2(token).post("/api/backup-alerts/" + first + "/read").then().statusCode(200)
                .body("isRead", equalTo(true));
        given().auth().oauth2(token).get("/api/backup-alerts?isRead=false").then().body("items", hasSize(2));
        given().auth().oauth2(token).get("/api/backup-alerts?isRead=true").then()
                .body("items.id", contains(first));

        given().auth().oauth2(token).contentType(ContentType.JSON).post("/api/backup-alerts/read-all").then()
                .statusCode(200).body("marked", equalTo(2));
        given().auth().oauth2(token).get("/api/backup-alerts?isRead=false").then().body("items", hasSize(0));
    }
}
