package io.ocore.backups.backup;

import io.ocore.backups.platform.testing.fakes.DestinationStub;

import static io.ocore.backups.backup.Fixtures.manager;
import static io.ocore.backups.backup.Fixtures.viewer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The catalogue and the backups API: permissions, organisation scoping, validation, requests by event. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class BackupApiTest {

    static KafkaTestClient kafka;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    static UUID registerNowhere(UUID org) throws Exception {
        return Fixtures.registerNowhere(org);
    }

    @Test
    void anEnvironmentIsRegisteredWithoutEverShowingItsPasswordAndAnnounced() throws Exception {
        UUID org = UUID.randomUUID();
        UUID project = UUID.randomUUID();
        int port = SourceEnvironment.get().cluster.port();
        var body = Fixtures.environmentBody(project, port, "odoo_prod", Fixtures.filestore("odoo_prod"),
                Fixtures.config("odoo_prod.conf"));
        String id = given().auth().oauth2(Fixtures.platform(org)).contentType(ContentType.JSON).body(body)
                .post("/api/environments").then().statusCode(201)
                .header("Location", containsString("/api/environments/"))
                .body("database.host", equalTo("127.0.0.1")).body("database.port", equalTo(port))
                .body("database.name", equalTo("odoo_prod")).body("database.user", equalTo("postgres"))
                .body("database", not(hasKey("password")))
                .body("environmentType", equalTo("production"))
                .extract().path("id");
        String listed = given().auth().oauth2(viewer(org)).get("/api/environments?projectId=" + project).then()
                .statusCode(200).body("items.id", contains(id)).extract().asString();
        assertThat(listed).doesNotContain("s3cret-pw");
        given().auth().oauth2(viewer(org)).get("/api/environments?projectId=" + UUID.randomUUID()).then()
                .body("items", hasSize(0));
        String one = given().auth().oauth2(viewer(org)).get("/api/environments/" + id).then().statusCode(200)
                .extract().asString();
        assertThat(one).doesNotContain("s3cret-pw");

        // Other services read it with the service token only; the password only when they ask for it.
        String plain = given().auth().oauth2(TestTokens.service()).get("/internal/environments/" + id + "?orgId=" + org)
                .then().statusCode(200).body("orgId", equalTo(org.toString())).extract().asString();
        assertThat(plain).doesNotContain("s3cret-pw");
        given().auth().oauth2(TestTokens.service())
                .get("/internal/environments/" + id + "?orgId=" + org + "&credentials=true").then()
                .statusCode(200).body("database.password", equalTo("s3cret-pw")).body("orgId", equalTo(org.toString()));
        given().auth().oauth2(TestTokens.service())
                .get("/internal/environments/" + id + "?orgId=" + org + "&credentials=yes").then()
                .statusCode(400).body("errors.field", hasItem("credentials"));
        given().auth().oauth2(manager(org)).get("/internal/environments/" + id + "?orgId=" + org).then().statusCode(401);
        given().auth().oauth2(TestTokens.service()).get("/internal/environments/" + id + "?orgId=" + UUID.randomUUID())
                .then().statusCode(404);

        KafkaTestClient.Received event = kafka.awaitRecord(Topics.ENVIRONMENT, r -> r.data().contains(id),
                Duration.ofSeconds(30));
        assertThat(event.type()).isEqualTo(EventTypes.typeOf(Events.EnvironmentRegistered.class));
        assertThat(event.data()).doesNotContain("s3cret-pw");
    }

    @Test
    void restoreServiceRegistersAnEnvironmentInternally() throws Exception {
        UUID org = UUID.randomUUID();
        var body = new java.util.HashMap<String, Object>(Fixtures.environmentBody(UUID.randomUUID(),
                SourceEnvironment.get().cluster.port(), "odoo_new", Fixtures.filestore("odoo_new"),
                Fixtures.config("odoo_new.conf")));
        body.put("orgId", org.toString());
        String id = given().auth().oauth2(TestTokens.service()).contentType(ContentType.JSON).body(body)
                .post("/internal/environments").then().statusCode(201).extract().path("id");
        given().auth().oauth2(viewer(org)).get("/api/environments/" + id).then().statusCode(200)
                .body("database.name", equalTo("odoo_new"));
        body.remove("orgId");
        given().auth().oauth2(TestTokens.service()).contentType(ContentType.JSON).body(body)
                .post("/internal/environments").then().statusCode(400).body("errors.field", hasItem("orgId"));
    }

    @Test
    void authenticationPermissionsAndOrganisationsAreEnforced() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = registerNowhere(org);
        given().get("/api/environments").then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.expired(org, Permissions.VIEW_ENVIRONMENTS)).get("/api/environments/" + env)
                .then().statusCode(401);
        given().auth().oauth2(TestTokens.of(org, Permissions.MANAGE_ORG_SETTINGS)).get("/api/environments/" + env)
                .then().statusCode(403).contentType("application/problem+json");
        // viewers cannot create backups or environments
        given().auth().oauth2(viewer(org)).contentType(ContentType.JSON).body(Map.of("backupType", "db",
                "destinationIds", List.of(UUID.randomUUID().toString())))
                .post("/api/environments/" + env + "/backups").then().statusCode(403);
        given().auth().oauth2(viewer(org)).contentType(ContentType.JSON)
                .body(Fixtures.environmentBody(UUID.randomUUID(), 1, "x", "/a", "/b")).post("/api/environments")
                .then().statusCode(403);
        // environments belong to the platform: not even an organisation's manager registers one
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(Fixtures.environmentBody(UUID.randomUUID(), 1, "x", "/a", "/b")).post("/api/environments")
                .then().statusCode(403);

        UUID other = UUID.randomUUID();
        given().auth().oauth2(viewer(other)).get("/api/environments/" + env).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(viewer(other)).get("/api/environments/" + env + "/backups").then().statusCode(404);
        given().auth().oauth2(manager(other)).contentType(ContentType.JSON).body(Map.of("backupType", "db",
                "destinationIds", List.of(UUID.randomUUID().toString())))
                .post("/api/environments/" + env + "/backups").then().statusCode(404);

        String backup = given().auth().oauth2(manager(org)).contentType(ContentType.JSON).body(Map.of("backupType",
                "db", "destinationIds", List.of(UUID.randomUUID().toString())))
                .post("/api/environments/" + env + "/backups").then().statusCode(202)
                .body("status", equalTo("pending")).body("trigger", equalTo("manual"))
                .extract().path("id");
        given().auth().oauth2(viewer(other)).get("/api/backups/" + backup).then().statusCode(404);
        given().auth().oauth2(manager(other)).delete("/api/backups/" + backup).then().statusCode(404);
        given().auth().oauth2(viewer(org)).get("/api/environments").then().body("items.id", hasItem(env.toString()));
        given().auth().oauth2(viewer(other)).get("/api/environments").then().body("items", hasSize(0));
    }

    @Test
    void badRequestsAre400sNamingEveryField() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = registerNowhere(org);
        String token = manager(org);
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("backupType", "weekly"))
                .post("/api/environments/" + env + "/backups").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("backupType"))
                .body("errors[0].message", equalTo("must be one of [db, full]"));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("backupType", "db", "destinationIds", List.of("nope")))
                .post("/api/environments/" + env + "/backups").then().statusCode(400)
                .body("errors[0].field", equalTo("destinationIds[0]"));
        // no destinationIds and no schedule
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("backupType", "db"))
                .post("/api/environments/" + env + "/backups").then().statusCode(400)
                .body("errors[0].field", equalTo("destinationIds"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("backupType", "db",
                "destinationIds", List.of(UUID.randomUUID().toString())))
                .post("/api/environments/" + UUID.randomUUID() + "/backups").then().statusCode(404);
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"backupType\": ")
                .post("/api/environments/" + env + "/backups").then().statusCode(400);
        given().auth().oauth2(token).get("/api/environments/" + env + "/backups?status=done").then().statusCode(400)
                .body("errors[0].field", equalTo("status"));
        given().auth().oauth2(token).get("/api/environments/" + env + "/backups?limit=500").then().statusCode(400)
                .body("errors[0].field", equalTo("limit"));
        // "/ok" is an absolute path, yet outside the configured config roots
        given().auth().oauth2(Fixtures.platform(org)).contentType(ContentType.JSON)
                .body(Map.of("name", "", "projectId", "x", "environmentType", "prod",
                        "database", Map.of("host", "h", "port", 0, "name", "a=b", "user", "u"),
                        "filestorePath", "rel", "configPath", "/ok"))
                .post("/api/environments").then().statusCode(400)
                .body("errors.field", containsInAnyOrder("name", "projectId", "environmentType",
                        "database.port", "database.name", "database.password", "filestorePath", "configPath"));
    }

    @Test
    void theSchedulesDestinationsAreUsedWhenTheRequestNamesNone() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = registerNowhere(org);
        UUID dest = UUID.randomUUID();
        kafka.publish(new Events.BackupScheduleChanged(org, env, true, false, 7, List.of(dest)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(manager(org))
                .contentType(ContentType.JSON).body(Map.of("backupType", "db"))
                .post("/api/environments/" + env + "/backups").then().statusCode(202)
                .body("destinationIds", contains(dest.toString())));
    }

    @Test
    void aRedeliveredBackupRequestMakesOneBackupAndTiersAreRecorded() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = registerNowhere(org);
        UUID dest = UUID.randomUUID(); // unknown to destination-service: the backup fails, which is fine here
        Events.BackupRequested req = new Events.BackupRequested(org, env, "db", "scheduled",
                env + "@2026-03-15T14:00:00Z", List.of(dest), Instant.parse("2026-03-15T14:00:00Z"), false);
        kafka.publish(req);
        kafka.publish(req); // a new event id, the same request: the idempotency key decides
        kafka.publish(req, UUID.randomUUID());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/environments/" + env + "/backups").then().body("items", hasSize(1))
                .body("items[0].status", equalTo("failed")));
        String id = given().auth().oauth2(viewer(org)).get("/api/environments/" + env + "/backups").then()
                .body("items[0].trigger", equalTo("scheduled"))
                .body("items[0].failedDestinations[0].destinationId", equalTo(dest.toString()))
                .body("items[0].error", containsString("no destination could be opened"))
                .extract().path("items[0].id");
        // a later marker request proves the duplicates were consumed before it
        kafka.publish(new Events.BackupRequested(org, env, "db", "scheduled", env + "@marker", List.of(dest),
                Instant.now(), false));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/environments/" + env + "/backups").then().body("items", hasSize(2)));

        kafka.publish(new Events.BackupTiersAssigned(org, env, Map.of(UUID.fromString(id), List.of("daily", "weekly"))));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/backups/" + id).then().body("gfsTiers", contains("daily", "weekly")));

        KafkaTestClient.Received failed = kafka.awaitRecord(Topics.BACKUP, r -> r.data().contains(id),
                Duration.ofSeconds(30));
        assertThat(failed.type()).isEqualTo(EventTypes.typeOf(Events.BackupFailed.class));
        assertThat(failed.as(Events.BackupFailed.class).idempotencyKey()).isEqualTo(req.idempotencyKey());

        // an expired backup is deleted (nothing is stored anywhere for this one)
        kafka.publish(new Events.BackupExpired(org, env, UUID.fromString(id), "fell out of every tier"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/backups/" + id).then().statusCode(404));
        KafkaTestClient.Received deleted = kafka.awaitRecord(Topics.BACKUP,
                r -> r.data().contains(id) && r.type().endsWith("BackupDeleted.v1"), Duration.ofSeconds(30));
        assertThat(deleted).isNotNull();
        given().auth().oauth2(viewer(org)).get("/api/environments/" + env + "/snapshots").then().statusCode(200)
                .body("items", hasSize(0)).body("nextCursor", nullValue());
        assertThat(id).isNotNull();
        given().auth().oauth2(viewer(org)).get("/api/environments/" + env + "/backups?status=failed").then()
                .body("items", hasSize(1)).body("items[0].id", notNullValue());
    }
}
