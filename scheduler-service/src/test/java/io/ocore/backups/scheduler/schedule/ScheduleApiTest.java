package io.ocore.backups.scheduler.schedule;

import static io.ocore.backups.scheduler.SchedulerTestSupport.body;
import static io.ocore.backups.scheduler.SchedulerTestSupport.environment;
import static io.ocore.backups.scheduler.SchedulerTestSupport.manager;
import static io.ocore.backups.scheduler.SchedulerTestSupport.viewer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.fakes.OwnerServicesStub;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.scheduler.DestinationStub;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.ocore.backups.scheduler.TestClock;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(OwnerServicesStub.class)
class ScheduleApiTest {

    static KafkaTestClient kafka;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    @AfterEach
    void realTime() {
        TestClock.reset();
    }

    static String path(UUID env) {
        return "/api/environments/" + env + "/backup-schedule";
    }

    @Test
    void beforeAnyPutTheRecommendedValuesOfTheEnvironmentTypeAreAnsweredDisabled() {
        UUID org = UUID.randomUUID();
        UUID prod = environment(kafka, org, "production");
        UUID staging = environment(kafka, org, "staging");
        UUID dev = environment(kafka, org, "development");
        given().auth().oauth2(viewer(org)).get(path(prod)).then().statusCode(200)
                .body("enabled", equalTo(false)).body("dbFrequency", equalTo("6h"))
                .body("fullFrequency", equalTo("daily")).body("retainHourly", equalTo(24))
                .body("retainDaily", equalTo(7)).body("retainWeekly", equalTo(4)).body("retainMonthly", equalTo(12))
                .body("destinationIds", empty()).body("timezone", equalTo("UTC"))
                .body("nextDbBackupAt", nullValue()).body("nextFullBackupAt", nullValue());
        given().auth().oauth2(viewer(org)).get(path(staging)).then().statusCode(200)
                .body("enabled", equalTo(false)).body("dbFrequency", equalTo("daily"))
                .body("fullFrequency", equalTo("weekly")).body("retainHourly", equalTo(0))
                .body("retainDaily", equalTo(7)).body("retainWeekly", equalTo(2)).body("retainMonthly", equalTo(0));
        given().auth().oauth2(viewer(org)).get(path(dev)).then().statusCode(200)
                .body("enabled", equalTo(false)).body("dbFrequency", equalTo("daily"))
                .body("fullFrequency", equalTo("weekly")).body("retainHourly", equalTo(0))
                .body("retainDaily", equalTo(3)).body("retainWeekly", equalTo(0)).body("retainMonthly", equalTo(0));
    }

    @Test
    void putThenGetAnswersTheScheduleWithNextTimesAndAnnouncesIt() {
        UUID org = UUID.randomUUID();
        UUID env = environment(kafka, org, "production");
        UUID dest = DestinationStub.add(org);
        Instant now = Instant.parse("2026-04-01T10:00:00Z");
        TestClock.set(now);
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(body(dest, ", \"timezone\": \"Europe/Brussels\"")).put(path(env)).then().statusCode(200)
                .body("enabled", equalTo(true)).body("timezone", equalTo("Europe/Brussels"))
                .body("destinationIds", hasItem(dest.toString()));
        var got = given().auth().oauth2(viewer(org)).get(path(env)).then().statusCode(200)
                .body("dbFrequency", equalTo("6h")).body("walEnabled", equalTo(true)).extract();
        Instant nextDb = Instant.parse(got.path("nextDbBackupAt"));
        Instant nextFull = Instant.parse(got.path("nextFullBackupAt"));
        assertThat(nextDb).isAfter(now).isBeforeOrEqualTo(now.plus(Duration.ofHours(6)));
        assertThat(nextFull).isAfter(now).isBeforeOrEqualTo(now.plus(Duration.ofDays(1)));
        assertThat(Duration.between(nextDb, nextFull).toSeconds() % (6 * 3600)).isZero(); // full falls on a db slot

        var changed = kafka.awaitRecord(Topics.SCHEDULE, r -> r.type().endsWith("BackupScheduleChanged.v1")
                && r.data().contains(env.toString()), Duration.ofSeconds(30)).as(BackupScheduleChanged.class);
        assertThat(changed.orgId()).isEqualTo(org);
        assertThat(changed.enabled()).isTrue();
        assertThat(changed.walEnabled()).isTrue();
        assertThat(changed.walRetentionDays()).isEqualTo(7);
        assertThat(changed.destinationIds()).containsExactly(dest);

        // Services that have not heard the event yet ask for it (read-your-writes): the same facts,
        // to a service token only, and only for the schedule's own organisation.
        String internal = "/internal/environments/" + env + "/backup-schedule";
        given().auth().oauth2(TestTokens.service()).get(internal + "?orgId=" + org).then().statusCode(200)
                .body("environmentId", equalTo(env.toString())).body("orgId", equalTo(org.toString()))
                .body("enabled", equalTo(true)).body("walEnabled", equalTo(true))
                .body("walRetentionDays", equalTo(7)).body("destinationIds", hasItem(dest.toString()));
        given().auth().oauth2(TestTokens.service()).get(internal + "?orgId=" + UUID.randomUUID()).then()
                .statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.service()).get(internal).then().statusCode(400)
                .body("errors[0].field", equalTo("orgId"));
        given().auth().oauth2(manager(org)).get(internal + "?orgId=" + org).then().statusCode(401);

