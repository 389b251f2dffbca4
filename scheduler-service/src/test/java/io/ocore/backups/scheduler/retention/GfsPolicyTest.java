package io.ocore.backups.scheduler.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.scheduler.retention.GfsPolicy.Backup;
import io.ocore.backups.scheduler.retention.GfsPolicy.Decision;
import io.ocore.backups.scheduler.retention.GfsPolicy.Retention;
import io.ocore.backups.scheduler.retention.GfsPolicy.Tier;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** GFS on explicit calendars. */
class GfsPolicyTest {

    static final ZoneId UTC = ZoneOffset.UTC;

    static Backup db(String at) {
        return new Backup(UUID.randomUUID(), false, Instant.parse(at));
    }

    static Backup full(String at) {
        return new Backup(UUID.randomUUID(), true, Instant.parse(at));
    }

    static Decision decide(Retention r, ZoneId zone, List<Backup> backups, String now) {
        return new GfsPolicy(r, zone, null).decide(backups, Instant.parse(now));
    }

    @Test
    void hourlyKeepsTheNewestOfEachOfTheLastNHoursThatHaveABackup() {
        Backup a = db("2026-03-10T09:05:00Z");
        Backup b = db("2026-03-10T10:05:00Z");
        Backup c = db("2026-03-10T10:45:00Z"); // newer in the same hour: replaces b
        Backup d = db("2026-03-10T13:05:00Z"); // hours 11 and 12 have none: they do not count
        Decision x = decide(new Retention(3, 0, 0, 0), UTC, List.of(a, b, c, d), "2026-03-10T13:30:00Z");
        assertThat(x.kept().get(Tier.hourly)).containsExactly(d, c, a);
        assertThat(x.expired()).containsExactly(b);
        assertThat(x.tiers().get(c.id())).containsExactly(Tier.hourly);
    }

    @Test
    void weeksAreIsoWeeksStartingOnMonday() {
        // 2026-01-04 is a Sunday (ISO week 2026-W01), 2026-01-05 the Monday of W02.
        Backup sun = db("2026-01-04T22:00:00Z");
        Backup sat = db("2026-01-03T10:00:00Z"); // same W01, older
        Backup mon = db("2026-01-05T01:00:00Z");
        // 2025-12-29 (Monday) also belongs to ISO week 2026-W01.
        Backup dec29 = db("2025-12-29T08:00:00Z");
        Backup dec28 = db("2025-12-28T08:00:00Z"); // Sunday: 2025-W52
        Decision x = decide(new Retention(0, 0, 3, 0), UTC, List.of(sun, sat, mon, dec29, dec28), "2026-01-05T02:00:00Z");
        assertThat(x.kept().get(Tier.weekly)).containsExactly(mon, sun, dec28);
        assertThat(x.expired()).containsExactlyInAnyOrder(sat, dec29);
    }

    @Test
    void monthsEndOnTheirLastDayIncludingLeapFebruary() {
        Backup feb29 = db("2028-02-29T23:59:00Z");
        Backup feb1 = db("2028-02-01T00:00:00Z");
        Backup mar1 = db("2028-03-01T00:00:00Z");
        Backup jan31 = db("2028-01-31T23:00:00Z");
        Backup dec31 = db("2027-12-31T23:00:00Z");
        Decision x = decide(new Retention(0, 0, 0, 3), UTC, List.of(feb29, feb1, mar1, jan31, dec31), "2028-03-02T00:00:00Z");
        assertThat(x.kept().get(Tier.monthly)).containsExactly(mar1, feb29, jan31);
        assertThat(x.expired()).containsExactly(dec31, feb1);
    }

    @Test
    void periodsFollowTheScheduleTimeZone() {
        // 23:30 UTC on 31 March is already 1 April 01:30 in Brussels (CEST, +02:00).
        Backup lateMarchUtc = db("2026-03-31T23:30:00Z");
        Backup marchDay = db("2026-03-31T12:00:00Z");
        ZoneId brussels = ZoneId.of("Europe/Brussels");
        Decision local = decide(new Retention(0, 2, 0, 2), brussels, List.of(lateMarchUtc, marchDay), "2026-04-01T08:00:00Z");
        assertThat(local.kept().get(Tier.daily)).containsExactly(lateMarchUtc, marchDay);
        assertThat(local.kept().get(Tier.monthly)).containsExactly(lateMarchUtc, marchDay);

        Decision utc = decide(new Retention(0, 2, 0, 2), UTC, List.of(lateMarchUtc, marchDay), "2026-04-01T08:00:00Z");
        assertThat(utc.kept().get(Tier.daily)).containsExactly(lateMarchUtc);
        assertThat(utc.kept().get(Tier.monthly)).containsExactly(lateMarchUtc);
        assertThat(utc.expired()).containsExactly(marchDay);
    }

    @Test
    void dstChangeDaysAreOneDayAndHoursAreWallClockHours() {
        ZoneId brussels = ZoneId.of("Europe/Brussels");
        // 2026-10-25: clocks go back at 03:00 CEST -> 02:00 CET; 02:30 local happens twice.
        Backup first0230 = db("2026-10-25T00:30:00Z"); // 02:30 CEST
        Backup second0230 = db("2026-10-25T01:30:00Z"); // 02:30 CET
        Backup evening = db("2026-10-25T21:00:00Z"); // 22:00 CET, same local day
        Decision x = decide(new Retention(5, 1, 0, 0), brussels, List.of(first0230, second0230, evening),
                "2026-10-25T22:00:00Z");
        assertThat(x.kept().get(Tier.daily)).containsExactly(evening);
        assertThat(x.kept().get(Tier.hourly)).containsExactly(evening, second0230);
        assertThat(x.expired()).containsExactly(first0230);
    }

