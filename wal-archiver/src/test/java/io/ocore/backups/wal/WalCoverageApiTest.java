package io.ocore.backups.wal;

import static io.ocore.backups.wal.WalRows.segment;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.ocore.backups.platform.events.v1.Events.WalGapDetected;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.wal.coverage.WalGapScanner;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
class WalCoverageApiTest {

    static KafkaTestClient kafka;

    @Inject
    WalGapScanner scanner;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    static UUID registered(UUID org) {
        UUID env = UUID.randomUUID();
        kafka.publish(new EnvironmentRegistered(org, env, UUID.randomUUID(), "prod", "production", Instant.now()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given()
                .auth().oauth2(TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/environments/{env}/wal-coverage", env).then().statusCode(200));
        return env;
    }

    @Test
    void coverageIsOrgScopedAndGuarded() {
        UUID org = UUID.randomUUID();
        UUID env = registered(org);

        given().get("/api/environments/{env}/wal-coverage", env).then().statusCode(401)
                .contentType("application/problem+json");
        given().auth().oauth2(TestTokens.of(org, Permissions.MANAGE_ORG_SETTINGS))
                .get("/api/environments/{env}/wal-coverage", env).then().statusCode(403);
        given().auth().oauth2(TestTokens.of(UUID.randomUUID(), Permissions.VIEW_ENVIRONMENTS))
                .get("/api/environments/{env}/wal-coverage", env).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(TestTokens.of(org, Permissions.MANAGE_ENVIRONMENTS))
                .get("/api/environments/{env}/wal-coverage", env).then().statusCode(200);
        given().auth().oauth2(TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/environments/{env}/wal-coverage", UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void rangesFollowTheCommitsAMissingSegmentSplitsThemAndAPromotionContinuesOnTheNewTimeline() throws Throwable {
        UUID org = UUID.randomUUID();
        UUID env = registered(org);
        String token = TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS);
        given().auth().oauth2(token).get("/api/environments/{env}/wal-coverage", env).then()
                .body("walEnabled", equalTo(false)).body("ranges", hasSize(0)).body("segmentCount", equalTo(0))
                .body("latestArchivedAt", nullValue());

        kafka.publish(new BackupScheduleChanged(org, env, true, true, 14, List.of(UUID.randomUUID())));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(token)
                .get("/api/environments/{env}/wal-coverage", env).then().body("walEnabled", equalTo(true)));

        Instant t0 = Instant.parse("2026-03-15T14:00:00Z");
        Instant now = Instant.now();
        List<UUID> dests = List.of(UUID.randomUUID());
        WalRows.insert(env, dests,
                segment("000000010000000000000001", t0.plusSeconds(2), t0.plusSeconds(290), 410, now.minusSeconds(600)),
                segment("000000010000000000000002", t0.plusSeconds(301), t0.plusSeconds(598), 388, now.minusSeconds(500)),
                // an idle stretch: archive_timeout switched a segment without commits
                segment("000000010000000000000003", null, null, 0, now.minusSeconds(400)),
                // 4 was never archived
                segment("000000010000000000000005", t0.plusSeconds(905), t0.plusSeconds(1190), 377, now.minusSeconds(300)),
                // the old timeline's last segment, as the promoted server left it, and the new timeline
                segment("000000010000000000000006.partial", t0.plusSeconds(1201), t0.plusSeconds(1230), 40,
                        now.minusSeconds(200)),
                segment("00000002.history", null, null, 0, now.minusSeconds(199)),
                segment("000000020000000000000006", t0.plusSeconds(1240), t0.plusSeconds(1490), 351, now.minusSeconds(100)),
                segment("000000020000000000000007", t0.plusSeconds(1500), t0.plusSeconds(1795), 402, now.minusSeconds(10)));

        var body = given().auth().oauth2(token).get("/api/environments/{env}/wal-coverage", env).then()
                .statusCode(200)
                .body("segmentCount", equalTo(7))
                .body("ranges", hasSize(3))
                .body("ranges[0].timeline", equalTo(1))
                .body("ranges[0].startSegment", equalTo("000000010000000000000001"))
                .body("ranges[0].endSegment", equalTo("000000010000000000000003"))
                .body("ranges[0].from", equalTo("2026-03-15T14:00:02Z"))
                .body("ranges[0].to", equalTo("2026-03-15T14:09:58Z"))
                .body("ranges[1].startSegment", equalTo("000000010000000000000005"))
                .body("ranges[1].endSegment", equalTo("000000010000000000000006"))
                .body("ranges[1].from", equalTo("2026-03-15T14:15:05Z"))
                .body("ranges[1].to", equalTo("2026-03-15T14:20:30Z"))
                .body("ranges[2].timeline", equalTo(2))
                .body("ranges[2].startSegment", equalTo("000000020000000000000006"))
                .body("ranges[2].from", equalTo("2026-03-15T14:20:40Z"))
                .body("ranges[2].to", equalTo("2026-03-15T14:29:55Z"))
                // one gap: the missing segment 4; the timeline switch is no gap
                .body("gaps", hasSize(1))
                .body("gaps[0].afterSegment", equalTo("000000010000000000000003"))
                .body("gaps[0].beforeSegment", equalTo("000000010000000000000005"))
                .body("gaps[0].from", equalTo("2026-03-15T14:09:58Z"))
                .body("gaps[0].to", equalTo("2026-03-15T14:15:05Z"))
                .extract().path("latestArchivedAt");
        assertThat(Instant.parse((String) body)).isCloseTo(now.minusSeconds(10), within(1, ChronoUnit.SECONDS));

        // the gap is published once, and recorded
        var event = kafka.awaitRecord(Topics.WAL, r -> EventTypes.typeOf(WalGapDetected.class).equals(r.type())
                && r.data().contains(env.toString()), Duration.ofSeconds(30)).as(WalGapDetected.class);
        assertThat(event.orgId()).isEqualTo(org);
        assertThat(event.lastSegmentBefore()).isEqualTo("000000010000000000000003");
        assertThat(event.firstSegmentAfter()).isEqualTo("000000010000000000000005");
        assertThat(WalRows.count("select count(*) from wal_gap where environment_id = ?", env)).isEqualTo(1);
        // a later scan that sees this environment's files again publishes nothing more
        WalRows.insert(env, dests, segment("000000020000000000000008", t0.plusSeconds(1800), t0.plusSeconds(2090), 380,
                Instant.now()));
        int published = -1;
        while (published < 0) { // -1: the scheduled scan held the lock at that moment
            published = VertxContextSupport.subscribeAndAwait(() -> scanner.scan(Instant.now()));
        }
        assertThat(published).isZero();
        assertThat(WalRows.count("select count(*) from wal_gap where environment_id = ?", env)).isEqualTo(1);
        assertThat(WalRows.count("select count(*) from outbox_event where event_key = ? and event_type = ?",
                env.toString(), EventTypes.typeOf(WalGapDetected.class))).isEqualTo(1);
    }
}
