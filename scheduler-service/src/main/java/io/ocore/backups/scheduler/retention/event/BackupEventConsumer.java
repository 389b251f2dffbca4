package io.ocore.backups.scheduler.retention.event;

import io.ocore.backups.platform.events.EventHandling;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.BackupCompleted;
import io.ocore.backups.platform.events.v1.Events.BackupDeleted;
import io.ocore.backups.scheduler.retention.RetentionService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Completed backups feed GFS; deleted ones stop counting. */
// @Startup: registers its handlers for dead-letter retries before any message arrives (EventHandling.register).
@io.quarkus.runtime.Startup
@ApplicationScoped
public class BackupEventConsumer {

    static final String CONSUMER = "scheduler-service";

    private final EventHandling handling;
    private final RetentionService retention;

    public BackupEventConsumer(EventHandling handling, RetentionService retention) {
        this.handling = handling;
        handling.register(CONSUMER, Topics.BACKUP, this::apply);
        this.retention = retention;
    }

    @Incoming(Topics.BACKUP)
    public Uni<Void> backupEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    Uni<Void> apply(OcoreEvent event) {
        return switch (event) {
            case BackupCompleted e -> retention.completed(e);
            case BackupDeleted e -> retention.deleted(e.backupId(), e.deletedAt());
            default -> Uni.createFrom().voidItem();
        };
    }
}
