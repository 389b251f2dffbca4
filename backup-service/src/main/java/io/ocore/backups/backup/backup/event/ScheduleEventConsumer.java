package io.ocore.backups.backup.backup.event;

import io.ocore.backups.backup.backup.BackupService;
import io.ocore.backups.backup.execution.BackupWorker;
import io.ocore.backups.platform.events.EventHandling;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.BackupExpired;
import io.ocore.backups.platform.events.v1.Events.BackupRequested;
import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.events.v1.Events.BackupTiersAssigned;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** scheduler-service's facts that concern backups: requests, expiries, schedule destinations, GFS tiers. */
// @Startup: registers its handlers for dead-letter retries before any message arrives (EventHandling.register).
@io.quarkus.runtime.Startup
@ApplicationScoped
public class ScheduleEventConsumer {

    static final String CONSUMER = "backup-service";

    private final EventHandling handling;
    private final BackupService backups;
    private final BackupWorker worker;

    public ScheduleEventConsumer(EventHandling handling, BackupService backups, BackupWorker worker) {
        this.handling = handling;
        handling.register(CONSUMER, Topics.SCHEDULE, this::apply);
        this.backups = backups;
        this.worker = worker;
    }

    /** After the event's transaction committed, wakes the worker: a requested backup starts now, not at the next poll. */
    @Incoming(Topics.SCHEDULE)
    public Uni<Void> scheduleEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply).invoke(worker::kick);
    }

    Uni<Void> apply(OcoreEvent event) {
        return switch (event) {
            case BackupRequested e -> backups.onRequested(e);
            case BackupExpired e -> backups.onExpired(e);
            case BackupScheduleChanged e -> backups.onScheduleChanged(e);
            case BackupTiersAssigned e -> backups.onTiersAssigned(e);
            default -> Uni.createFrom().voidItem();
        };
    }
}
