package io.ocore.backups.scheduler.dispatch;

import static io.ocore.backups.scheduler.SchedulerTestSupport.environment;
import static io.ocore.backups.scheduler.SchedulerTestSupport.jdbc;
import static io.ocore.backups.scheduler.SchedulerTestSupport.manager;
import static io.ocore.backups.scheduler.SchedulerTestSupport.onVertx;
import static io.ocore.backups.scheduler.SchedulerTestSupport.viewer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.BackupCompleted;
import io.ocore.backups.platform.events.v1.Events.BackupExpired;
import io.ocore.backups.platform.events.v1.Events.BackupOverdue;
import io.ocore.backups.platform.events.v1.Events.BackupRequested;
import io.ocore.backups.platform.events.v1.Events.BackupTiersAssigned;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.events.EventEnvelope;
import io.ocore.backups.platform.testing.fakes.OwnerServicesStub;
import io.ocore.backups.platform.testing.kafka.KafkaBroker;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.scheduler.DestinationStub;
import io.ocore.backups.scheduler.TestClock;
import io.ocore.backups.scheduler.retention.RetentionService;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Dispatch, GFS pruning and warnings through real PostgreSQL and Kafka, with the test clock. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(OwnerServicesStub.class)
class SchedulerFlowTest {

    static KafkaTestClient kafka;

    @Inject
    Dispatcher dispatcher;

    @Inject
    RetentionService retention;

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

    static String schedule(UUID dest, String db, String full, int h, int d, int w, int m, boolean wal) {
        return """
                {"enabled": true, "dbFrequency": "%s", "fullFrequency": "%s", "retainHourly": %d, "retainDaily": %d,
                 "retainWeekly": %d, "retainMonthly": %d, "walEnabled": %s, "walRetentionDays": 2,
                 "destinationIds": ["%s"]}""".formatted(db, full, h, d, w, m, wal, dest);
    }

    @Test
    void aDueSlotIsRequestedOnKafkaOnceAndTheNextTimesAdvance() throws Throwable {
        UUID org = UUID.randomUUID();
        UUID env = environment(kafka, org, "production");
        UUID dest = DestinationStub.add(org);
        Instant start = Instant.parse("2030-01-01T00:00:00Z");
        TestClock.set(start);
        var put = given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(schedule(dest, "6h", "daily", 24, 7, 4, 12, true)).put(path(env)).then().statusCode(200).extract();
        Instant nextDb = Instant.parse(put.path("nextDbBackupAt"));
        Instant nextFull = Instant.parse(put.path("nextFullBackupAt"));
        Instant first = nextDb.isBefore(nextFull) ? nextDb : nextFull;

        TestClock.set(first.minusSeconds(1));
        assertThat(dispatchAll()).isZero();
        TestClock.set(first.plusSeconds(30));
        assertThat(dispatchAll()).isGreaterThanOrEqualTo(1);
        assertThat(dispatchAll()).isZero(); // the same slot is not dispatched again

        String kind = first.equals(nextFull) ? "full" : "db";
        var requested = kafka.awaitRecord(Topics.SCHEDULE, r -> r.type().endsWith("BackupRequested.v1")
                && r.data().contains(env.toString()), Duration.ofSeconds(30)).as(BackupRequested.class);
        assertThat(requested.orgId()).isEqualTo(org);
        assertThat(requested.backupType()).isEqualTo(kind);
        assertThat(requested.trigger()).isEqualTo("scheduled");
        assertThat(requested.slotTime()).isEqualTo(first);
        assertThat(requested.idempotencyKey()).isEqualTo(env + ":" + kind + ":" + first);
        assertThat(requested.destinationIds()).containsExactly(dest);
        assertThat(requested.baseBackup()).isTrue();

        var after = given().auth().oauth2(viewer(org)).get(path(env)).then().statusCode(200).extract();
        assertThat(Instant.parse(after.path("nextDbBackupAt"))).isAfter(first.plusSeconds(30));
    }

