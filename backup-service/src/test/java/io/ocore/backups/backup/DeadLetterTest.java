package io.ocore.backups.backup;

import io.ocore.backups.platform.testing.fakes.DestinationStub;

import static io.ocore.backups.backup.Fixtures.viewer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, "a dead-lettered expiry retried to completion": a BackupExpired whose handling keeps
 * failing (the database refuses any change to the backup's row: a trigger, a real failure of the
 * expiry's transaction) is dead-lettered (recorded, EventDeadLettered published once, written to
 * backup-service.schedule-events.dlq) and retried with backoff until, the fault gone, the expiry
 * is applied.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class DeadLetterTest {

    static KafkaTestClient kafka;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    static Connection db() throws Exception {
        Config c = ConfigProvider.getConfig();
        return DriverManager.getConnection(c.getValue("quarkus.datasource.jdbc.url", String.class),
                c.getValue("quarkus.datasource.username", String.class),
                c.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
    }

    static void sql(String statement) throws Exception {
        try (Connection c = db(); var s = c.createStatement()) {
            s.execute(statement);
        }
    }

    static long count(String query, String arg) throws Exception {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(query)) {
            s.setString(1, arg);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    static List<Map<String, Object>> deadLetters() {
        return given().auth().oauth2(TestTokens.service()).get("/internal/dead-letters").then().statusCode(200)
                .extract().jsonPath().getList("items");
    }

    static Map<String, Object> deadLetterOf(UUID eventId) {
        return deadLetters().stream().filter(d -> eventId.toString().equals(d.get("eventId"))).findFirst().orElse(null);
    }

    @Test
    void aDeadLetteredExpiryIsRetriedToCompletion() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.registerNowhere(org);
        UUID backup = UUID.randomUUID();
        // A completed backup stored nowhere: its expiry needs nothing but the catalogue.
        sql("insert into backup (id, org_id, environment_id, backup_type, trigger, status, destination_ids, "
                + "completed_at, created_at) values ('" + backup + "', '" + org + "', '" + env
                + "', 'db', 'scheduled', 'completed', '[]', now(), now())");
        given().auth().oauth2(viewer(org)).get("/api/backups/" + backup).then().statusCode(200)
                .body("status", equalTo("completed"));

        // The fault: every change to this backup's row fails in the database.
        String fault = "dead_letter_fault_" + backup.toString().replace("-", "");
        sql("create function " + fault + "() returns trigger language plpgsql as $$ begin "
                + "raise exception 'injected fault: backup row refuses changes'; end $$");
        sql("create trigger " + fault + " before update or delete on backup for each row when (old.id = '" + backup
                + "') execute function " + fault + "()");
        UUID eventId;
        try {
            eventId = kafka.publish(new Events.BackupExpired(org, env, backup, "fell out of every tier"));

            // Dead-lettered: recorded, announced once, and written to the service's dead-letter topic.
            KafkaTestClient.Received announced = kafka.awaitRecord(Topics.OPERATIONS,
                    r -> r.data().contains(eventId.toString()), Duration.ofSeconds(60));
            assertThat(announced.type()).isEqualTo(EventTypes.typeOf(Events.EventDeadLettered.class));
            Events.EventDeadLettered dl = announced.as(Events.EventDeadLettered.class);
            assertThat(dl.orgId()).isEqualTo(org);
            assertThat(dl.service()).isEqualTo("backup-service");
            assertThat(dl.topic()).isEqualTo(Topics.SCHEDULE);
            assertThat(dl.eventType()).isEqualTo(EventTypes.typeOf(Events.BackupExpired.class));
            assertThat(dl.reason()).contains("injected fault");

            KafkaTestClient.Received onDlq = kafka.awaitRecord(Topics.deadLetter("backup-service", Topics.SCHEDULE),
                    r -> eventId.toString().equals(r.headers().get("ce_id")), Duration.ofSeconds(30));
            assertThat(onDlq.headers()).containsKey("dead-letter-reason");
            assertThat(onDlq.data()).contains(backup.toString());

            Map<String, Object> recorded = deadLetterOf(eventId);
            assertThat(recorded).isNotNull();
            assertThat(recorded).containsEntry("consumer", "backup-service").containsEntry("topic", Topics.SCHEDULE)
                    .containsEntry("deadLetterTopic", "backup-service.schedule-events.dlq")
                    .containsEntry("status", "pending");

            // Retried with backoff while the fault lasts, never given up; the backup is untouched meanwhile.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> ((Number) deadLetterOf(eventId).get("attempts")).intValue() >= 3);
            assertThat(deadLetterOf(eventId).get("status")).isEqualTo("pending");
            given().auth().oauth2(viewer(org)).get("/api/backups/" + backup).then().statusCode(200)
                    .body("status", equalTo("completed"));
        } finally {
            sql("drop trigger if exists " + fault + " on backup");
            sql("drop function if exists " + fault + "()");
        }

        // The fault gone, a retry applies the expiry: the backup is no longer a completed backup.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            var response = given().auth().oauth2(viewer(org)).get("/api/backups/" + backup);
            assertThat(response.statusCode() == 404
                    || !"completed".equals(JsonPath.from(response.asString()).getString("status")))
                    .as("the expiry was applied: " + response.asString()).isTrue();
        });
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> "done".equals(deadLetterOf(eventId).get("status")));
        // announced once, however many attempts it took
        assertThat(count("select count(*) from outbox_event where event_type = '"
                + EventTypes.typeOf(Events.EventDeadLettered.class) + "' and payload like ?", "%" + eventId + "%"))
                .isEqualTo(1);
        // bad input to the listing is a 400 naming the field
        given().auth().oauth2(TestTokens.service()).get("/internal/dead-letters?status=lost").then().statusCode(400)
                .body("errors.field", hasItem("status"));
        given().auth().oauth2(Fixtures.manager(org)).get("/internal/dead-letters").then().statusCode(401);
    }
}
