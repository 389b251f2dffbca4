package io.ocore.backups.backup.backup;

import io.ocore.backups.backup.environment.Environment;
import io.ocore.backups.backup.environment.EnvironmentService;
import io.ocore.backups.backup.execution.BackupWorker;
import io.ocore.backups.platform.events.Outbox;
import io.ocore.backups.platform.events.TraceContexts;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.web.Cursor;
import io.ocore.backups.platform.web.Page;
import io.ocore.backups.platform.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/** Backups: requests (API and events), reads, deletion requests (carried out by BackupDeleter). */
@ApplicationScoped
public class BackupService {

    private final BackupRepository backups;
    private final EnvironmentService environments;
    private final BackupWorker worker;
    private final Outbox outbox;

    public BackupService(BackupRepository backups, EnvironmentService environments, BackupWorker worker, Outbox outbox) {
        this.backups = backups;
        this.environments = environments;
        this.worker = worker;
        this.outbox = outbox;
    }

    /** {@code POST /api/environments/{envId}/backups}: pending, picked up by the worker after commit. */
    public Uni<Backup> requestManual(UUID orgId, UUID envId, BackupType type, List<UUID> destinationIds) {
        return Panache.withTransaction(() -> environments.get(orgId, envId)
                .chain(env -> resolveDestinations(env, destinationIds).chain(dests -> {
                    if (dests.isEmpty()) {
                        return Uni.createFrom().<Backup>failure(ProblemException.badField("destinationIds",
                                "is required: the environment has no backup schedule with destinations"));
                    }
                    Backup b = pending(orgId, envId, type, Trigger.manual, null, dests);
                    // a manual backup of a WAL-enabled environment is a PITR base too (ADR 0017)
                    return walEnabled(env).chain(wal -> {
                        b.baseBackup = wal;
                        return backups.persist(b);
                    });
                })))
                .invoke(b -> worker.kick());
    }

    /** A BackupRequested event: one backup per idempotency key, however often it is delivered. */
    public Uni<Void> onRequested(Events.BackupRequested e) {
        return backups.findByIdempotencyKey(e.idempotencyKey()).chain(existing -> {
            if (existing != null) {
                Log.debugf("Backup request %s already has backup %s", e.idempotencyKey(), existing.id);
                return Uni.createFrom().voidItem();
            }
            return environments.get(e.orgId(), e.environmentId()).onFailure(ProblemException.class).recoverWithNull()
                    .chain(env -> {
                        if (env == null) {
                            Log.warnf("Backup request %s names unknown environment %s; ignored", e.idempotencyKey(),
                                    e.environmentId());
                            return Uni.createFrom().voidItem();
                        }
                        BackupType type = "full".equals(e.backupType()) ? BackupType.full : BackupType.db;
                        Trigger trigger = switch (e.trigger() == null ? "scheduled" : e.trigger()) {
                            case "manual" -> Trigger.manual;
                            case "pre_restore" -> Trigger.pre_restore;
                            default -> Trigger.scheduled;
                        };
                        return resolveDestinations(env, e.destinationIds()).chain(dests -> walEnabled(env)
                                .chain(wal -> {
                            Backup b = pending(e.orgId(), e.environmentId(), type, trigger, e.idempotencyKey(), dests);
                            // the scheduler asks for a base when WAL is on; so does the schedule backup-service knows
                            b.baseBackup = e.baseBackup() || wal;
                            if (!dests.isEmpty()) {
                                // the consumer wakes the worker once this transaction has committed
                                return backups.persist(b).replaceWithVoid();
                            }
                            // Nothing to write to: recorded as failed so the request is visible and alerted.
                            b.status = BackupStatus.failed;
                            b.error = "no destinations: the request named none and the schedule has none";
                            b.completedAt = b.createdAt;
                            return backups.persist(b).chain(saved -> outbox.append(new Events.BackupFailed(b.orgId,
                                    b.environmentId, b.id, b.backupType.name(), b.trigger.name(), b.idempotencyKey,
                                    b.error, b.completedAt))).replaceWithVoid();
                        }));
                    });
        });
    }

    /** A BackupScheduleChanged event: remember the schedule's destinations and WAL flag for manual backups. */
    public Uni<Void> onScheduleChanged(Events.BackupScheduleChanged e) {
        return ScheduleDestinations.<ScheduleDestinations>findById(e.environmentId()).chain(s -> {
            ScheduleDestinations row = s != null ? s : new ScheduleDestinations();
            row.environmentId = e.environmentId();
            row.orgId = e.orgId();
            row.destinationIds = Json.write(e.destinationIds() == null ? List.of() : e.destinationIds());
            row.walEnabled = e.walEnabled();
            row.walRetentionDays = e.walRetentionDays() > 0 ? e.walRetentionDays() : 7;
            row.updatedAt = micros(Instant.now());
            return s != null ? Uni.createFrom().voidItem() : row.persist().replaceWithVoid();
        });
    }

