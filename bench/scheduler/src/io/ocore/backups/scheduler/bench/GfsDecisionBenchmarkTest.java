package io.ocore.backups.scheduler.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.scheduler.retention.GfsPolicy;
import io.ocore.backups.scheduler.retention.GfsPolicy.Backup;
import io.ocore.backups.scheduler.retention.GfsPolicy.Retention;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** One GFS decision over 100,000 backups (hourly for ~11 years, a full one a day) within 2 s. */
@Tag("benchmark")
class GfsDecisionBenchmarkTest {

    @Test
    void aDecisionOver100000BackupsTakesUnderTwoSeconds() {
        Random random = new Random(42);
        Instant t = Instant.parse("2015-01-01T00:17:00Z");
        List<Backup> backups = new ArrayList<>(100_000);
        for (int i = 0; i < 100_000; i++) {
            backups.add(new Backup(new UUID(random.nextLong(), random.nextLong()), i % 24 == 0, t));
            t = t.plus(Duration.ofHours(1));
        }
        GfsPolicy policy = new GfsPolicy(new Retention(24, 7, 4, 12), ZoneId.of("Europe/Brussels"), Duration.ofDays(7));
        Instant now = t;
        for (int warm = 0; warm < 3; warm++) {
            policy.decide(backups, now);
        }
        long best = Long.MAX_VALUE;
        long worst = 0;
        int kept = 0;
        for (int run = 0; run < 5; run++) {
            long start = System.nanoTime();
            var decision = policy.decide(backups, now);
            long ms = (System.nanoTime() - start) / 1_000_000;
            best = Math.min(best, ms);
            worst = Math.max(worst, ms);
            kept = backups.size() - decision.expired().size();
        }
        System.out.printf("BENCH gfs-decision backups=100000 kept=%d best=%d ms worst=%d ms (5 runs after 3 warm-ups)%n",
                kept, best, worst);
        assertThat(worst).isLessThan(2_000);
        assertThat(kept).isBetween(24 + 1, 24 + 7 + 4 + 12 + 1);
    }
}
