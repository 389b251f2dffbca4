package io.ocore.backups.scheduler.retention;

import io.ocore.backups.platform.events.Outbox;
import io.ocore.backups.platform.events.v1.Events.BackupCompleted;
import io.ocore.backups.platform.events.v1.Events.BackupExpired;
import io.ocore.backups.platform.events.v1.Events.BackupTiersAssigned;
import io.ocore.backups.platform.events.v1.Events.RetentionWarning;
import io.ocore.backups.scheduler.config.SchedulerConfig;
import io.ocore.backups.scheduler.retention.GfsPolicy.Retention;
import io.ocore.backups.scheduler.retention.GfsPolicy.Tier;
import io.ocore.backups.scheduler.retention.RetentionRules.Expiry;
import io.ocore.backups.scheduler.retention.RetentionRules.Outcome;
import io.ocore.backups.scheduler.schedule.BackupSchedule;
import io.ocore.backups.scheduler.schedule.ScheduleRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Records completed backups and prunes: after each completion the environment's backups are
 * run through {@link RetentionRules}; what expires is announced with BackupExpired (backup-service
 * deletes it from every destination), the tiers of what stays with BackupTiersAssigned.
 */
@ApplicationScoped
public class RetentionService {

    private final RecordedBackupRepository backups;
    private final ScheduleRepository schedules;
    private final Outbox outbox;
    private final Clock clock;
    private final SchedulerConfig config;
    private final int minRedundancy;

    public RetentionService(RecordedBackupRepository backups, ScheduleRepository schedules, Outbox outbox, Clock clock,
            SchedulerConfig config, @ConfigProperty(name = MIN_REDUNDANCY_PROPERTY,
                    defaultValue = "" + GfsPolicy.DEFAULT_MIN_REDUNDANCY) int minRedundancy) {
        if (minRedundancy < 1) {
            throw new IllegalStateException(MIN_REDUNDANCY_PROPERTY + " must be at least 1, not " + minRedundancy);
        }
        this.backups = backups;
        this.schedules = schedules;
        this.outbox = outbox;
        this.clock = clock;
        this.config = config;
        this.minRedundancy = minRedundancy;
    }

    /** How many of an environment's newest completed scheduled backups GFS never expires. */
    public static final String MIN_REDUNDANCY_PROPERTY = "ocore.retention.min-redundancy";

    public int minRedundancy() {
        return minRedundancy;
    }

