package io.ocore.backups.scheduler.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.scheduler.dispatch.DispatchPlanner;
import io.ocore.backups.scheduler.dispatch.DispatchPlanner.Due;
import io.ocore.backups.scheduler.retention.GfsPolicy.Retention;
import io.ocore.backups.scheduler.retention.RetentionRules.Expiry;
import io.ocore.backups.scheduler.retention.RetentionRules.Live;
import io.ocore.backups.scheduler.schedule.Frequency;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A year of a schedule with random failures and downtime, driven through the real dispatch
 * planning and retention rules with a simulated clock. After every pruning the simulated
 * destination (updated only by expiries) must hold exactly what an independent, naive reading
 * of the GFS rule keeps (with the minimum redundancy: the newest N scheduled backups stay
 * whatever the tiers say), plus manual backups and snapshots younger than their retention. And
 * never fewer than min(N, completed) scheduled backups are kept, even with retention all 0.
 */
class RetentionPropertyTest {

    static final Duration TICK = Duration.ofMinutes(10);
    static final Duration SNAPSHOT_RETENTION = Duration.ofDays(7);

    record Scenario(Frequency db, Frequency full, Retention retention, ZoneId zone, Integer walDays,
            double failureRate, int minRedundancy, long seed) {
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        var db = Arbitraries.of(Frequency.HOURLY, Frequency.SIX_HOURS, Frequency.DAILY);
        var full = Arbitraries.of(Frequency.DAILY, Frequency.WEEKLY);
        var retention = Combinators.combine(Arbitraries.integers().between(0, 30), Arbitraries.integers().between(0, 10),
                Arbitraries.integers().between(0, 6), Arbitraries.integers().between(0, 13)).as(Retention::new);
        var zone = Arbitraries.of("UTC", "Europe/Brussels", "America/New_York", "Asia/Kolkata").map(ZoneId::of);
        var wal = Arbitraries.integers().between(1, 10).injectNull(0.4);
        var failures = Arbitraries.doubles().between(0, 0.3);
        // All-zero retention stays possible here: schedules saved before the floor, or disabled ones.
        var floor = Arbitraries.integers().between(1, 4);
        var seed = Arbitraries.longs();
        return Combinators.combine(db, full, retention, zone, wal, failures, floor, seed).as(Scenario::new);
    }

