package io.ocore.backups.restore.restore;

import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.ProblemTypes;
import io.ocore.backups.restore.clients.InternalClient;
import io.ocore.backups.restore.clients.InternalClient.EnvironmentInfo;
import io.ocore.backups.restore.restore.rest.NewRestore;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Accepts restore and neutralization requests: checks them against backup-service's view of the
 * backup and the environments, then records a pending job the worker picks up.
 */
@ApplicationScoped
public class RestoreService {

    private final InternalClient client;
    private final RestoreRepository restores;

    public RestoreService(InternalClient client, RestoreRepository restores) {
        this.client = client;
        this.restores = restores;
    }

    public Uni<RestoreJob> restore(UUID orgId, UUID backupId, NewRestore.Valid v) {
        return client.backup(orgId, backupId)
                .onFailure(InternalClient.NotFound.class).transform(e -> ProblemException.notFound("Backup", backupId))
                .onFailure(InternalClient.Unavailable.class).transform(RestoreService::unavailable)
                .chain(b -> {
                    if (!"completed".equals(b.status())) {
                        throw ProblemException.conflict("Backup " + backupId + " is " + b.status()
                                + "; only completed backups and snapshots can be restored");
                    }
                    return pitrCovered(orgId, backupId, v.pitr())
                            .chain(covered -> environment(orgId, b.environmentId(), null)).chain(source -> {
                        Uni<EnvironmentInfo> target = switch (v.targetType()) {
                            case "same" -> Uni.createFrom().item(source);
                            case "other" -> environment(orgId, v.targetEnvironmentId(), "targetEnvironmentId");
                            default -> Uni.createFrom().nullItem();
                        };
                        return target.chain(t -> {
                            if (t != null && !t.projectId().equals(source.projectId())) {
                                throw ProblemException.badField("targetEnvironmentId", "must be an environment of the"
                                        + " backup's project " + source.projectId() + "; environment " + t.name()
                                        + " is in project " + t.projectId());
                            }
                            if (t != null) {
                                requireConfirmation(t, v.confirm(), "restoring onto");
                            }
                            RestoreJob j = job(orgId, "restore", v.targetType(), source.id(), t == null ? null : t.id());
                            j.backupId = backupId;
                            j.newEnvironmentName = v.newEnvironmentName();
                            j.pitrTimestamp = v.pitr();
                            j.neutralize = v.neutralize() != null ? v.neutralize()
                                    : t == null || !"production".equals(t.environmentType());
                            return persist(j);
                        });
                    });
                });
    }

    /**
     * A {@code pitrTimestamp} must lie in the range wal-archiver says the backup's PITR base can be
     * recovered to: else 400 naming it, with the range and the nearest covered moment. Never a
     * fall-back to another moment; wal-archiver not answering is a 503, not a pass.
     */
    Uni<Void> pitrCovered(UUID orgId, UUID backupId, Instant pitr) {
        if (pitr == null) {
            return Uni.createFrom().voidItem();
        }
        return client.pitrRange(orgId, backupId)
                .onFailure(InternalClient.Unavailable.class).transform(RestoreService::unavailable)
                .map(range -> {
                    if (!range.covered()) {
                        throw ProblemException.badField("pitrTimestamp", "cannot be used with backup " + backupId
                                + ": " + range.missing());
                    }
                    if (pitr.isBefore(range.from()) || pitr.isAfter(range.to())) {
                        Instant nearest = pitr.isBefore(range.from()) ? range.from() : range.to();
                        throw ProblemException.badField("pitrTimestamp", pitr + " is outside what backup " + backupId
                                + " can be recovered to: covered from " + range.from() + " to " + range.to()
                                + "; the nearest covered moment is " + nearest);
                    }
                    // covered: the restore replays the WAL to that moment (replay_wal, ADR 0018)
                    return range;
                })
                .replaceWithVoid();
    }

