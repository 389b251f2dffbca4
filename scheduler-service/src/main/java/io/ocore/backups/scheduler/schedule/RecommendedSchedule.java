package io.ocore.backups.scheduler.schedule;

/**
 * The seed's recommended values per environment type, answered (with {@code enabled: false})
 * before a schedule is first PUT. WAL archiving is recommended for production only.
 */
public record RecommendedSchedule(Frequency db, Frequency full, int retainHourly, int retainDaily,
        int retainWeekly, int retainMonthly, boolean walEnabled, int walRetentionDays) {

    public static RecommendedSchedule forType(String environmentType) {
        return switch (environmentType == null ? "" : environmentType) {
            case "production" -> new RecommendedSchedule(Frequency.SIX_HOURS, Frequency.DAILY, 24, 7, 4, 12, true, 7);
            case "staging" -> new RecommendedSchedule(Frequency.DAILY, Frequency.WEEKLY, 0, 7, 2, 0, false, 7);
            default -> new RecommendedSchedule(Frequency.DAILY, Frequency.WEEKLY, 0, 3, 0, 0, false, 7);
        };
    }
}
