package io.ocore.backups.scheduler.dispatch;

import io.ocore.backups.platform.events.Outbox;
import io.ocore.backups.platform.events.v1.Events.BackupOverdue;
import io.ocore.backups.platform.events.v1.Events.BackupRequested;
import io.ocore.backups.scheduler.config.SchedulerConfig;
import io.ocore.backups.scheduler.dispatch.DispatchPlanner.Dispatch;
import io.ocore.backups.scheduler.dispatch.DispatchPlanner.Due;
import io.ocore.backups.scheduler.schedule.BackupSchedule;
import io.ocore.backups.scheduler.schedule.ScheduleRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * Dispatches due schedules. Each batch is one transaction that claims schedules with
 * {@code FOR UPDATE SKIP LOCKED} (replicas take disjoint rows), writes one BackupRequested per
 * schedule to the outbox and advances its next times, so a slot is requested exactly once
 * however many replicas run.
 */
@ApplicationScoped
public class Dispatcher {

    private final ScheduleRepository schedules;
    private final Outbox outbox;
    private final Clock clock;
    private final SchedulerConfig config;

    public Dispatcher(ScheduleRepository schedules, Outbox outbox, Clock clock, SchedulerConfig config) {
        this.schedules = schedules;
        this.outbox = outbox;
        this.clock = clock;
        this.config = config;
    }

    /** Dispatches everything due now, batch after batch; answers how many backups were requested. */
    public Uni<Integer> dispatchDue() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return dispatchBatch(now).chain(n -> n < config.batchSize() ? Uni.createFrom().item(n)
                : dispatchDue().map(more -> n + more));
    }

    /** One claimed batch in one transaction; answers how many schedules it claimed. */
    public Uni<Integer> dispatchBatch(Instant now) {
        return Panache.withTransaction(() -> claim("""
                select environment_id from backup_schedule
                where enabled and least(next_db_at, next_full_at) <= :now
                order by least(next_db_at, next_full_at) limit :n for update skip locked""", now)
                .chain(list -> Multi.createFrom().iterable(list)
                        .onItem().transformToUniAndConcatenate(s -> dispatch(s, now))
                        .collect().asList().map(List::size)));
    }

    /** BackupOverdue once per overdue episode of each kind; answers how many were raised. */
    public Uni<Integer> reportOverdue() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return Panache.withTransaction(() -> claim("""
                select environment_id from backup_schedule
                where enabled and ((not db_overdue and db_overdue_at <= :now)
                                   or (not full_overdue and full_overdue_at <= :now))
                limit :n for update skip locked""", now)
                .chain(list -> Multi.createFrom().iterable(list)
                        .onItem().transformToUniAndConcatenate(s -> overdue(s, now))
                        .collect().asList().map(counts -> counts.stream().mapToInt(Integer::intValue).sum())));
    }

    private Uni<List<BackupSchedule>> claim(String sql, Instant now) {
        return Panache.getSession().chain(session -> session.createNativeQuery(sql, UUID.class)
                .setParameter("now", now)
                .setParameter("n", config.batchSize())
                .getResultList())
                .chain(ids -> ids.isEmpty() ? Uni.createFrom().item(List.<BackupSchedule>of())
                        : schedules.list("environmentId in ?1", ids));
    }

    /** Answers 1 (Mutiny streams drop null items, so never Void here). */
    private Uni<Integer> dispatch(BackupSchedule s, Instant now) {
        var plan = DispatchPlanner.plan(new Due(s.environmentId, s.db(), s.full(), s.zone(), s.nextDbAt, s.nextFullAt),
                now);
        if (plan.isEmpty()) {
            return Uni.createFrom().item(1);
        }
        Dispatch d = plan.get();
        s.nextDbAt = d.nextDbAt();
        s.nextFullAt = d.nextFullAt();
        return outbox.append(new BackupRequested(s.orgId, s.environmentId, d.backupType(), "scheduled",
                d.idempotencyKey(), s.destinationIds, d.slot(), s.walEnabled)).replaceWith(1);
    }

    private Uni<Integer> overdue(BackupSchedule s, Instant now) {
        Uni<Integer> raised = Uni.createFrom().item(0);
        if (!s.dbOverdue && s.dbOverdueAt != null && !s.dbOverdueAt.isAfter(now)) {
            s.dbOverdue = true;
            var e = new BackupOverdue(s.orgId, s.environmentId, "db",
                    BackupSchedule.latest(s.lastDbSuccessAt, s.lastFullSuccessAt), s.dbOverdueAt);
            raised = raised.call(() -> outbox.append(e)).map(n -> n + 1);
        }
        if (!s.fullOverdue && s.fullOverdueAt != null && !s.fullOverdueAt.isAfter(now)) {
            s.fullOverdue = true;
            var e = new BackupOverdue(s.orgId, s.environmentId, "full", s.lastFullSuccessAt, s.fullOverdueAt);
            raised = raised.call(() -> outbox.append(e)).map(n -> n + 1);
        }
        return raised;
    }
}