    /** {@code POST /api/environments/{envId}/neutralize}: a job of kind neutralize, no backup. */
    public Uni<RestoreJob> neutralize(UUID orgId, UUID envId, String confirm) {
        return environmentInOrg(orgId, envId)
                .chain(env -> {
                    requireConfirmation(env, confirm, "neutralizing");
                    RestoreJob j = job(orgId, "neutralize", "same", env.id(), env.id());
                    j.neutralize = true;
                    return persist(j);
                });
    }

    /**
     * A destructive action on a production environment must name it in {@code confirm}: a typo in an
     * id or a script run against the wrong environment then stops here, before anything runs.
     */
    private static void requireConfirmation(EnvironmentInfo target, String confirm, String action) {
        if (!"production".equals(target.environmentType())) {
            return;
        }
        String what = action + " the production environment '" + target.name() + "' "
                + (action.equals("neutralizing") ? "turns off its mail, crons and payment providers" : "replaces its data");
        if (confirm == null || confirm.isBlank()) {
            throw ProblemException.badField("confirm", "is required: " + what + ": send confirm = its name");
        }
        if (!confirm.equals(target.name())) {
            throw ProblemException.badField("confirm", "'" + confirm + "' is not the environment's name: " + what
                    + ": send confirm = its name");
        }
    }

    /** The environment of {@code envId} in the organisation; 404 when it is not there (or another's). */
    public Uni<EnvironmentInfo> environmentInOrg(UUID orgId, UUID envId) {
        return client.environment(orgId, envId)
                .onFailure(InternalClient.NotFound.class).transform(e -> ProblemException.notFound("Environment", envId))
                .onFailure(InternalClient.Unavailable.class).transform(RestoreService::unavailable);
    }

    private Uni<EnvironmentInfo> environment(UUID orgId, UUID envId, String field) {
        return client.environment(orgId, envId)
                .onFailure(InternalClient.NotFound.class).transform(e -> field == null
                        ? ProblemException.conflict("The backup's environment " + envId + " no longer exists")
                        : ProblemException.badField(field, "environment " + envId + " does not exist in this organisation"))
                .onFailure(InternalClient.Unavailable.class).transform(RestoreService::unavailable);
    }

    private static RestoreJob job(UUID orgId, String kind, String targetType, UUID source, UUID target) {
        RestoreJob j = new RestoreJob();
        j.id = UUID.randomUUID();
        j.orgId = orgId;
        j.kind = kind;
        j.targetType = targetType;
        j.sourceEnvironmentId = source;
        j.targetEnvironmentId = target;
        j.status = "pending";
        j.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return j;
    }

    private Uni<RestoreJob> persist(RestoreJob j) {
        Uni<RestoreJob> busy = j.targetEnvironmentId == null ? Uni.createFrom().nullItem()
                : Panache.withSession(() -> restores.find(
                        "targetEnvironmentId = ?1 and status in ('pending', 'in_progress')", j.targetEnvironmentId)
                        .firstResult());
        return busy.chain(other -> {
            if (other != null) {
                throw busyConflict(j.targetEnvironmentId, other.id);
            }
            return Panache.withTransaction(() -> restores.persist(j));
        }).onFailure(RestoreService::uniqueViolation).transform(e -> busyConflict(j.targetEnvironmentId, null));
    }

    private static ProblemException busyConflict(UUID env, UUID other) {
        return ProblemException.conflict("Environment " + env + " already has a restore or neutralization running"
                + (other != null ? " (" + other + ")" : "") + "; wait until it finishes");
    }

    private static boolean uniqueViolation(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && c.getMessage().contains("restore_job_one_active_per_target")) {
                return true;
            }
        }
        return false;
    }

    private static ProblemException unavailable(Throwable e) {
        return new ProblemException(503, ProblemTypes.UNAVAILABLE, "Service Unavailable",
                e.getMessage() + "; try again later");
    }
}