    @Property(tries = 12)
    void aYearOfSchedulesKeepsExactlyTheGfsSet(@ForAll("scenarios") Scenario sc) {
        Random random = new Random(sc.seed());
        UUID env = new UUID(random.nextLong(), random.nextLong());
        GfsPolicy policy = new GfsPolicy(sc.retention(), sc.zone(),
                sc.walDays() == null ? null : Duration.ofDays(sc.walDays()), sc.minRedundancy());

        Instant start = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(random.nextInt(86_400 * 30));
        Instant end = start.plus(Duration.ofDays(365));
        Instant nextDb = io.ocore.backups.scheduler.schedule.SlotCalendar.nextAfter(start, sc.db(), sc.zone(), env);
        Instant nextFull = io.ocore.backups.scheduler.schedule.SlotCalendar.nextAfter(start, sc.full(), sc.zone(), env);

        Map<UUID, Live> recorded = new HashMap<>(); // scheduler's live backups
        Set<UUID> destination = new HashSet<>(); // what the destinations hold
        Set<Live> model = new HashSet<>(); // scheduled backups the naive model keeps
        Set<String> requestedKeys = new HashSet<>();
        PriorityQueue<Live> running = new PriorityQueue<>(Comparator.comparing(Live::completedAt));
        List<Live> others = new ArrayList<>(); // manual backups and snapshots ever completed
        int prunings = 0;
        int scheduledCompleted = 0;

        Instant now = start;
        Instant downUntil = null;
        while (now.isBefore(end)) {
            // Backups finish whether or not the scheduler is up; the scheduler hears of them in order.
            while (!running.isEmpty() && !running.peek().completedAt().isAfter(now)) {
                Live done = running.poll();
                recorded.put(done.id(), done);
                destination.add(done.id());
                if (done.trigger().equals(RetentionRules.SCHEDULED)) {
                    model.add(done);
                    scheduledCompleted++;
                } else {
                    others.add(done);
                }
                Instant at = done.completedAt();
                for (Expiry x : RetentionRules.apply(List.copyOf(recorded.values()), policy, SNAPSHOT_RETENTION, at)
                        .expired()) {
                    recorded.remove(x.backup().id());
                    destination.remove(x.backup().id()); // BackupExpired: backup-service deletes it everywhere
                }
                model = naiveGfs(model, sc, at);
                prunings++;
                Set<UUID> expected = new HashSet<>();
                model.forEach(b -> expected.add(b.id()));
                others.stream()
                        .filter(b -> b.trigger().equals(RetentionRules.MANUAL)
                                || !b.completedAt().isBefore(at.minus(SNAPSHOT_RETENTION)))
                        .forEach(b -> expected.add(b.id()));
                assertThat(destination).as("after the pruning at %s", at).isEqualTo(expected);
                long scheduledKept = destination.stream().filter(id -> recorded.containsKey(id)
                        && recorded.get(id).trigger().equals(RetentionRules.SCHEDULED)).count();
                assertThat(scheduledKept).as("the floor after the pruning at %s", at)
                        .isGreaterThanOrEqualTo(Math.min(sc.minRedundancy(), scheduledCompleted));
            }

            boolean up = downUntil == null || !now.isBefore(downUntil);
            if (up && random.nextDouble() < 0.0005) {
                downUntil = now.plus(Duration.ofMinutes(60 + random.nextInt(60 * 72))); // an outage of 1 h to 3 days
                up = false;
            }
            if (up) {
                var plan = DispatchPlanner.plan(new Due(env, sc.db(), sc.full(), sc.zone(), nextDb, nextFull), now);
                if (plan.isPresent()) {
                    var d = plan.get();
                    assertThat(requestedKeys.add(d.idempotencyKey())).as("slot dispatched once").isTrue();
                    assertThat(d.nextDbAt()).isAfter(now);
                    assertThat(d.nextFullAt()).isAfter(now);
                    assertThat(DispatchPlanner.plan(new Due(env, sc.db(), sc.full(), sc.zone(), d.nextDbAt(),
                            d.nextFullAt()), now)).as("one request per tick, even after an outage").isEmpty();
                    nextDb = d.nextDbAt();
                    nextFull = d.nextFullAt();
                    if (random.nextDouble() >= sc.failureRate()) {
                        running.add(new Live(new UUID(random.nextLong(), random.nextLong()), d.backupType(),
                                RetentionRules.SCHEDULED, now.plusSeconds(60 + random.nextInt(1800))));
                    }
                }
                if (random.nextDouble() < 0.001) {
                    String trigger = random.nextBoolean() ? RetentionRules.MANUAL : RetentionRules.PRE_RESTORE;
                    running.add(new Live(new UUID(random.nextLong(), random.nextLong()), "full", trigger,
                            now.plusSeconds(60 + random.nextInt(600))));
                }
            }
            now = now.plus(TICK);
        }
        assertThat(prunings).isPositive();
    }

    /** The API.md rule, read literally, over the backups the model still keeps. */
    static Set<Live> naiveGfs(Set<Live> kept, Scenario sc, Instant now) {
        Set<Live> keep = new HashSet<>();
        Retention r = sc.retention();
        keep.addAll(tier(kept, r.hourly(), false, b -> local(b, sc).truncatedTo(ChronoUnit.HOURS)));
        keep.addAll(tier(kept, r.daily(), true, b -> local(b, sc).toLocalDate()));
        keep.addAll(tier(kept, r.weekly(), true,
                b -> local(b, sc).toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))));
        keep.addAll(tier(kept, r.monthly(), true, b -> YearMonth.from(local(b, sc))));
        if (sc.walDays() != null) {
            Instant cutoff = now.minus(Duration.ofDays(sc.walDays()));
            kept.stream().filter(b -> !b.completedAt().isAfter(cutoff)).max(NEWEST).ifPresent(keep::add);
        }
        kept.stream().sorted(NEWEST.reversed()).limit(sc.minRedundancy()).forEach(keep::add);
        return keep;
    }

    static final Comparator<Live> NEWEST = Comparator.comparing(Live::completedAt).thenComparing(Live::id);

    @SuppressWarnings({"unchecked", "rawtypes"})
    static List<Live> tier(Set<Live> backups, int n, boolean preferFull, Function<Live, Comparable> period) {
        Map<Comparable, List<Live>> byPeriod = new HashMap<>();
        for (Live b : backups) {
            byPeriod.computeIfAbsent(period.apply(b), k -> new ArrayList<>()).add(b);
        }
        List<Comparable> periods = new ArrayList<>(byPeriod.keySet());
        periods.sort(Comparator.reverseOrder());
        List<Live> out = new ArrayList<>();
        for (Comparable p : periods.subList(0, Math.min(n, periods.size()))) {
            List<Live> in = byPeriod.get(p);
            List<Live> fulls = in.stream().filter(b -> b.backupType().equals("full")).toList();
            out.add((preferFull && !fulls.isEmpty() ? fulls : in).stream().max(NEWEST).orElseThrow());
        }
        return out;
    }

    static LocalDateTime local(Live b, Scenario sc) {
        return LocalDateTime.ofInstant(b.completedAt(), sc.zone());
    }
}
