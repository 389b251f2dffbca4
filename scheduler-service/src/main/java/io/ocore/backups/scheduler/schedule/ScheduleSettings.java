package io.ocore.backups.scheduler.schedule;

import java.util.List;
import java.util.UUID;

/** A validated schedule as a user sets it. */
public record ScheduleSettings(boolean enabled, Frequency db, Frequency full, int retainHourly, int retainDaily,
        int retainWeekly, int retainMonthly, boolean walEnabled, int walRetentionDays, List<UUID> destinationIds,
        String timezone) {
}
