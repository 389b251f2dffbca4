package io.ocore.backups.scheduler.schedule.rest;

import io.ocore.backups.scheduler.schedule.BackupSchedule;
import io.ocore.backups.scheduler.schedule.RecommendedSchedule;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A schedule on the wire: the seed's fields, {@code timezone}, and the next run times (null while disabled). */
public record ScheduleView(UUID environmentId, boolean enabled, String dbFrequency, String fullFrequency,
        int retainHourly, int retainDaily, int retainWeekly, int retainMonthly, boolean walEnabled,
        int walRetentionDays, List<UUID> destinationIds, String timezone, Instant nextDbBackupAt,
        Instant nextFullBackupAt, Instant updatedAt) {

    static ScheduleView of(BackupSchedule s) {
        return new ScheduleView(s.environmentId, s.enabled, s.dbFrequency, s.fullFrequency, s.retainHourly,
                s.retainDaily, s.retainWeekly, s.retainMonthly, s.walEnabled, s.walRetentionDays,
                s.destinationIds, s.timezone, s.nextDbAt, s.nextFullAt, s.updatedAt);
    }

    /** Before any PUT: the recommended values for the environment's type, disabled. */
    static ScheduleView recommended(UUID environmentId, RecommendedSchedule r) {
        return new ScheduleView(environmentId, false, r.db().wire(), r.full().wire(), r.retainHourly(),
                r.retainDaily(), r.retainWeekly(), r.retainMonthly(), r.walEnabled(), r.walRetentionDays(),
                List.of(), "UTC", null, null, null);
    }
}