    @Test
    void twoReplicasRacingOverTheSameDueSchedulesNeverDispatchASlotTwice() throws Exception {
        UUID org = UUID.randomUUID();
        Instant now = Instant.parse("2031-06-01T12:00:00Z");
        int schedules = 300;
        try (Connection c = jdbc()) {
            insertDueSchedules(c, org, schedules, now.minusSeconds(60));
        }
        TestClock.set(now);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Integer>> replicas = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            replicas.add(pool.submit(() -> {
                go.await();
                int total = 0;
                int n;
                do { // each call: its own Vert.x context, session, connection and transaction
                    n = onVertx(() -> dispatcher.dispatchBatch(now));
                    total += n;
                } while (n > 0);
                return total;
            }));
        }
        go.countDown();
        int a = replicas.get(0).get();
        int b = replicas.get(1).get();
        pool.shutdown();
        assertThat(a + b).isEqualTo(schedules);
        try (Connection c = jdbc(); PreparedStatement st = c.prepareStatement("""
                select payload::json->>'idempotencyKey' as k, count(*) from outbox_event
                where event_type = 'io.ocore.backup.BackupRequested.v1' and org_id = ? group by 1""")) {
            st.setObject(1, org);
            int keys = 0;
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    keys++;
                    assertThat(rs.getInt(2)).as("requests for %s", rs.getString(1)).isEqualTo(1);
                }
            }
            assertThat(keys).isEqualTo(schedules);
        }
    }

    /**
     * The broker is down while several slots come due: every slot is still requested once the
     * broker is back (the outbox kept them), and each idempotency key stands for one backup. The
     * relay may send a row again after a failed batch; such duplicates carry the row's event id
     * and key, which backup-service's consumer absorbs (BackupApiTest
     * aRedeliveredBackupRequestMakesOneBackupAndTiersAreRecorded: one backup per key).
     */
    @Test
    void scheduledSlotsDueWhileTheBrokerIsDownAreAllRequestedOnceItIsBack() throws Throwable {
        UUID org = UUID.randomUUID();
        UUID env = OwnerServicesStub.add(org, "production"); // no Kafka needed to know it
        UUID dest = DestinationStub.add(org);
        Instant start = Instant.parse("2035-02-01T00:00:00Z");
        TestClock.set(start);
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(schedule(dest, "hourly", "weekly", 24, 7, 0, 0, false)).put(path(env)).then().statusCode(200);
        Set<String> due = new LinkedHashSet<>();
        KafkaBroker.stopShared();
        try {
            for (int i = 0; i < 4; i++) {
                var s = given().auth().oauth2(viewer(org)).get(path(env)).then().statusCode(200).extract();
                Instant nextDb = Instant.parse(s.path("nextDbBackupAt"));
                Instant nextFull = Instant.parse(s.path("nextFullBackupAt"));
                boolean full = !nextFull.isAfter(nextDb);
                Instant slot = full ? nextFull : nextDb;
                TestClock.set(slot.plusSeconds(5));
                assertThat(dispatchAll()).isGreaterThanOrEqualTo(1);
                due.add(DispatchPlanner.idempotencyKey(env, full ? "full" : "db", slot));
            }
            assertThat(due).hasSize(4);
        } finally {
            KafkaBroker.restartShared();
        }
        List<KafkaTestClient.Received> got = kafka.awaitRecords(Topics.SCHEDULE,
                r -> r.type().endsWith("BackupRequested.v1") && r.data().contains(env.toString()),
                list -> list.stream().map(r -> r.as(BackupRequested.class).idempotencyKey()).collect(Collectors.toSet())
                        .containsAll(due), Duration.ofSeconds(120));
        // None lost and none invented: exactly the due slots' keys.
        assertThat(got.stream().map(r -> r.as(BackupRequested.class).idempotencyKey()).collect(Collectors.toSet()))
                .isEqualTo(due);
        // A key seen twice is a redelivery of the same outbox row (same event id), never a second request.
        Map<String, Set<String>> eventIds = new HashMap<>();
        got.forEach(r -> eventIds.computeIfAbsent(r.as(BackupRequested.class).idempotencyKey(), k -> new HashSet<>())
                .add(r.headers().get(EventEnvelope.H_ID)));
        assertThat(eventIds.values()).allSatisfy(ids -> assertThat(ids).hasSize(1));
        // At the source: one outbox row per slot, every one published (the relay marks a row
        // published after the broker's acknowledgement, which a consumer may see first: polled).
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            try (Connection c = jdbc(); PreparedStatement st = c.prepareStatement("""
                    select payload::json->>'idempotencyKey', count(*), count(published_at) from outbox_event
                    where event_type = 'io.ocore.backup.BackupRequested.v1' and org_id = ? group by 1""")) {
                st.setObject(1, org);
                Set<String> keys = new HashSet<>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        keys.add(rs.getString(1));
                        assertThat(rs.getInt(2)).as("outbox rows for %s", rs.getString(1)).isEqualTo(1);
                        assertThat(rs.getInt(3)).as("published rows for %s", rs.getString(1)).isEqualTo(1);
                    }
                }
                assertThat(keys).isEqualTo(due);
            }
        });
    }

    static void insertDueSchedules(Connection c, UUID org, int n, Instant due) throws Exception {
        try (PreparedStatement st = c.prepareStatement("""
                insert into backup_schedule (environment_id, org_id, enabled, db_frequency, full_frequency,
                    retain_hourly, retain_daily, retain_weekly, retain_monthly, wal_enabled, wal_retention_days,
                    destination_ids, timezone, next_db_at, next_full_at, retention_since, enabled_since,
                    created_at, updated_at)
                values (?, ?, true, 'hourly', 'daily', 24, 7, 4, 12, false, 7, ?, 'UTC', ?, ?, ?, ?, ?, ?)""")) {
            for (int i = 0; i < n; i++) {
                Timestamp t = Timestamp.from(due);
                st.setObject(1, UUID.randomUUID());
                st.setObject(2, org);
                st.setString(3, UUID.randomUUID().toString());
                st.setTimestamp(4, t);
                st.setTimestamp(5, Timestamp.from(due.plus(Duration.ofHours(12))));
                for (int k = 6; k <= 9; k++) {
                    st.setTimestamp(k, t);
                }
                st.addBatch();
            }
            st.executeBatch();
        }
    }

    @Test
    void completedBackupsArePrunedByGfsAndTheRestGetTheirTiers() {
        UUID org = UUID.randomUUID();
        UUID env = environment(kafka, org, "development");
        UUID dest = DestinationStub.add(org);
        Instant now = Instant.parse("2032-03-10T12:30:00Z");
        TestClock.set(now);
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(schedule(dest, "hourly", "daily", 2, 1, 0, 0, false)).put(path(env)).then().statusCode(200);

        UUID manual = complete(org, env, "full", "manual", now.minus(Duration.ofHours(30)));
        UUID oldest = complete(org, env, "db", "scheduled", now.minus(Duration.ofHours(3)));
        UUID fullOfDay = complete(org, env, "full", "scheduled", now.minus(Duration.ofHours(12)));
        UUID middle = complete(org, env, "db", "scheduled", now.minus(Duration.ofHours(2)));
        UUID newest = complete(org, env, "db", "scheduled", now.minus(Duration.ofHours(1)));

        var expired = kafka.awaitRecord(Topics.SCHEDULE, r -> r.type().endsWith("BackupExpired.v1")
                && r.data().contains(oldest.toString()), Duration.ofSeconds(30)).as(BackupExpired.class);
        assertThat(expired.orgId()).isEqualTo(org);
        assertThat(expired.environmentId()).isEqualTo(env);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var tiers = kafka.awaitRecord(Topics.SCHEDULE, r -> r.type().endsWith("BackupTiersAssigned.v1")
                    && r.data().contains(newest.toString()) && r.data().contains(middle.toString()),
                    Duration.ofSeconds(5)).as(BackupTiersAssigned.class);
            assertThat(tiers.tiersByBackup()).isEqualTo(Map.of(newest, List.of("hourly"), middle, List.of("hourly"),
                    fullOfDay, List.of("daily")));
        });
        given().auth().oauth2(viewer(org)).get(path(env) + "/retention-preview").then().statusCode(200)
                .body("tiers.find { it.tier == 'hourly' }.backups.id", equalTo(List.of(newest.toString(), middle.toString())))
                .body("tiers.find { it.tier == 'daily' }.backups.id", equalTo(List.of(fullOfDay.toString())))
                .body("neverPruned.id", equalTo(List.of(manual.toString())))
                .body("toDelete", hasSize(0));

        // A smaller retention shows what the next pruning deletes before it happens.
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(schedule(dest, "hourly", "daily", 1, 1, 0, 0, false)).put(path(env)).then().statusCode(200);
        given().auth().oauth2(viewer(org)).get(path(env) + "/retention-preview").then().statusCode(200)
                .body("toDelete.id", equalTo(List.of(middle.toString())))
                .body("toDelete[0].reason", equalTo("gfs"))
                .body("walWindow", nullValue());

        // With WAL archiving on, the preview shows the WAL window too: walRetentionDays back.
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(schedule(dest, "hourly", "daily", 1, 1, 0, 0, true)).put(path(env)).then().statusCode(200);
        given().auth().oauth2(viewer(org)).get(path(env) + "/retention-preview").then().statusCode(200)
                .body("walWindow.retentionDays", equalTo(2))
                .body("walWindow.keepsFrom", equalTo(now.minus(Duration.ofDays(2)).toString()))
                // backup-service knows no blob store of the environment: not known, never 0
                .body("$", hasKey("filestoreBlobs"))
                .body("filestoreBlobs", nullValue());

        // With a blob store, the blobs backup-service says the backups and the PITR window's captures keep
        // and its next collection frees, asked with scheduler-service's service token.
        OwnerServicesStub.blobRetention(org, env, """
                {"environmentId":"%s","blobStore":true,"evaluatedAt":"2032-07-10T12:30:00Z","graceSeconds":86400,
                 "capturesKept":2,"keptByBackups":{"blobs":5,"bytes":5010},"keptByCaptures":{"blobs":3,"bytes":3145728},
                 "kept":{"blobs":8,"bytes":3150738},"notReferenced":{"blobs":4,"bytes":4096},
                 "freedByNextCollection":{"blobs":1,"bytes":1024}}""".formatted(env));
        given().auth().oauth2(viewer(org)).get(path(env) + "/retention-preview").then().statusCode(200)
                .body("filestoreBlobs.capturesKept", equalTo(2))
                .body("filestoreBlobs.graceSeconds", equalTo(86400))
                .body("filestoreBlobs.keptByBackups.blobs", equalTo(5))
                .body("filestoreBlobs.keptByCaptures.bytes", equalTo(3145728))
                .body("filestoreBlobs.kept.blobs", equalTo(8))
                .body("filestoreBlobs.notReferenced.blobs", equalTo(4))
                .body("filestoreBlobs.freedByNextCollection.blobs", equalTo(1))
                .body("filestoreBlobs.freedByNextCollection.bytes", equalTo(1024));
        assertThat(OwnerServicesStub.CALLER.get()).isEqualTo("scheduler-service");
        // backup-service down: the preview is still given, the blobs not known
        OwnerServicesStub.down(true);
        try {
            given().auth().oauth2(viewer(org)).get(path(env) + "/retention-preview").then().statusCode(200)
                    .body("walWindow.retentionDays", equalTo(2))
                    .body("filestoreBlobs", nullValue());
        } finally {
            OwnerServicesStub.down(false);
        }
    }

    @Test
    void theNewestBackupIsNeverExpiredAndThePreviewSaysWhy() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = environment(kafka, org, "development");
        UUID dest = DestinationStub.add(org);
        Instant now = Instant.parse("2032-07-10T12:30:00Z");
        TestClock.set(now);
        // A schedule that keeps nothing in its tiers (saved disabled, or before the floor existed).
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(schedule(dest, "hourly", "daily", 0, 0, 0, 0, false).replace("\"enabled\": true", "\"enabled\": false"))
                .put(path(env)).then().statusCode(200);
        UUID older = complete(org, env, "full", "scheduled", now.minus(Duration.ofHours(3)));
        UUID newest = complete(org, env, "db", "scheduled", now.minus(Duration.ofHours(1)));

        kafka.awaitRecord(Topics.SCHEDULE, r -> r.type().endsWith("BackupExpired.v1")
                && r.data().contains(older.toString()), Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get(path(env) + "/retention-preview").then().statusCode(200)
                .body("minRedundancy", equalTo(1))
                .body("kept.id", equalTo(List.of(newest.toString())))
                .body("kept[0].keptBy", equalTo(List.of("minimum_redundancy")))
                .body("toDelete", hasSize(0)));
        // Neither its own pruning nor the later one expired it.
        try (Connection c = jdbc(); PreparedStatement st = c.prepareStatement("""
                select count(*) from outbox_event where event_type = 'io.ocore.backup.BackupExpired.v1'
                and payload::json->>'backupId' = ?""")) {
            st.setString(1, newest.toString());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @Test
    void anOverdueKindIsReportedOncePerEpisode() throws Throwable {
        UUID org = UUID.randomUUID();
        UUID env = environment(kafka, org, "staging");
        UUID dest = DestinationStub.add(org);
        Instant start = Instant.parse("2033-05-01T00:00:00Z");
        TestClock.set(start);
        given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(schedule(dest, "hourly", "weekly", 0, 3, 0, 0, false)).put(path(env)).then().statusCode(200);
        TestClock.set(start.plus(Duration.ofHours(2)).plusSeconds(1));
        assertThat(onVertx(() -> dispatcher.reportOverdue())).isEqualTo(1);
        TestClock.advance(Duration.ofMinutes(5));
        assertThat(onVertx(() -> dispatcher.reportOverdue())).isZero();
        var overdue = kafka.awaitRecord(Topics.SCHEDULE, r -> r.type().endsWith("BackupOverdue.v1")
                && r.data().contains(env.toString()), Duration.ofSeconds(30)).as(BackupOverdue.class);
        assertThat(overdue.backupType()).isEqualTo("db");
        assertThat(overdue.lastSuccessAt()).isNull();
        assertThat(overdue.expectedBy()).isEqualTo(start.plus(Duration.ofHours(2)));

        // A success ends the episode; the next gap is a new one.
        Instant done = TestClock.INSTANCE.instant();
        complete(org, env, "db", "scheduled", done);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get(path(env) + "/retention-preview").then().body("tiers.find { it.tier == 'daily' }.backups", hasSize(1)));
        TestClock.set(done.plus(Duration.ofHours(2)).plusSeconds(1));
        assertThat(onVertx(() -> dispatcher.reportOverdue())).isEqualTo(1);
    }

    @Test
    void preRestoreSnapshotsExpireAfterTheirRetention() throws Throwable {
        UUID org = UUID.randomUUID();
        UUID env = environment(kafka, org, "development");
        Instant t = Instant.parse("2034-01-10T00:00:00Z");
        TestClock.set(t);
        UUID snapshot = complete(org, env, "full", "pre_restore", t.minus(Duration.ofDays(6)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(viewer(org))
                .get(path(env) + "/retention-preview").then().body("neverPruned", hasSize(1)));
        assertThat(onVertx(() -> retention.expireSnapshots())).isZero();
        TestClock.advance(Duration.ofDays(1).plusSeconds(1));
        assertThat(onVertx(() -> retention.expireSnapshots())).isEqualTo(1);
        var expired = kafka.awaitRecord(Topics.SCHEDULE, r -> r.type().endsWith("BackupExpired.v1")
                && r.data().contains(snapshot.toString()), Duration.ofSeconds(30)).as(BackupExpired.class);
        assertThat(expired.reason()).isEqualTo("snapshot_retention");
    }

    static UUID complete(UUID org, UUID env, String type, String trigger, Instant at) {
        UUID id = UUID.randomUUID();
        kafka.publish(new BackupCompleted(org, env, id, type, trigger, "k-" + id, 1024, at.minusSeconds(60), at,
                Map.of(), List.of()));
        return id;
    }

    private int dispatchAll() throws Throwable {
        return onVertx(() -> dispatcher.dispatchDue());
    }
}
