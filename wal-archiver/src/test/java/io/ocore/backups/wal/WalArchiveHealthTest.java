package io.ocore.backups.wal;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.ocore.backups.platform.events.v1.Events.WalArchiveFailed;
import io.ocore.backups.platform.events.v1.Events.WalArchiveRecovered;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Failing archiving raises warning, then critical, then recovers; thresholds of %test: 2 s and 4 s. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
class WalArchiveHealthTest {

    static KafkaTestClient kafka;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    @Test
    void failingArchivingWarnsThenTurnsCriticalAndRecoversOnceWithTheLagOnTheMetrics() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = UUID.randomUUID();
        kafka.publish(new EnvironmentRegistered(org, env, UUID.randomUUID(), "prod", "production", Instant.now()));
        kafka.publish(new BackupScheduleChanged(org, env, true, true, 7, List.of(UUID.randomUUID())));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given()
                .auth().oauth2(TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/environments/{env}/wal-coverage", env).then().body("walEnabled", equalTo(true)));

        // ingest's record: archived a minute ago, then a destination started failing
        Instant lastSuccess = Instant.now().minusSeconds(60);
        Instant failingSince = Instant.now();
        WalRows.execute("""
                insert into wal_archive_health (environment_id, last_success_at, last_success_file, last_attempt_at,
                    failing_since, failed_attempts, last_failure_file, last_failure_reason)
                values (?, ?, '000000010000000000000041', ?, ?, 3, '000000010000000000000042',
                    'destination "Offsite S3" did not answer within 30 s')""",
                env, lastSuccess, failingSince, failingSince);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get(metrics).then().statusCode(200)
                .body(containsString("ocore_wal_archive_lag_seconds{environment=\"" + env + "\"}")));

        var warning = awaitFailed(env, "warning");
        assertThat(warning.orgId()).isEqualTo(org);
        assertThat(warning.segment()).isEqualTo("000000010000000000000042");
        assertThat(warning.reason()).contains("Offsite S3");
        assertThat(warning.failedAttempts()).isEqualTo(3);
        assertThat(warning.failingSince()).isCloseTo(failingSince, within(1, ChronoUnit.MILLIS));
        // not before the warning threshold (2 s in %test)
        assertThat(Instant.now()).isAfterOrEqualTo(failingSince.plusSeconds(2));

        var critical = awaitFailed(env, "critical");
        assertThat(critical.failingSince()).isEqualTo(warning.failingSince());

        // ingest records a success: the monitor publishes the recovery once and forgets the alert
        WalRows.execute("""
                update wal_archive_health set last_success_at = now(), last_success_file = '000000010000000000000042',
                    failing_since = null, failed_attempts = 0 where environment_id = ?""", env);
        var recovered = kafka.awaitRecord(Topics.WAL, r -> r.data().contains(env.toString())
                && EventTypes.typeOf(WalArchiveRecovered.class).equals(r.type()), Duration.ofSeconds(30))
                .as(WalArchiveRecovered.class);
        assertThat(recovered.orgId()).isEqualTo(org);
        assertThat(recovered.failingSince()).isEqualTo(warning.failingSince());
        await().atMost(Duration.ofSeconds(10)).until(() -> WalRows.count(
                "select count(*) from wal_archive_health where environment_id = ? and alerted_severity is null",
                env) == 1);
        // each transition was published once
        for (String type : List.of(EventTypes.typeOf(WalArchiveFailed.class),
                EventTypes.typeOf(WalArchiveRecovered.class))) {
            assertThat(WalRows.count("select count(*) from outbox_event where event_key = ? and event_type = ?",
                    env.toString(), type)).isEqualTo(type.contains("Failed") ? 2 : 1);
        }
    }

    @Test
    void anIdleServerRaisesNothing() throws Exception {
        UUID org = UUID.randomUUID();
        UUID idle = UUID.randomUUID();
        kafka.publish(new EnvironmentRegistered(org, idle, UUID.randomUUID(), "idle", "staging", Instant.now()));
        kafka.publish(new BackupScheduleChanged(org, idle, true, true, 7, List.of(UUID.randomUUID())));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given()
                .auth().oauth2(TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/environments/{env}/wal-coverage", idle).then().body("walEnabled", equalTo(true)));
        // last archived an hour ago, nothing attempted since: an idle server
        Instant hourAgo = Instant.now().minusSeconds(3600);
        WalRows.execute("""
                insert into wal_archive_health (environment_id, last_success_at, last_success_file, last_attempt_at,
                    failed_attempts) values (?, ?, '000000010000000000000009', ?, 0)""", idle, hourAgo, hourAgo);
        // a failing environment inserted after it: once its warning is out, the monitor has looked at both
        UUID failing = UUID.randomUUID();
        kafka.publish(new EnvironmentRegistered(org, failing, UUID.randomUUID(), "prod", "production", Instant.now()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given()
                .auth().oauth2(TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/environments/{env}/wal-coverage", failing).then().statusCode(200));
        WalRows.execute("""
                insert into wal_archive_health (environment_id, last_attempt_at, failing_since, failed_attempts,
                    last_failure_file, last_failure_reason)
                values (?, now(), now(), 1, '000000010000000000000001', 'no destination reachable')""", failing);
        awaitFailed(failing, "warning");
        assertThat(WalRows.count("select count(*) from outbox_event where event_key = ? and topic = ?",
                idle.toString(), Topics.WAL)).isZero();
        assertThat(WalRows.count("select count(*) from wal_archive_health where environment_id = ? "
                + "and alerted_severity is null", idle)).isEqualTo(1);
    }

    static WalArchiveFailed awaitFailed(UUID env, String severity) {
        return kafka.awaitRecord(Topics.WAL, r -> r.data().contains(env.toString())
                && EventTypes.typeOf(WalArchiveFailed.class).equals(r.type())
                && r.data().contains("\"severity\":\"" + severity + "\""), Duration.ofSeconds(30))
                .as(WalArchiveFailed.class);
    }
}
