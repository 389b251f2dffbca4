package io.ocore.backups.wal;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;
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
        given().auth().oauth2(TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/environments/{env}/wal-coverage", UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void coverageFollowsTheScheduleAndTheArchivedSegments() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = registered(org);
        String token = TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS);
        given().auth().oauth2(token).get("/api/environments/{env}/wal-coverage", env).then()
                .body("walEnabled", equalTo(false)).body("ranges", hasSize(0));

        kafka.publish(new BackupScheduleChanged(org, env, true, true, 14, List.of()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(token)
                .get("/api/environments/{env}/wal-coverage", env).then().body("walEnabled", equalTo(true))
                .body("walRetentionDays", equalTo(14)));

        Instant t0 = Instant.parse("2026-03-15T14:00:00Z");
        insertSegment(env, "000000010000000000000001", t0, t0.plusSeconds(300));
        insertSegment(env, "000000010000000000000002", t0.plusSeconds(300), t0.plusSeconds(600));
        insertSegment(env, "000000010000000000000004", t0.plusSeconds(900), t0.plusSeconds(1200));

        given().auth().oauth2(token).get("/api/environments/{env}/wal-coverage", env).then().statusCode(200)
                .body("segmentCount", equalTo(3))
                .body("ranges", hasSize(2))
                .body("ranges[0].from", equalTo("2026-03-15T14:00:00Z"))
                .body("ranges[0].to", equalTo("2026-03-15T14:10:00Z"))
                .body("ranges[1].from", equalTo("2026-03-15T14:15:00Z"))
                .body("gaps[0].lastSegmentBefore", equalTo("000000010000000000000002"))
                .body("gaps[0].firstSegmentAfter", equalTo("000000010000000000000004"));
    }

    static void insertSegment(UUID env, String name, Instant first, Instant last) throws Exception {
        Config c = ConfigProvider.getConfig();
        String url = "jdbc:postgresql://127.0.0.1:" + c.getValue("ocore.test.postgres.port", String.class) + "/"
                + c.getValue("ocore.test.postgres.database", String.class);
        var parsed = io.ocore.backups.wal.segment.WalSegmentName.parse(name);
        try (Connection conn = DriverManager.getConnection(url, "postgres", "");
                var st = conn.prepareStatement("""
                        insert into wal_segment (environment_id, timeline, segment_no, segment_name, size_bytes, sha256,
                            first_commit_at, last_commit_at, archived_at) values (?, ?, ?, ?, 16777216, 'x', ?, ?, now())""")) {
            st.setObject(1, env);
            st.setInt(2, parsed.timeline());
            st.setLong(3, parsed.segmentNo());
            st.setString(4, name);
            st.setTimestamp(5, Timestamp.from(first));
            st.setTimestamp(6, Timestamp.from(last));
            st.executeUpdate();
        }
    }
}
