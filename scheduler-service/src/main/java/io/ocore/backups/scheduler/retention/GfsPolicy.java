package io.ocore.backups.scheduler.retention;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Grandfather-Father-Son retention of an environment's scheduled backups (no framework).
 *
 * <p>A tier keeps the newest backup of each of its last N periods that have a backup (hour,
 * day, ISO week, month, in the schedule's time zone). Daily, weekly and monthly prefer a full
 * backup in the period when one exists. With WAL archiving, the newest backup completed at or
 * before {@code now - walRetention} is kept too: it is the base the oldest retained WAL needs.
 * Whatever the tiers say, the newest {@code minRedundancy} backups (of either kind, newest
 * completion first) are kept too: the floor that a schedule saved with nothing to keep, or a
 * lowered retention, can never go below. Every other backup expires. Manual backups and
 * snapshots are never passed in.
 */
public final class GfsPolicy {

    public enum Tier {
        hourly, daily, weekly, monthly
    }

    /** A completed scheduled backup. */
    public record Backup(UUID id, boolean full, Instant completedAt) {
    }

    public record Retention(int hourly, int daily, int weekly, int monthly) {
        int of(Tier t) {
            return switch (t) {
                case hourly -> hourly;
                case daily -> daily;
                case weekly -> weekly;
                case monthly -> monthly;
            };
        }
    }

    /**
     * @param kept per tier, the backups it keeps, newest first
     * @param tiers per input backup, its tiers (empty when in none)
     * @param walBase the backup kept as the base of the oldest retained WAL, or null
     * @param floor the newest {@code minRedundancy} backups, newest first (kept whatever the tiers say)
     * @param expired the backups in no tier, not the WAL base and not in the floor, oldest first
     */
    public record Decision(Map<Tier, List<Backup>> kept, Map<UUID, Set<Tier>> tiers, Backup walBase,
            List<Backup> floor, List<Backup> expired) {

        /** True if the backup is kept only because of the minimum redundancy. */
        public boolean keptOnlyByFloor(UUID id) {
            Set<Tier> t = tiers.get(id);
            return floor.stream().anyMatch(b -> b.id().equals(id)) && (t == null || t.isEmpty())
                    && (walBase == null || !walBase.id().equals(id));
        }
    }

    /** The default minimum redundancy ({@code ocore.retention.min-redundancy}). */
    public static final int DEFAULT_MIN_REDUNDANCY = 1;

    private static final Comparator<Backup> NEWEST_FIRST = Comparator.comparing(Backup::completedAt)
            .thenComparing(Backup::id).reversed();

    private final Retention retention;
    private final ZoneId zone;
    private final Duration walRetention;
    private final int minRedundancy;

    /** With the default minimum redundancy. */
    public GfsPolicy(Retention retention, ZoneId zone, Duration walRetention) {
        this(retention, zone, walRetention, DEFAULT_MIN_REDUNDANCY);
    }

    /**
     * @param walRetention how long WAL is kept, or null when WAL archiving is off
     * @param minRedundancy how many of the newest backups are never expired (at least 1)
     */
    public GfsPolicy(Retention retention, ZoneId zone, Duration walRetention, int minRedundancy) {
        if (minRedundancy < 1) {
            throw new IllegalArgumentException("the minimum redundancy must be at least 1, not " + minRedundancy);
        }
        this.retention = retention;
        this.zone = zone;
        this.walRetention = walRetention;
        this.minRedundancy = minRedundancy;
    }

    public Decision decide(Collection<Backup> backups, Instant now) {
        List<Backup> sorted = new ArrayList<>(backups);
        sorted.sort(NEWEST_FIRST);
        long[][] keys = periodKeys(sorted);

        Map<Tier, List<Backup>> kept = new EnumMap<>(Tier.class);
        Map<UUID, Set<Tier>> tiers = new HashMap<>();
        for (Backup b : sorted) {
            tiers.put(b.id(), EnumSet.noneOf(Tier.class));
        }
        for (Tier tier : Tier.values()) {
            List<Backup> chosen = choose(sorted, keys[tier.ordinal()], retention.of(tier), tier != Tier.hourly);
            kept.put(tier, chosen);
            chosen.forEach(b -> tiers.get(b.id()).add(tier));
        }

        Backup walBase = null;
        if (walRetention != null) {
            Instant cutoff = now.minus(walRetention);
            walBase = sorted.stream().filter(b -> !b.completedAt().isAfter(cutoff)).findFirst().orElse(null);
        }
        List<Backup> floor = List.copyOf(sorted.subList(0, Math.min(minRedundancy, sorted.size())));
        List<Backup> expired = new ArrayList<>();
        for (int i = sorted.size() - 1; i >= minRedundancy; i--) {
            Backup b = sorted.get(i);
            if (tiers.get(b.id()).isEmpty() && b != walBase) {
                expired.add(b);
            }
        }
        return new Decision(kept, tiers, walBase, floor, expired);
    }

    /** Newest first: the representative of each of the newest {@code n} periods. */
    private static List<Backup> choose(List<Backup> sorted, long[] keys, int n, boolean preferFull) {
        Map<Long, Backup> byPeriod = new LinkedHashMap<>();
        if (n <= 0) {
            return List.of();
        }
        for (int i = 0; i < sorted.size(); i++) {
            Backup b = sorted.get(i);
            Backup current = byPeriod.get(keys[i]);
            if (current == null) {
                if (byPeriod.size() == n) {
                    break; // an older period than the last one the tier keeps
                }
                byPeriod.put(keys[i], b);
            } else if (preferFull && b.full() && !current.full()) {
                byPeriod.put(keys[i], b); // the newest full backup of the period
            }
        }
        return List.copyOf(byPeriod.values());
    }

    private long[][] periodKeys(List<Backup> sorted) {
        long[][] keys = new long[Tier.values().length][sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            ZonedDateTime t = sorted.get(i).completedAt().atZone(zone);
            long day = t.toLocalDate().toEpochDay();
            keys[Tier.hourly.ordinal()][i] = day * 24 + t.getHour();
            keys[Tier.daily.ordinal()][i] = day;
            keys[Tier.weekly.ordinal()][i] = t.get(IsoFields.WEEK_BASED_YEAR) * 100L
                    + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
            keys[Tier.monthly.ordinal()][i] = t.getYear() * 12L + t.getMonthValue();
        }
        return keys;
    }
}
