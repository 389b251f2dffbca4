package io.ocore.backups.scheduler.schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.UUID;

/**
 * When an environment's backups of one frequency are due. Slots are wall-clock times in the
 * schedule's time zone, shifted by a phase that a stable hash of the environment id gives, so
 * thousands of environments do not all start on the hour: the phase is a second of the day;
 * a period of P (1 h, 6 h, 12 h, 1 day) runs at {@code phase mod P + k * P} each day, a weekly
 * one on the hashed weekday at {@code phase}. As every period divides the day, the daily slot
 * is also a 6-hourly and hourly slot: db and full slots of one environment coincide.
 *
 * <p>In a DST gap a slot moves forward by the gap; in an overlap it runs at the earlier offset.
 */
public final class SlotCalendar {

    private static final int DAY_SECONDS = 86_400;

    private SlotCalendar() {
    }

    /** The environment's second of the day, stable across restarts and replicas. */
    public static int phaseSeconds(UUID environmentId) {
        return (int) Math.floorMod(mix(environmentId), (long) DAY_SECONDS);
    }

    /** The environment's weekday for weekly backups. */
    public static DayOfWeek weekday(UUID environmentId) {
        return DayOfWeek.of((int) Math.floorMod(mix(environmentId) >>> 24, 7L) + 1);
    }

    /** The first slot strictly after {@code t}. */
    public static Instant nextAfter(Instant t, Frequency f, ZoneId zone, UUID environmentId) {
        LocalDate day = LocalDate.ofInstant(t, zone).minusDays(1);
        Instant best = null;
        for (int i = 0; i < 10; i++, day = day.plusDays(1)) {
            boolean hadBest = best != null;
            for (Instant slot : slotsOn(day, f, zone, environmentId)) {
                if (slot.isAfter(t) && (best == null || slot.isBefore(best))) {
                    best = slot;
                }
            }
            if (hadBest) {
                break; // one more day scanned after the first hit covers DST reordering
            }
        }
        return best;
    }

    /** The last slot at or before {@code t}. */
    public static Instant latestAtOrBefore(Instant t, Frequency f, ZoneId zone, UUID environmentId) {
        LocalDate day = LocalDate.ofInstant(t, zone).plusDays(1);
        Instant best = null;
        for (int i = 0; i < 10; i++, day = day.minusDays(1)) {
            boolean hadBest = best != null;
            for (Instant slot : slotsOn(day, f, zone, environmentId)) {
                if (!slot.isAfter(t) && (best == null || slot.isAfter(best))) {
                    best = slot;
                }
            }
            if (hadBest) {
                break;
            }
        }
        return best;
    }

    private static Instant[] slotsOn(LocalDate day, Frequency f, ZoneId zone, UUID env) {
        int phase = phaseSeconds(env);
        if (f == Frequency.WEEKLY) {
            return day.getDayOfWeek() == weekday(env) ? new Instant[] {at(day, phase, zone)} : new Instant[0];
        }
        int period = (int) f.period().toSeconds();
        int first = phase % period;
        Instant[] slots = new Instant[(DAY_SECONDS - first + period - 1) / period];
        for (int k = 0; k < slots.length; k++) {
            slots[k] = at(day, first + k * period, zone);
        }
        return slots;
    }

    private static Instant at(LocalDate day, int secondOfDay, ZoneId zone) {
        return ZonedDateTime.of(LocalDateTime.of(day, java.time.LocalTime.ofSecondOfDay(secondOfDay)), zone).toInstant();
    }

    private static long mix(UUID id) {
        long z = id.getMostSignificantBits() ^ Long.rotateLeft(id.getLeastSignificantBits(), 29);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
