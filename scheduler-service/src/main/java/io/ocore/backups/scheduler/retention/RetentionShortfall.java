package io.ocore.backups.scheduler.retention;

import io.ocore.backups.scheduler.retention.GfsPolicy.Retention;
import io.ocore.backups.scheduler.retention.GfsPolicy.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Tiers holding fewer backups than configured although enough time has passed since the
 * retention started (schedule enabled or changed) to fill them: N + 1 periods of the tier,
 * the hourly tier's period being the db frequency (one backup per db slot at most).
 */
public final class RetentionShortfall {

    private RetentionShortfall() {
    }

    public record Shortfall(int expected, int actual) {
    }

    public static Map<Tier, Shortfall> of(Retention retention, Map<Tier, List<GfsPolicy.Backup>> kept,
            Duration dbPeriod, Instant since, Instant now) {
        Map<Tier, Shortfall> out = new EnumMap<>(Tier.class);
        for (Tier tier : Tier.values()) {
            int expected = retention.of(tier);
            int actual = kept.getOrDefault(tier, List.of()).size();
            if (expected > 0 && actual < expected && !now.isBefore(since.plus(fillTime(tier, expected, dbPeriod)))) {
                out.put(tier, new Shortfall(expected, actual));
            }
        }
        return out;
    }

    static Duration fillTime(Tier tier, int n, Duration dbPeriod) {
        Duration period = switch (tier) {
            case hourly -> dbPeriod.compareTo(Duration.ofHours(1)) > 0 ? dbPeriod : Duration.ofHours(1);
            case daily -> Duration.ofDays(1);
            case weekly -> Duration.ofDays(7);
            case monthly -> Duration.ofDays(31);
        };
        return period.multipliedBy(n + 1L);
    }
}
