package io.ocore.backups.scheduler.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.scheduler.retention.GfsPolicy.Retention;
import io.ocore.backups.scheduler.retention.RetentionRules.Live;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RetentionRulesTest {

    static Live live(String trigger, String at) {
        return new Live(UUID.randomUUID(), "full", trigger, Instant.parse(at));
    }

    @Test
    void manualBackupsAreNeverPrunedAndSnapshotsExpireAfterTheirRetention() {
        Live manual = live("manual", "2020-01-01T00:00:00Z");
        Live oldSnapshot = live("pre_restore", "2026-06-01T00:00:00Z");
        Live newSnapshot = live("pre_restore", "2026-06-05T00:00:00Z");
        Live oldScheduled = live("scheduled", "2026-06-01T00:00:00Z");
        Live newScheduled = live("scheduled", "2026-06-09T00:00:00Z");
        var policy = new GfsPolicy(new Retention(0, 1, 0, 0), ZoneOffset.UTC, null);
        var outcome = RetentionRules.apply(List.of(manual, oldSnapshot, newSnapshot, oldScheduled, newScheduled), policy,
                Duration.ofDays(7), Instant.parse("2026-06-10T00:00:00Z"));
        assertThat(outcome.expired()).extracting(x -> x.backup().id() + ":" + x.reason())
                .containsExactlyInAnyOrder(oldScheduled.id() + ":gfs", oldSnapshot.id() + ":snapshot_retention");
    }

    @Test
    void withoutScheduleOnlySnapshotsExpire() {
        Live oldSnapshot = live("pre_restore", "2026-06-01T00:00:00Z");
        Live manual = live("manual", "2026-06-01T00:00:00Z");
        var outcome = RetentionRules.apply(List.of(oldSnapshot, manual), null, Duration.ofDays(7),
                Instant.parse("2026-06-10T00:00:00Z"));
        assertThat(outcome.gfs()).isNull();
        assertThat(outcome.expired()).extracting(x -> x.backup()).containsExactly(oldSnapshot);
    }
}
