package io.ocore.backups.scheduler.dispatch;

import io.ocore.backups.scheduler.schedule.Frequency;
import io.ocore.backups.scheduler.schedule.SlotCalendar;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import java.util.UUID;

/**
 * What a due schedule dispatches at {@code now} (pure; the dispatcher applies it in a
 * transaction). A due full slot also serves a due db slot (a full backup contains the
 * database), so they yield one request. Next times are computed from {@code now}, not from
 * the missed slot: after downtime a schedule catches up with one backup per kind, not a burst.
 */
public final class DispatchPlanner {

    private DispatchPlanner() {
    }

    /** The dispatch-relevant part of a schedule. */
    public record Due(UUID environmentId, Frequency db, Frequency full, ZoneId zone, Instant nextDbAt,
            Instant nextFullAt) {
    }

    /**
     * One backup to request and the schedule's new next times.
     *
     * @param slot the latest slot of that kind at or before now (the missed one after downtime)
     */
    public record Dispatch(String backupType, Instant slot, String idempotencyKey, Instant nextDbAt,
            Instant nextFullAt) {
    }

    public static Optional<Dispatch> plan(Due s, Instant now) {
        boolean dueDb = s.nextDbAt() != null && !s.nextDbAt().isAfter(now);
        boolean dueFull = s.nextFullAt() != null && !s.nextFullAt().isAfter(now);
        if (!dueDb && !dueFull) {
            return Optional.empty();
        }
        Instant nextDb = dueDb ? SlotCalendar.nextAfter(now, s.db(), s.zone(), s.environmentId()) : s.nextDbAt();
        Instant nextFull = dueFull ? SlotCalendar.nextAfter(now, s.full(), s.zone(), s.environmentId()) : s.nextFullAt();
        String type = dueFull ? "full" : "db";
        Frequency f = dueFull ? s.full() : s.db();
        Instant slot = SlotCalendar.latestAtOrBefore(now, f, s.zone(), s.environmentId());
        Instant missed = dueFull ? s.nextFullAt() : s.nextDbAt();
        if (slot == null || slot.isBefore(missed)) {
            slot = missed; // a slot from before a frequency change: keep the stored time
        }
        return Optional.of(new Dispatch(type, slot, idempotencyKey(s.environmentId(), type, slot), nextDb, nextFull));
    }

    /** environment + kind + slot time: the same slot requested twice is one backup. */
    public static String idempotencyKey(UUID environmentId, String backupType, Instant slot) {
        return environmentId + ":" + backupType + ":" + slot;
    }
}
