package io.ocore.backups.alert;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.OutboxRelay;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.AlertRaised;
import io.ocore.backups.platform.events.v1.Events.BackupCorrupted;
import io.ocore.backups.platform.events.v1.Events.BackupDeleted;
import io.ocore.backups.platform.events.v1.Events.BackupDeletionStuck;
import io.ocore.backups.platform.events.v1.Events.BackupFailed;
import io.ocore.backups.platform.events.v1.Events.EventDeadLettered;
import io.ocore.backups.platform.events.v1.Events.BackupOverdue;
import io.ocore.backups.platform.events.v1.Events.RestoreFailed;
import io.ocore.backups.platform.events.v1.Events.RetentionWarning;
import io.ocore.backups.platform.events.v1.Events.DestinationFailed;
import io.ocore.backups.platform.events.v1.Events.DestinationRecovered;
import io.ocore.backups.platform.events.v1.Events.WalArchiveFailed;
import io.ocore.backups.platform.events.v1.Events.WalArchiveRecovered;
import io.ocore.backups.platform.events.v1.Events.WalConflictDetected;
import io.ocore.backups.platform.events.v1.Events.WalGapDetected;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Events in and out through real Kafka: idempotent consumption, deduplication, the outbox. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
class AlertEventsTest {

    static KafkaTestClient kafka;

    @Inject
    OutboxRelay relay;

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

