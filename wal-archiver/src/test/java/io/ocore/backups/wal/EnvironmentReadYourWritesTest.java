package io.ocore.backups.wal;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.fakes.OwnerServicesStub;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Read-your-writes: an environment backup-service registered a moment ago is known to
 * wal-archiver before its EnvironmentRegistered arrives (wal-archiver asks backup-service, with
 * its service token), and the event arriving afterwards changes nothing; a schedule that turned
 * WAL on a moment ago gives its wal-config before its BackupScheduleChanged arrives (wal-archiver
 * asks scheduler-service).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(OwnerServicesStub.class)
class EnvironmentReadYourWritesTest {

    static KafkaTestClient kafka;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    @Test
    void anEnvironmentRegisteredAMomentAgoIsKnownAtOnceAndItsLateEventIsHarmless() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = OwnerServicesStub.add(org, "production"); // no event: wal-archiver has not heard of it
        String manager = TestTokens.of(org, Permissions.MANAGE_ENVIRONMENTS);

        // at once, no waiting: the environment is found (its schedule has not turned WAL on yet)
        given().auth().oauth2(manager).get("/api/environments/{env}/wal-coverage", env).then()
                .statusCode(200).body("environmentId", equalTo(env.toString())).body("walEnabled", equalTo(false));
        given().auth().oauth2(manager).get("/api/environments/{env}/wal-config", env).then()
                .statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("WAL archiving is off"));
        assertThat(OwnerServicesStub.CALLER.get()).isEqualTo("wal-archiver");

        // learned once: asking again does not call backup-service
        int calls = OwnerServicesStub.CALLS.get();
        given().auth().oauth2(manager).get("/api/environments/{env}/wal-coverage", env).then().statusCode(200);
        assertThat(OwnerServicesStub.CALLS.get()).isEqualTo(calls);

        // the events arrive afterwards: applied (not failed on the row the lookup wrote), WAL settings kept
        kafka.publish(new BackupScheduleChanged(org, env, true, true, 14, List.of(UUID.randomUUID())));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(manager)
                .get("/api/environments/{env}/wal-config", env).then().statusCode(200)
                .body("environmentId", equalTo(env.toString())));
        UUID late = kafka.publish(new EnvironmentRegistered(org, env, UUID.randomUUID(), "acme-production",
                "production", Instant.now()));
        await().atMost(Duration.ofSeconds(30)).until(() -> consumed(late));
        given().auth().oauth2(manager).get("/api/environments/{env}/wal-coverage", env).then()
                .statusCode(200).body("walEnabled", equalTo(true)).body("walRetentionDays", equalTo(14));
    }

    @Test
    void anotherOrganisationsOrAnUnknownEnvironmentIsStill404AndAnOwnerThatCannotAnswerIs503() {
        UUID org = UUID.randomUUID();
        UUID env = OwnerServicesStub.add(org, "staging");
        given().auth().oauth2(TestTokens.of(UUID.randomUUID(), Permissions.MANAGE_ENVIRONMENTS))
                .get("/api/environments/{env}/wal-config", env).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/environments/{env}/wal-coverage", UUID.randomUUID()).then().statusCode(404);

        OwnerServicesStub.down(true);
        try {
            given().auth().oauth2(TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS))
                    .get("/api/environments/{env}/wal-coverage", OwnerServicesStub.add(org, "staging")).then()
                    .statusCode(503).contentType("application/problem+json");
        } finally {
            OwnerServicesStub.down(false);
        }
    }

    @Test
    void aScheduleThatTurnedWalOnAMomentAgoGivesItsWalConfigAtOnce() {
        UUID org = UUID.randomUUID();
        UUID env = OwnerServicesStub.add(org, "production");
        String manager = TestTokens.of(org, Permissions.MANAGE_ENVIRONMENTS);
        // scheduler-service saved it and announced it; wal-archiver has not heard the event yet
        OwnerServicesStub.schedule(new BackupScheduleChanged(org, env, true, true, 10, List.of(UUID.randomUUID())));

        given().auth().oauth2(manager).get("/api/environments/{env}/wal-config", env).then()
                .statusCode(200).body("environmentId", equalTo(env.toString()))
                .body("settings.archive_mode", equalTo("on"));
        // what scheduler-service said is recorded: coverage agrees without asking again
        given().auth().oauth2(manager).get("/api/environments/{env}/wal-coverage", env).then()
                .statusCode(200).body("walEnabled", equalTo(true)).body("walRetentionDays", equalTo(10));

        // WAL off at the owner too: still the 404 that says why
        UUID off = OwnerServicesStub.add(org, "staging");
        OwnerServicesStub.schedule(new BackupScheduleChanged(org, off, true, false, 7, List.of(UUID.randomUUID())));
        given().auth().oauth2(manager).get("/api/environments/{env}/wal-config", off).then()
                .statusCode(404).body("detail", containsString("WAL archiving is off"));

        // an owner that cannot say is a 503, not a "WAL is off" it cannot confirm
        OwnerServicesStub.down(true);
        try {
            given().auth().oauth2(manager).get("/api/environments/{env}/wal-config", off).then()
                    .statusCode(503).contentType("application/problem+json");
        } finally {
            OwnerServicesStub.down(false);
        }
    }

    private static boolean consumed(UUID eventId) throws Exception {
        try (Connection conn = WalRows.connect();
                var st = conn.prepareStatement("select 1 from consumed_event where event_id = ?")) {
            st.setObject(1, eventId);
            try (var rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }
}