    /** A BackupTiersAssigned event: the GFS tiers each backup now belongs to. */
    public Uni<Void> onTiersAssigned(Events.BackupTiersAssigned e) {
        if (e.tiersByBackup() == null || e.tiersByBackup().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return backups.list("orgId = ?1 and environmentId = ?2 and id in ?3", e.orgId(), e.environmentId(),
                List.copyOf(e.tiersByBackup().keySet())).invoke(rows -> rows.forEach(b -> b.gfsTiers = Json.write(
                        e.tiersByBackup().get(b.id)))).replaceWithVoid();
    }

    /**
     * A BackupExpired event (GFS or snapshot retention): marks the backup deleting; the deleter
     * removes it from every destination. An expiry of a running backup is recorded and carried
     * out once the backup has finished; it is never dropped.
     */
    public Uni<Void> onExpired(Events.BackupExpired e) {
        String reason = e.reason() == null || e.reason().isBlank() ? "expired" : e.reason();
        return backups.findInOrgForUpdate(e.orgId(), e.backupId()).chain(b -> {
            if (b == null) {
                return Uni.createFrom().voidItem();
            }
            if (b.status == BackupStatus.in_progress) {
                Log.infof("Backup %s expired (%s) while running; it is deleted once it has finished", b.id, reason);
                return recordDeletion(b, reason, null, false).replaceWithVoid();
            }
            return markDeleting(b, reason, null).replaceWithVoid();
        });
    }

    public Uni<Page<Backup>> list(UUID orgId, UUID envId, BackupRepository.Filter filter, String cursor,
            Integer limit) {
        int n = Cursor.limit(limit);
        Cursor after = Cursor.decode(cursor);
        return environments.get(orgId, envId).chain(env -> backups.list(orgId, envId, filter, after, n + 1))
                .map(rows -> Page.of(rows, n, b -> new Cursor(b.createdAt, b.id)));
    }

    public Uni<Backup> get(UUID orgId, UUID id) {
        return backups.findInOrg(orgId, id).onItem().ifNull().failWith(() -> ProblemException.notFound("Backup", id));
    }

    /**
     * {@code DELETE /api/backups/{id}}: marks it deleting (202); the deleter removes every copy
     * and only then does it leave the catalogue. Already deleting: the same answer again. 409
     * while it runs.
     */
    public Uni<Backup> delete(UUID orgId, UUID id, String requestedBy) {
        return Panache.withTransaction(() -> backups.findInOrgForUpdate(orgId, id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Backup", id))
                .chain(b -> {
                    if (b.status == BackupStatus.in_progress) {
                        return Uni.createFrom().failure(ProblemException.conflict("Backup " + id
                                + " is running; delete it once it has completed or failed"));
                    }
                    return markDeleting(b, REASON_USER, requestedBy);
                }));
    }

    /** Why a deletion was asked for, in the tombstone: a user's DELETE. */
    public static final String REASON_USER = "user";

    /** Status deleting and the request recorded (the first request wins); the row is locked. */
    private Uni<Backup> markDeleting(Backup b, String reason, String requestedBy) {
        if (b.status != BackupStatus.deleting) {
            Log.infof("Backup %s is being deleted (%s%s)", b.id, reason, requestedBy == null ? "" : ", by " + requestedBy);
        }
        b.status = BackupStatus.deleting;
        return recordDeletion(b, reason, requestedBy, true);
    }

    /** The first request's who and why are kept; a later one only starts the clock if it had not. */
    private Uni<Backup> recordDeletion(Backup b, String reason, String requestedBy, boolean deletingNow) {
        Instant now = micros(Instant.now());
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                insert into backup_deletion (backup_id, org_id, reason, requested_by, requested_at, deleting_since,
                                             next_attempt_at)
                values (:id, :org, :reason, :by, :at, :since, :at)
                on conflict (backup_id) do update
                    set deleting_since = coalesce(backup_deletion.deleting_since, excluded.deleting_since)""")
                .setParameter("id", b.id).setParameter("org", b.orgId).setParameter("reason", reason)
                .setParameter("by", requestedBy).setParameter("at", now).setParameter("since", deletingNow ? now : null)
                .executeUpdate()).replaceWith(b);
    }

    private Uni<List<UUID>> resolveDestinations(Environment env, List<UUID> requested) {
        if (requested != null && !requested.isEmpty()) {
            return Uni.createFrom().item(List.copyOf(new LinkedHashSet<>(requested)));
        }
        return ScheduleDestinations.<ScheduleDestinations>findById(env.id)
                .map(s -> s == null || !s.orgId.equals(env.orgId) ? List.<UUID>of() : s.destinations());
    }

    /** Whether the environment's schedule archives WAL (false when backup-service has heard of no schedule). */
    private static Uni<Boolean> walEnabled(Environment env) {
        return ScheduleDestinations.<ScheduleDestinations>findById(env.id)
                .map(s -> s != null && s.orgId.equals(env.orgId) && s.walEnabled);
    }

    private static Backup pending(UUID orgId, UUID envId, BackupType type, Trigger trigger, String key,
            List<UUID> dests) {
        Backup b = new Backup();
        b.id = UUID.randomUUID();
        b.orgId = orgId;
        b.environmentId = envId;
        b.backupType = type;
        b.trigger = trigger;
        b.status = BackupStatus.pending;
        b.idempotencyKey = key;
        b.destinationIds = Json.write(dests);
        b.createdAt = micros(Instant.now());
        // the request's (or the BackupRequested event's) span: the run continues its trace
        TraceContexts.Stored trace = TraceContexts.current();
        b.traceParent = trace == null ? null : trace.traceparent();
        b.traceState = trace == null ? null : trace.tracestate();
        return b;
    }

    private static Instant micros(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }
}