    @Test
    void aRedeliveredEventChangesStateOnce() {
        UUID org = UUID.randomUUID();
        UUID env = UUID.randomUUID();
        UUID eventId = UUID.randomUUID();
        BackupFailed failed = new BackupFailed(org, env, UUID.randomUUID(), "db", "manual", "k1", "disk full", Instant.now());
        kafka.publish(failed, eventId);
        kafka.publish(failed, eventId); // the same event delivered again
        // A later event on the same key (same partition) proves both copies were consumed before it.
        UUID marker = UUID.randomUUID();
        kafka.publish(new BackupFailed(org, env, marker, "db", "manual", "k2", "marker", Instant.now()));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/backup-alerts?alertType=backup_failed").then()
                .body("items.backupId", hasItem(marker.toString())));
        given().auth().oauth2(viewer(org)).get("/api/backup-alerts").then()
                .body("items", hasSize(2))
                .body("items.findAll { it.backupId == '" + failed.backupId() + "' }", hasSize(1))
                .body("items.find { it.backupId == '" + failed.backupId() + "' }.occurrences", equalTo(1));
    }

    @Test
    void aCorruptCopyAStuckDeletionAndADeadLetterEachRaiseTheirAlert() {
        UUID org = UUID.randomUUID();
        UUID env = UUID.randomUUID();
        UUID backup = UUID.randomUUID();
        UUID dest = UUID.randomUUID();
        kafka.publish(new BackupCorrupted(org, env, backup, dest, "Offsite S3", "corrupt",
                "database: SHA-256 differs from the recorded checksum", "verify", Instant.now()));
        kafka.publish(new BackupDeletionStuck(org, env, backup, Instant.now().minusSeconds(7200), 12,
                "destination-service could not be reached"));
        kafka.publish(new EventDeadLettered(org, "backup-service", "schedule-events", "ev-1",
                "io.ocore.backup.BackupExpired.v1", "lock timeout", 5, Instant.now()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/backup-alerts").then().body("items", hasSize(3)));
        given().auth().oauth2(viewer(org)).get("/api/backup-alerts?alertType=backup_corrupted").then()
                .body("items", hasSize(1))
                .body("items[0].severity", equalTo("critical"))
                .body("items[0].backupId", equalTo(backup.toString()))
                .body("items[0].destinationId", equalTo(dest.toString()))
                .body("items[0].message", containsString("Offsite S3"))
                .body("items[0].message", containsString("corrupt"));
        given().auth().oauth2(viewer(org)).get("/api/backup-alerts?alertType=event_dead_lettered").then()
                .body("items", hasSize(1))
                .body("items[0].message", containsString("BackupExpired"));

        // the deletion finishing resolves its stuck alert
        kafka.publish(new BackupDeleted(org, env, backup, Instant.now()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/backup-alerts?alertType=backup_deletion_stuck").then()
                .body("items", hasSize(1)).body("items[0].resolvedAt", notNullValue()));
    }

    @Test
    void repeatedDestinationFailuresShareOneAlertWhichARecoveryResolves() {
        UUID org = UUID.randomUUID();
        UUID dest = UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            kafka.publish(new DestinationFailed(org, dest, "Production S3", "AUTHENTICATION",
                    "The access key was rejected", null, null, Instant.now()));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/backup-alerts").then().body("items", hasSize(1)).body("items[0].occurrences", equalTo(3)));
        given().auth().oauth2(viewer(org)).get("/api/backup-alerts").then()
                .body("items[0].alertType", equalTo("destination_unreachable"))
                .body("items[0].destinationId", equalTo(dest.toString()))
                .body("items[0].message", containsString("Production S3"))
                .body("items[0].resolvedAt", nullValue());

        kafka.publish(new DestinationRecovered(org, dest, "Production S3", Instant.now()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/backup-alerts").then().body("items[0].resolvedAt", notNullValue()));
        given().auth().oauth2(viewer(org)).get("/api/backup-alerts").then()
                .body("items[0].message", containsString("Recovered at"));

        // After recovery a new failure is a new alert, not a fourth occurrence of the resolved one.
        kafka.publish(new DestinationFailed(org, dest, "Production S3", "TIMEOUT", "No answer in 10 s", null, null,
                Instant.now()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/backup-alerts").then().body("items", hasSize(2)));
    }

    @Test
    void walArchivingFailingRisesFromWarningToCriticalInOneAlertWhichTheRecoveryResolves() {
        UUID org = UUID.randomUUID();
        UUID env = UUID.randomUUID();
        Instant since = Instant.parse("2026-03-15T14:00:00Z");
        Instant lastSuccess = Instant.parse("2026-03-15T13:59:00Z");
        kafka.publish(new WalArchiveFailed(org, env, "000000010000000000000042", "destination \"Offsite S3\" timed out",
                "warning", since, 7, lastSuccess));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/backup-alerts?alertType=wal_archive_failing").then().body("items", hasSize(1)));
        given().auth().oauth2(viewer(org)).get("/api/backup-alerts?alertType=wal_archive_failing").then()
                .body("items[0].severity", equalTo("warning"))
                .body("items[0].environmentId", equalTo(env.toString()))
                .body("items[0].message", containsString("failing since 2026-03-15T14:00:00Z"))
                .body("items[0].message", containsString("000000010000000000000042"))
                .body("items[0].message", containsString("disk"));

        kafka.publish(new WalArchiveFailed(org, env, "000000010000000000000042", "destination \"Offsite S3\" timed out",
                "critical", since, 40, lastSuccess));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/backup-alerts?alertType=wal_archive_failing").then()
                .body("items", hasSize(1))
                .body("items[0].severity", equalTo("critical"))
                .body("items[0].occurrences", equalTo(2)));

        kafka.publish(new WalArchiveRecovered(org, env, since, Instant.parse("2026-03-15T14:20:00Z")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/backup-alerts?alertType=wal_archive_failing").then()
                .body("items", hasSize(1))
                .body("items[0].resolvedAt", equalTo("2026-03-15T14:20:00Z"))
                .body("items[0].message", containsString("caught up")));
    }

    @Test
    void aWalGapAndAWalConflictAreCriticalAlerts() {
        UUID org = UUID.randomUUID();
        UUID env = UUID.randomUUID();
        kafka.publish(new WalGapDetected(org, env, "000000010000000000000003", "000000010000000000000006"));
        kafka.publish(new WalConflictDetected(org, env, "000000010000000000000007", "a".repeat(64), "b".repeat(64),
                Instant.now()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/backup-alerts").then().body("items", hasSize(2)));
        given().auth().oauth2(viewer(org)).get("/api/backup-alerts?alertType=wal_gap").then()
                .body("items", hasSize(1))
                .body("items[0].severity", equalTo("critical"))
                .body("items[0].message", containsString("between 000000010000000000000003 and 000000010000000000000006"))
                .body("items[0].message", containsString("Take a new backup"));
        given().auth().oauth2(viewer(org)).get("/api/backup-alerts?alertType=wal_conflict").then()
                .body("items", hasSize(1))
                .body("items[0].severity", equalTo("critical"))
                .body("items[0].message", containsString("000000010000000000000007"))
                .body("items[0].message", containsString("refused"));
    }

    @Test
    void overdueRetentionAndRestoreFailuresBecomeAlertsOfTheirSeverity() {
        UUID org = UUID.randomUUID();
        UUID env = UUID.randomUUID();
        kafka.publish(new BackupOverdue(org, env, "db", Instant.parse("2026-03-15T06:00:00Z"),
                Instant.parse("2026-03-15T18:00:00Z")));
        kafka.publish(new BackupOverdue(org, env, "db", Instant.parse("2026-03-15T06:00:00Z"),
                Instant.parse("2026-03-15T19:00:00Z")));
        kafka.publish(new RetentionWarning(org, env, "daily", 7, 3, "Backups failed on 4 of the last 7 days."));
        kafka.publish(new RestoreFailed(org, UUID.randomUUID(), UUID.randomUUID(), env, "checksum mismatch on every destination",
                Instant.now()));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get("/api/backup-alerts").then().body("items", hasSize(3)));
        given().auth().oauth2(viewer(org)).get("/api/backup-alerts?alertType=backup_overdue").then()
                .body("items", hasSize(1))
                .body("items[0].severity", equalTo("critical"))
                .body("items[0].occurrences", equalTo(2))
                .body("items[0].message", containsString("No successful database (db) backup since 2026-03-15T06:00:00Z"))
                .body("items[0].message", containsString("recovery point objective is at risk"));
        given().auth().oauth2(viewer(org)).get("/api/backup-alerts?alertType=retention_warning").then()
                .body("items[0].severity", equalTo("warning"))
                .body("items[0].message", containsString("holds 3 of 7"));
        given().auth().oauth2(viewer(org)).get("/api/backup-alerts?alertType=restore_failed").then()
                .body("items[0].severity", equalTo("error"))
                .body("items[0].message", containsString("left the target as it was"));
        given().auth().oauth2(viewer(org)).get("/api/backup-alerts?severity=critical").then()
                .body("items", hasSize(1));
    }

    @Test
    void anEventCommittedButNotYetPublishedIsPublishedWhenTheRelayRunsAgain() throws Exception {
        // The relay is stopped, as in a process that died right after committing: the alert and
        // its AlertRaised event are in the database, nothing is on Kafka yet.
        relay.pause();
        UUID org = UUID.randomUUID();
        UUID backup = UUID.randomUUID();
        try {
            kafka.publish(new BackupFailed(org, UUID.randomUUID(), backup, "full", "scheduled", "k", "timeout",
                    Instant.now()));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                    .get("/api/backup-alerts").then().body("items", hasSize(1)));
            assertThat(unpublishedOutboxRows(org)).isEqualTo(1);
        } finally {
            relay.resume();
        }
        String alertId = given().auth().oauth2(viewer(org)).get("/api/backup-alerts").then().extract().path("items[0].id");

        KafkaTestClient.Received raised = kafka.awaitRecord(Topics.ALERT,
                r -> r.data().contains(alertId), Duration.ofSeconds(30));
        assertThat(raised.type()).isEqualTo(EventTypes.typeOf(AlertRaised.class));
        AlertRaised event = raised.as(AlertRaised.class);
        assertThat(event.orgId()).isEqualTo(org);
        assertThat(event.backupId()).isEqualTo(backup);
        assertThat(event.alertType()).isEqualTo("backup_failed");
        assertThat(raised.headers()).containsEntry("ce_orgid", org.toString()).containsKey("ce_id");
        await().atMost(Duration.ofSeconds(10)).until(() -> unpublishedOutboxRows(org) == 0);
    }

    static int unpublishedOutboxRows(UUID org) throws Exception {
        Config c = ConfigProvider.getConfig();
        String url = "jdbc:postgresql://127.0.0.1:" + c.getValue("ocore.test.postgres.port", String.class) + "/"
                + c.getValue("ocore.test.postgres.database", String.class);
        try (Connection conn = DriverManager.getConnection(url, "postgres", "");
                var st = conn.prepareStatement("select count(*) from outbox_event where org_id = ? and published_at is null")) {
            st.setObject(1, org);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