        // Disabling clears the next times.
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(body(dest, "").replace("\"enabled\": true", "\"enabled\": false")).put(path(env)).then()
                .statusCode(200).body("enabled", equalTo(false)).body("nextDbBackupAt", nullValue());
    }

    @Test
    void everyBadFieldIsNamedInOne400() {
        UUID org = UUID.randomUUID();
        UUID env = environment(kafka, org, "staging");
        UUID unknownDest = UUID.randomUUID();
        String bad = """
                {"enabled": true, "dbFrequency": "2h", "fullFrequency": "monthly", "retainHourly": -1,
                 "retainDaily": 7, "retainWeekly": -2, "walEnabled": false,
                 "walRetentionDays": 0, "destinationIds": ["not-a-uuid", "%s"], "timezone": "Mars/Olympus"}"""
                .formatted(unknownDest);
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON).body(bad).put(path(env)).then()
                .statusCode(400).contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("dbFrequency", "fullFrequency", "retainHourly",
                        "retainWeekly", "retainMonthly", "walRetentionDays", "destinationIds[0]", "destinationIds[1]",
                        "timezone"))
                .body("errors.find { it.field == 'dbFrequency' }.message", equalTo("must be one of [hourly, 6h, 12h, daily]"))
                .body("errors.find { it.field == 'fullFrequency' }.message", equalTo("must be one of [daily, weekly]"))
                .body("errors.find { it.field == 'retainMonthly' }.message", equalTo("is required"))
                .body("errors.find { it.field == 'walRetentionDays' }.message", equalTo("must be >= 1"));

        given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body("{\"enabled\": true, \"dbFrequency\": \"daily\", \"fullFrequency\": \"weekly\", \"retainHourly\": 0,"
                        + " \"retainDaily\": 1, \"retainWeekly\": 0, \"retainMonthly\": 0, \"walEnabled\": false,"
                        + " \"walRetentionDays\": 1, \"destinationIds\": []}")
                .put(path(env)).then().statusCode(400)
                .body("errors.field", equalTo(List.of("destinationIds")));
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON).body("{\"enabled\": ").put(path(env)).then()
                .statusCode(400).contentType("application/problem+json");
        // Nothing was stored.
        given().auth().oauth2(viewer(org)).get(path(env)).then().body("enabled", equalTo(false));
    }

    @Test
    void anEnabledScheduleThatKeepsNothingIsRefusedButADisabledOneIsSaved() {
        UUID org = UUID.randomUUID();
        UUID env = environment(kafka, org, "production");
        UUID dest = DestinationStub.add(org);
        String keepsNothing = body(dest, "").replace("\"retainHourly\": 24", "\"retainHourly\": 0")
                .replace("\"retainDaily\": 7", "\"retainDaily\": 0").replace("\"retainWeekly\": 4", "\"retainWeekly\": 0")
                .replace("\"retainMonthly\": 12", "\"retainMonthly\": 0");
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON).body(keepsNothing).put(path(env)).then()
                .statusCode(400).contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("retainHourly", "retainDaily", "retainWeekly", "retainMonthly"))
                .body("errors[0].message", containsString("must keep backups"));
        // Nothing was stored.
        given().auth().oauth2(viewer(org)).get(path(env)).then().statusCode(200).body("enabled", equalTo(false))
                .body("updatedAt", nullValue());
        // Disabled, it may be saved (it requests nothing; the minimum redundancy guards what exists).
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(keepsNothing.replace("\"enabled\": true", "\"enabled\": false")).put(path(env)).then()
                .statusCode(200).body("enabled", equalTo(false)).body("retainDaily", equalTo(0));
        // ...and enabling it so is refused again.
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON).body(keepsNothing).put(path(env)).then()
                .statusCode(400).body("errors", hasSize(4));
    }

    @Test
    void aScheduleCanBeSetTheMomentItsEnvironmentIsRegisteredBeforeTheEvent() throws Exception {
        // Registered in backup-service; EnvironmentRegistered is never sent in this test.
        UUID org = UUID.randomUUID();
        UUID env = OwnerServicesStub.add(org, "staging");
        UUID dest = DestinationStub.add(org);
        given().auth().oauth2(viewer(org)).get(path(env)).then().statusCode(200)
                .body("enabled", equalTo(false)).body("dbFrequency", equalTo("daily")) // staging's recommendation
                .body(not(containsString("stub-secret")));
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON).body(body(dest, "")).put(path(env)).then()
                .statusCode(200).body("enabled", equalTo(true));
        // Recorded: later reads do not ask again, and the event, when it comes, changes nothing.
        int calls = OwnerServicesStub.CALLS.get();
        given().auth().oauth2(viewer(org)).get(path(env)).then().statusCode(200).body("enabled", equalTo(true));
        given().auth().oauth2(viewer(org)).get(path(env) + "/retention-preview").then().statusCode(200);
        assertThat(OwnerServicesStub.CALLS.get()).isEqualTo(calls);
        UUID event = kafka.publish(new EnvironmentRegistered(org, env, UUID.randomUUID(), "acme-staging", "staging",
                Instant.now()));
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from consumed_event where event_id = '"
                + event + "'") == 1);
        assertThat(count("select count(*) from known_environment where id = '" + env + "'")).isEqualTo(1);
        given().auth().oauth2(viewer(org)).get(path(env)).then().statusCode(200).body("enabled", equalTo(true))
                .body("retainMonthly", equalTo(12));

        // Another organisation's: the owner says 404, so do we.
        UUID other = UUID.randomUUID();
        given().auth().oauth2(viewer(other)).get(path(env)).then().statusCode(404);
        given().auth().oauth2(manager(other)).contentType(ContentType.JSON).body(body(DestinationStub.add(other), ""))
                .put(path(OwnerServicesStub.add(org, "production"))).then().statusCode(404)
                .contentType("application/problem+json");
    }

    static int count(String sql) throws java.sql.SQLException {
        try (var c = io.ocore.backups.scheduler.SchedulerTestSupport.jdbc(); var st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void anOwnerThatCannotAnswerIsA503NeverAFalse404() {
        UUID org = UUID.randomUUID();
        UUID env = OwnerServicesStub.add(org, "production");
        UUID unknown = UUID.randomUUID();
        UUID dest = DestinationStub.add(org);
        OwnerServicesStub.down(true);
        try {
            given().auth().oauth2(viewer(org)).get(path(env)).then().statusCode(503)
                    .contentType("application/problem+json");
            given().auth().oauth2(viewer(org)).get(path(unknown)).then().statusCode(503);
            given().auth().oauth2(manager(org)).contentType(ContentType.JSON).body(body(dest, "")).put(path(env))
                    .then().statusCode(503).contentType("application/problem+json");
            given().auth().oauth2(viewer(org)).get(path(env) + "/retention-preview").then().statusCode(503);
        } finally {
            OwnerServicesStub.down(false);
        }
        // Back: it answers, and nothing was stored meanwhile.
        given().auth().oauth2(viewer(org)).get(path(env)).then().statusCode(200).body("enabled", equalTo(false));
        given().auth().oauth2(viewer(org)).get(path(unknown)).then().statusCode(404);
    }

    @Test
    void anotherOrganisationsDestinationIsRejected() {
        UUID org = UUID.randomUUID();
        UUID env = environment(kafka, org, "production");
        UUID foreign = DestinationStub.add(UUID.randomUUID());
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON).body(body(foreign, "")).put(path(env)).then()
                .statusCode(400).body("errors", hasSize(1)).body("errors[0].field", equalTo("destinationIds[0]"));
    }

    @Test
    void authIsRequiredAndScopedToTheOrganisation() {
        UUID org = UUID.randomUUID();
        UUID env = environment(kafka, org, "production");
        UUID dest = DestinationStub.add(org);
        given().get(path(env)).then().statusCode(401).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body(body(dest, "")).put(path(env)).then().statusCode(401);
        given().auth().oauth2(TestTokens.expired(org, Permissions.VIEW_ENVIRONMENTS)).get(path(env)).then().statusCode(401);
        // Viewing is not managing.
        given().auth().oauth2(viewer(org)).contentType(ContentType.JSON).body(body(dest, "")).put(path(env)).then()
                .statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.of(org, Permissions.MANAGE_ORG_SETTINGS)).get(path(env)).then().statusCode(403);
        // Another organisation's environment, and an unknown one, are 404.
        UUID other = UUID.randomUUID();
        given().auth().oauth2(viewer(other)).get(path(env)).then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(manager(other)).contentType(ContentType.JSON).body(body(DestinationStub.add(other), ""))
                .put(path(env)).then().statusCode(404);
        given().auth().oauth2(viewer(other)).get(path(env) + "/retention-preview").then().statusCode(404);
        given().auth().oauth2(viewer(org)).get(path(UUID.randomUUID())).then().statusCode(404);
    }
}
