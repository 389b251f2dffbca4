package io.ocore.backups.scheduler.schedule;

import io.ocore.backups.platform.events.Outbox;
import io.ocore.backups.platform.web.Problem.FieldError;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.scheduler.environment.Environments;
import io.ocore.backups.scheduler.environment.KnownEnvironment;
import io.ocore.backups.scheduler.schedule.client.DestinationDirectory;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/** Reads and sets schedules; every change is announced with BackupScheduleChanged. */
@ApplicationScoped
public class ScheduleService {

    private final Environments environments;
    private final ScheduleRepository schedules;
    private final DestinationDirectory destinations;
    private final Outbox outbox;
    private final Clock clock;

    public ScheduleService(Environments environments, ScheduleRepository schedules,
            DestinationDirectory destinations, Outbox outbox, Clock clock) {
        this.environments = environments;
        this.schedules = schedules;
        this.destinations = destinations;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** The environment and its schedule (null before the first PUT). */
    public record Current(KnownEnvironment environment, BackupSchedule schedule) {
    }

    public Uni<Current> get(UUID orgId, UUID environmentId) {
        return Panache.withSession(() -> environments.require(orgId, environmentId)
                .chain(env -> schedules.findById(environmentId).map(s -> new Current(env, s))));
    }

    /**
     * Sets the schedule. Field errors and destinations unknown to the organisation are reported
     * together in one 400; only destinations not already on the schedule are checked, so
     * changing retention does not depend on destination-service being up.
     *
     * @param settings the validated settings, or null when {@code errors} holds field errors
     * @param destinationsByIndex the well-formed destination ids by their index in the request
     */
    public Uni<BackupSchedule> put(UUID orgId, UUID environmentId, ScheduleSettings settings, List<FieldError> errors,
            Map<Integer, UUID> destinationsByIndex) {
        return get(orgId, environmentId)
                .chain(current -> checkDestinations(orgId, current.schedule(), destinationsByIndex, errors))
                .chain(() -> {
                    if (!errors.isEmpty() || settings == null) {
                        return Uni.createFrom().failure(ProblemException.validation(errors));
                    }
                    return Panache.withTransaction(() -> schedules.findById(environmentId)
                            .chain(existing -> apply(orgId, environmentId, existing, settings)));
                });
    }

    private Uni<Void> checkDestinations(UUID orgId, BackupSchedule existing, Map<Integer, UUID> byIndex,
            List<FieldError> errors) {
        List<UUID> known = existing == null ? List.of() : existing.destinationIds;
        return Multi.createFrom().iterable(byIndex.entrySet())
                .filter(e -> !known.contains(e.getValue()))
                .onItem().transformToUniAndConcatenate(e -> destinations.exists(orgId, e.getValue()).invoke(found -> {
                    if (!found) {
                        errors.add(new FieldError("destinationIds[" + e.getKey() + "]",
                                "destination " + e.getValue() + " does not exist in this organisation"));
                    }
                }))
                .collect().last().replaceWithVoid();
    }

    private Uni<BackupSchedule> apply(UUID orgId, UUID environmentId, BackupSchedule existing, ScheduleSettings in) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        BackupSchedule s = existing != null ? existing : new BackupSchedule();
        boolean created = existing == null;
        boolean wasEnabled = !created && s.enabled;
        boolean timingChanged = created || !Objects.equals(s.dbFrequency, in.db().wire())
                || !Objects.equals(s.fullFrequency, in.full().wire()) || !Objects.equals(s.timezone, in.timezone());
        boolean retentionChanged = timingChanged || s.retainHourly != in.retainHourly()
                || s.retainDaily != in.retainDaily() || s.retainWeekly != in.retainWeekly()
                || s.retainMonthly != in.retainMonthly() || (in.enabled() && !wasEnabled);
        if (created) {
            s.environmentId = environmentId;
            s.createdAt = now;
        }
        s.orgId = orgId;
        s.enabled = in.enabled();
        s.dbFrequency = in.db().wire();
        s.fullFrequency = in.full().wire();
        s.retainHourly = in.retainHourly();
        s.retainDaily = in.retainDaily();
        s.retainWeekly = in.retainWeekly();
        s.retainMonthly = in.retainMonthly();
        s.walEnabled = in.walEnabled();
        s.walRetentionDays = in.walRetentionDays();
        s.destinationIds = List.copyOf(in.destinationIds());
        s.timezone = in.timezone();
        if (!s.enabled) {
            s.nextDbAt = null;
            s.nextFullAt = null;
            s.enabledSince = null;
            s.dbOverdue = false;
            s.fullOverdue = false;
        } else {
            if (!wasEnabled) {
                s.enabledSince = now;
                s.dbOverdue = false;
                s.fullOverdue = false;
            }
            if (!wasEnabled || timingChanged) {
                s.nextDbAt = SlotCalendar.nextAfter(now, s.db(), s.zone(), environmentId);
                s.nextFullAt = SlotCalendar.nextAfter(now, s.full(), s.zone(), environmentId);
            }
        }
        if (retentionChanged) {
            s.retentionSince = now;
            s.warnedTiers = "";
        }
        s.refreshOverdueTimes();
        s.updatedAt = now;
        Log.infof("Schedule of environment %s set (enabled=%s, db=%s, full=%s)", environmentId, s.enabled,
                s.dbFrequency, s.fullFrequency);
        Uni<BackupSchedule> saved = created ? schedules.persist(s) : Uni.createFrom().item(s);
        return saved.call(x -> outbox.append(s.announced()));
    }
}