    /** Records the backup, notes the success for overdue tracking, and prunes; call inside a transaction. */
    public Uni<Void> completed(BackupCompleted e) {
        Instant completedAt = micros(e.completedAt() != null ? e.completedAt() : clock.instant());
        return backups.findById(e.backupId()).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().voidItem();
            }
            RecordedBackup b = new RecordedBackup();
            b.id = e.backupId();
            b.orgId = e.orgId();
            b.environmentId = e.environmentId();
            b.backupType = e.backupType();
            b.trigger = e.trigger();
            b.completedAt = completedAt;
            return backups.persist(b).replaceWithVoid();
        }).chain(() -> schedules.findById(e.environmentId())).chain(found -> {
            BackupSchedule schedule = found != null && found.orgId.equals(e.orgId()) ? found : null;
            if (schedule != null) {
                noteSuccess(schedule, e.backupType(), completedAt);
            }
            return prune(e.orgId(), e.environmentId(), schedule);
        });
    }

    /** A user deleted the backup: it no longer counts for retention; call inside a transaction. */
    public Uni<Void> deleted(UUID backupId, Instant at) {
        return backups.findById(backupId).invoke(b -> {
            if (b != null && b.goneAt == null) {
                b.goneAt = micros(at != null ? at : clock.instant());
                b.goneReason = "deleted";
            }
        }).replaceWithVoid();
    }

    /** What the next pruning would do, without doing it. */
    public Uni<Preview> preview(UUID environmentId, BackupSchedule schedule) {
        Instant now = clock.instant();
        return backups.live(environmentId).map(live -> {
            Outcome outcome = RetentionRules.apply(live.stream().map(RecordedBackup::live).toList(), policy(schedule),
                    config.snapshotRetention(), now);
            return new Preview(now, live, outcome);
        });
    }

    public record Preview(Instant evaluatedAt, List<RecordedBackup> live, Outcome outcome) {
    }

    /** Expires pre-restore snapshots past their retention, in batches claimed across replicas. */
    public Uni<Integer> expireSnapshots() {
        Instant cutoff = clock.instant().minus(config.snapshotRetention());
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery("""
                select id from recorded_backup
                where gone_at is null and trigger = 'pre_restore' and completed_at < :cutoff
                order by completed_at limit :n for update skip locked""", UUID.class)
                .setParameter("cutoff", cutoff)
                .setParameter("n", config.batchSize())
                .getResultList())
                .chain(ids -> ids.isEmpty() ? Uni.createFrom().item(List.<RecordedBackup>of())
                        : backups.list("id in ?1", ids))
                .chain(list -> Multi.createFrom().iterable(list)
                        .onItem().transformToUniAndConcatenate(b -> expire(b, "snapshot_retention"))
                        .collect().asList().map(List::size)));
    }

    private Uni<Void> prune(UUID orgId, UUID environmentId, BackupSchedule schedule) {
        Instant now = clock.instant();
        return backups.live(environmentId).chain(live -> {
            Outcome outcome = RetentionRules.apply(live.stream().map(RecordedBackup::live).toList(), policy(schedule),
                    config.snapshotRetention(), now);
            Map<UUID, RecordedBackup> byId = new HashMap<>();
            live.forEach(b -> byId.put(b.id, b));
            Uni<Void> expiring = Multi.createFrom().iterable(outcome.expired())
                    .onItem().transformToUniAndConcatenate((Expiry x) -> expire(byId.get(x.backup().id()), x.reason()))
                    .collect().asList().replaceWithVoid();
            if (outcome.gfs() == null) {
                return expiring;
            }
            Set<UUID> expiringIds = outcome.expired().stream().map(x -> x.backup().id()).collect(Collectors.toSet());
            Map<UUID, List<String>> tiers = new LinkedHashMap<>();
            for (RecordedBackup b : live) {
                Set<Tier> t = outcome.gfs().tiers().get(b.id);
                if (t != null && !expiringIds.contains(b.id)) {
                    List<String> names = t.stream().map(Enum::name).toList();
                    b.gfsTiers = String.join(",", names);
                    tiers.put(b.id, names);
                }
            }
            Uni<Void> assigned = tiers.isEmpty() ? Uni.createFrom().voidItem()
                    : outbox.append(new BackupTiersAssigned(orgId, environmentId, tiers)).replaceWithVoid();
            return expiring.chain(() -> assigned).chain(() -> warn(schedule, outcome, now));
        });
    }

    /** Answers the backup's id (Mutiny streams drop null items). */
    private Uni<UUID> expire(RecordedBackup b, String reason) {
        b.goneAt = micros(clock.instant());
        b.goneReason = reason;
        Log.infof("Backup %s of environment %s expires (%s)", b.id, b.environmentId, reason);
        return outbox.append(new BackupExpired(b.orgId, b.environmentId, b.id, reason)).replaceWith(b.id);
    }

    /** RetentionWarning once per shortfall episode of a tier. */
    private Uni<Void> warn(BackupSchedule s, Outcome outcome, Instant now) {
        if (!s.enabled) {
            return Uni.createFrom().voidItem();
        }
        var shortfalls = RetentionShortfall.of(retention(s), outcome.gfs().kept(), s.db().period(), s.retentionSince,
                now);
        Set<String> warned = new LinkedHashSet<>(Arrays.stream(s.warnedTiers.split(","))
                .filter(t -> !t.isBlank()).toList());
        warned.retainAll(shortfalls.keySet().stream().map(Enum::name).collect(Collectors.toSet()));
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (var entry : shortfalls.entrySet()) {
            if (warned.add(entry.getKey().name())) {
                var e = new RetentionWarning(s.orgId, s.environmentId, entry.getKey().name(), entry.getValue().expected(),
                        entry.getValue().actual(), "Check the environment's failed backups and the schedule's destinations.");
                chain = chain.chain(() -> outbox.append(e)).replaceWithVoid();
            }
        }
        s.warnedTiers = String.join(",", warned);
        return chain;
    }

    private static void noteSuccess(BackupSchedule s, String backupType, Instant at) {
        if ("full".equals(backupType)) {
            s.lastFullSuccessAt = BackupSchedule.latest(s.lastFullSuccessAt, at);
            s.fullOverdue = false;
        }
        s.lastDbSuccessAt = BackupSchedule.latest(s.lastDbSuccessAt, at);
        s.dbOverdue = false;
        s.refreshOverdueTimes();
    }

    /** The schedule's GFS policy with the minimum redundancy, or null without a schedule. */
    public GfsPolicy policy(BackupSchedule s) {
        return s == null ? null : new GfsPolicy(retention(s), s.zone(), s.walRetention(), minRedundancy);
    }

    static Retention retention(BackupSchedule s) {
        return new Retention(s.retainHourly, s.retainDaily, s.retainWeekly, s.retainMonthly);
    }

    private static Instant micros(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }
}