    @Test
    void dailyWeeklyAndMonthlyPreferAFullBackupButHourlyDoesNot() {
        Backup full0 = full("2026-05-12T00:10:00Z");
        Backup full1 = full("2026-05-12T06:10:00Z");
        Backup db2 = db("2026-05-12T12:10:00Z");
        Backup db3 = db("2026-05-12T18:10:00Z");
        Decision x = decide(new Retention(1, 1, 1, 1), UTC, List.of(full0, full1, db2, db3), "2026-05-12T19:00:00Z");
        assertThat(x.kept().get(Tier.hourly)).containsExactly(db3);
        assertThat(x.kept().get(Tier.daily)).containsExactly(full1); // the newest full of the day
        assertThat(x.kept().get(Tier.weekly)).containsExactly(full1);
        assertThat(x.kept().get(Tier.monthly)).containsExactly(full1);
        assertThat(x.tiers().get(full1.id())).isEqualTo(Set.of(Tier.daily, Tier.weekly, Tier.monthly));
        assertThat(x.expired()).containsExactly(full0, db2);
    }

    @Test
    void aDayWithoutFullBackupKeepsItsNewestDbBackup() {
        Backup monFull = full("2026-05-11T00:10:00Z");
        Backup tueDb = db("2026-05-12T00:10:00Z");
        Backup tueDbLate = db("2026-05-12T12:10:00Z");
        Decision x = decide(new Retention(0, 2, 0, 0), UTC, List.of(monFull, tueDb, tueDbLate), "2026-05-12T13:00:00Z");
        assertThat(x.kept().get(Tier.daily)).containsExactly(tueDbLate, monFull);
    }

    @Test
    void theWalBaseIsTheNewestBackupOlderThanTheWalRetentionAndIsKept() {
        List<Backup> daily = new ArrayList<>();
        for (int d = 1; d <= 10; d++) {
            daily.add(full("2026-06-%02dT01:00:00Z".formatted(d)));
        }
        GfsPolicy policy = new GfsPolicy(new Retention(0, 3, 0, 0), UTC, Duration.ofDays(7));
        Decision x = policy.decide(daily, Instant.parse("2026-06-10T12:00:00Z"));
        // WAL back to 06-03T12:00 needs the base of 06-03T01:00.
        assertThat(x.walBase()).isEqualTo(daily.get(2));
        assertThat(x.kept().get(Tier.daily)).containsExactly(daily.get(9), daily.get(8), daily.get(7));
        assertThat(x.expired()).containsExactly(daily.get(0), daily.get(1), daily.get(3), daily.get(4), daily.get(5),
                daily.get(6));
        assertThat(x.tiers().get(daily.get(2).id())).isEmpty();
    }

    @Test
    void zeroEverywhereStillKeepsTheNewestBackup() {
        // A schedule saved before the floor existed (or a disabled one) may keep nothing in its
        // tiers: the minimum redundancy still keeps the newest backup.
        Backup a = db("2026-06-01T01:00:00Z");
        Backup b = db("2026-06-02T01:00:00Z");
        Decision x = decide(new Retention(0, 0, 0, 0), UTC, List.of(a, b), "2026-06-03T00:00:00Z");
        assertThat(x.expired()).containsExactly(a);
        assertThat(x.floor()).containsExactly(b);
        assertThat(x.keptOnlyByFloor(b.id())).isTrue();
        // With WAL, the base of the oldest retained WAL stays as well: nothing expires.
        Decision wal = new GfsPolicy(new Retention(0, 0, 0, 0), UTC, Duration.ofDays(1))
                .decide(List.of(a, b), Instant.parse("2026-06-03T00:00:00Z"));
        assertThat(wal.walBase()).isEqualTo(a);
        assertThat(wal.expired()).isEmpty();
    }

    @Test
    void theNewestNBackupsOfEitherKindAreKeptWhateverTheTiersSay() {
        Backup full0 = full("2026-05-12T00:10:00Z");
        Backup db1 = db("2026-05-12T06:10:00Z");
        Backup db2 = db("2026-05-12T12:10:00Z");
        Backup db3 = db("2026-05-12T18:10:00Z");
        List<Backup> day = List.of(full0, db1, db2, db3);
        // The daily tier keeps the day's full backup only; a floor of 2 keeps the two newest db backups too.
        Decision x = new GfsPolicy(new Retention(0, 1, 0, 0), UTC, null, 2).decide(day, Instant.parse("2026-05-12T19:00:00Z"));
        assertThat(x.kept().get(Tier.daily)).containsExactly(full0);
        assertThat(x.floor()).containsExactly(db3, db2);
        assertThat(x.expired()).containsExactly(db1);
        assertThat(x.keptOnlyByFloor(full0.id())).isFalse();
        // A floor larger than what exists keeps everything.
        assertThat(new GfsPolicy(new Retention(0, 0, 0, 0), UTC, null, 10).decide(day, Instant.parse("2026-05-12T19:00:00Z"))
                .expired()).isEmpty();
    }

    @Test
    void aFloorBelowOneIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new GfsPolicy(new Retention(1, 0, 0, 0), UTC, null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }
}
