package io.ocore.backups.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.scheduler.dispatch.DispatchPlanner.Due;
import io.ocore.backups.scheduler.schedule.Frequency;
import io.ocore.backups.scheduler.schedule.SlotCalendar;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DispatchPlannerTest {

    static final UUID ENV = UUID.fromString("7f0c1f7e-2f4b-4a53-9a55-0f3f2b6b9c11");
    static final ZoneId UTC = ZoneOffset.UTC;

    @Test
    void aFullSlotCoincidingWithADbSlotIsOneFullBackupThatAdvancesBoth() {
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        Instant full = SlotCalendar.nextAfter(t0, Frequency.DAILY, UTC, ENV);
        // The daily slot is also one of the 6-hourly slots.
        Instant db = SlotCalendar.nextAfter(full.minusSeconds(1), Frequency.SIX_HOURS, UTC, ENV);
        assertThat(db).isEqualTo(full);

        var d = DispatchPlanner.plan(new Due(ENV, Frequency.SIX_HOURS, Frequency.DAILY, UTC, db, full), full).orElseThrow();
        assertThat(d.backupType()).isEqualTo("full");
        assertThat(d.slot()).isEqualTo(full);
        assertThat(d.idempotencyKey()).isEqualTo(ENV + ":full:" + full);
        assertThat(d.nextDbAt()).isEqualTo(full.plus(Duration.ofHours(6)));
        assertThat(d.nextFullAt()).isEqualTo(full.plus(Duration.ofDays(1)));
    }

    @Test
    void afterDowntimeOneCatchUpPerKindThenTheRegularRhythm() {
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        Instant db = SlotCalendar.nextAfter(t0, Frequency.HOURLY, UTC, ENV);
        Instant back = t0.plus(Duration.ofDays(3)).plusSeconds(17); // 72 hourly slots missed
        Instant full = SlotCalendar.nextAfter(back, Frequency.WEEKLY, UTC, ENV); // not due
        var d = DispatchPlanner.plan(new Due(ENV, Frequency.HOURLY, Frequency.WEEKLY, UTC, db, full), back).orElseThrow();
        assertThat(d.backupType()).isEqualTo("db");
        assertThat(d.slot()).isEqualTo(SlotCalendar.latestAtOrBefore(back, Frequency.HOURLY, UTC, ENV));
        assertThat(d.nextDbAt()).isAfter(back).isBefore(back.plus(Duration.ofHours(1)).plusSeconds(1));
        assertThat(DispatchPlanner.plan(new Due(ENV, Frequency.HOURLY, Frequency.WEEKLY, UTC, d.nextDbAt(),
                d.nextFullAt()), back)).isEmpty();
    }

    @Test
    void notDueIsNothing() {
        Instant now = Instant.parse("2026-03-01T00:00:00Z");
        assertThat(DispatchPlanner.plan(new Due(ENV, Frequency.HOURLY, Frequency.DAILY, UTC, now.plusSeconds(1),
                now.plusSeconds(5)), now)).isEmpty();
    }

    @Test
    void slotsAreSpreadOverThePeriodByEnvironment() {
        Set<Integer> minutes = new HashSet<>();
        Set<Integer> secondsOfDay = new HashSet<>();
        IntStream.range(0, 2000).forEach(i -> {
            UUID env = UUID.randomUUID();
            Instant next = SlotCalendar.nextAfter(Instant.parse("2026-03-01T00:00:00Z"), Frequency.HOURLY, UTC, env);
            minutes.add(next.atZone(UTC).getMinute());
            secondsOfDay.add(SlotCalendar.phaseSeconds(env));
            assertThat(SlotCalendar.phaseSeconds(env)).isEqualTo(SlotCalendar.phaseSeconds(UUID.fromString(env.toString())));
        });
        assertThat(minutes).hasSize(60);
        assertThat(secondsOfDay.size()).isGreaterThan(1900);
    }

    @Test
    void slotsAreWallClockTimesInTheScheduleZoneAcrossDst() {
        ZoneId brussels = ZoneId.of("Europe/Brussels");
        Instant before = Instant.parse("2026-03-27T00:00:00Z");
        Instant a = SlotCalendar.nextAfter(before, Frequency.DAILY, brussels, ENV);
        Instant b = SlotCalendar.nextAfter(a, Frequency.DAILY, brussels, ENV);
        Instant c = SlotCalendar.nextAfter(b, Frequency.DAILY, brussels, ENV);
        Instant d = SlotCalendar.nextAfter(c, Frequency.DAILY, brussels, ENV);
        LocalTime at = a.atZone(brussels).toLocalTime();
        for (Instant x : new Instant[] {b, c, d}) {
            if (!x.atZone(brussels).toLocalDate().toString().equals("2026-03-29") || at.getHour() != 2) {
                assertThat(x.atZone(brussels).toLocalTime()).isEqualTo(at);
            }
        }
        assertThat(SlotCalendar.latestAtOrBefore(b, Frequency.DAILY, brussels, ENV)).isEqualTo(b);
        assertThat(SlotCalendar.latestAtOrBefore(b.minusSeconds(1), Frequency.DAILY, brussels, ENV)).isEqualTo(a);
    }
}
