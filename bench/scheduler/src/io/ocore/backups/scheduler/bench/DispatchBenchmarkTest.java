package io.ocore.backups.scheduler.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.fakes.OwnerServicesStub;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.scheduler.DestinationStub;
import io.ocore.backups.scheduler.SchedulerTestSupport;
import io.ocore.backups.scheduler.TestClock;
import io.ocore.backups.scheduler.dispatch.Dispatcher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 10,000 schedules due in the same minute, dispatched by one replica against real PostgreSQL
 * (claim, one outbox row each, next times advanced) within 60 s. The outbox relay is paused so
 * the figure is the dispatcher's alone.
 */
@Tag("benchmark")
@QuarkusTest
@TestProfile(DispatchBenchmarkTest.ProductionBatches.class)
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(OwnerServicesStub.class)
class DispatchBenchmarkTest {

    static final int SCHEDULES = 10_000;

    /** The production batch size (the test profile's is small to make races likely). */
    public static class ProductionBatches implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ocore.scheduler.batch-size", "200", "ocore.outbox.start-paused", "true");
        }
    }

    @Inject
    Dispatcher dispatcher;

    @Test
    void tenThousandSchedulesDueInTheSameMinuteAreDispatchedWithinAMinute() throws Exception {
        UUID org = UUID.randomUUID();
        Instant minute = Instant.parse("2035-02-01T03:00:00Z");
        try (Connection c = SchedulerTestSupport.jdbc(); PreparedStatement st = c.prepareStatement("""
                insert into backup_schedule (environment_id, org_id, enabled, db_frequency, full_frequency,
                    retain_hourly, retain_daily, retain_weekly, retain_monthly, wal_enabled, wal_retention_days,
                    destination_ids, timezone, next_db_at, next_full_at, retention_since, enabled_since,
                    created_at, updated_at)
                values (?, ?, true, '6h', 'daily', 24, 7, 4, 12, true, 7, ?, 'Europe/Brussels', ?, ?, ?, ?, ?, ?)""")) {
            for (int i = 0; i < SCHEDULES; i++) {
                Timestamp due = Timestamp.from(minute.plusSeconds(i % 60));
                st.setObject(1, UUID.randomUUID());
                st.setObject(2, org);
                st.setString(3, UUID.randomUUID() + "," + UUID.randomUUID());
                st.setTimestamp(4, due);
                st.setTimestamp(5, i % 4 == 0 ? due : Timestamp.from(minute.plus(Duration.ofHours(6))));
                for (int k = 6; k <= 9; k++) {
                    st.setTimestamp(k, Timestamp.from(minute.minus(Duration.ofDays(1))));
                }
                st.addBatch();
            }
            st.executeBatch();
        }
        TestClock.set(minute.plusSeconds(60));
        try {
            long start = System.nanoTime();
            int dispatched = SchedulerTestSupport.onVertx(() -> dispatcher.dispatchDue());
            long ms = (System.nanoTime() - start) / 1_000_000;
            int rows = outboxRows(org);
            System.out.printf("BENCH dispatch schedules=%d dispatched=%d outboxRows=%d elapsed=%d ms (%.0f/s)%n",
                    SCHEDULES, dispatched, rows, ms, dispatched * 1000.0 / Math.max(ms, 1));
            assertThat(dispatched).isEqualTo(SCHEDULES);
            assertThat(rows).isEqualTo(SCHEDULES);
            assertThat(ms).isLessThan(60_000);
        } finally {
            TestClock.reset();
        }
    }

    static int outboxRows(UUID org) throws Exception {
        try (Connection c = SchedulerTestSupport.jdbc(); PreparedStatement st = c.prepareStatement(
                "select count(*) from outbox_event where org_id = ? and event_type = 'io.ocore.backup.BackupRequested.v1'")) {
            st.setObject(1, org);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
