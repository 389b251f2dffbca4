package io.ocore.backups.destination.usage.event;

import io.ocore.backups.destination.usage.UsageService;
import io.ocore.backups.platform.events.EventHandling;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.BackupCompleted;
import io.ocore.backups.platform.events.v1.Events.BackupDeleted;
import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Learns which destinations are in use from schedule and backup events, once per event. */
// @Startup: registers its handlers for dead-letter retries before any message arrives (EventHandling.register).
@io.quarkus.runtime.Startup
@ApplicationScoped
public class UsageEventConsumer {

    static final String CONSUMER = "destination-service";

    private final EventHandling handling;
    private final UsageService usage;

    public UsageEventConsumer(EventHandling handling, UsageService usage) {
        this.handling = handling;
        handling.register(CONSUMER, Topics.SCHEDULE, this::apply);
        handling.register(CONSUMER, Topics.BACKUP, this::apply);
        handling.register(CONSUMER, Topics.ENVIRONMENT, this::apply);
        this.usage = usage;
    }

    @Incoming(Topics.SCHEDULE)
    public Uni<Void> scheduleEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    @Incoming(Topics.BACKUP)
    public Uni<Void> backupEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    @Incoming(Topics.ENVIRONMENT)
    public Uni<Void> environmentEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    Uni<Void> apply(OcoreEvent event) {
        return switch (event) {
            case BackupScheduleChanged e -> usage.scheduleChanged(e.orgId(), e.environmentId(), e.destinationIds());
            case BackupCompleted e -> usage.backupStored(e.orgId(), e.environmentId(), e.backupId(),
                    e.remotePaths() == null ? List.of() : e.remotePaths().keySet());
            case BackupDeleted e -> usage.backupDeleted(e.orgId(), e.backupId());
            case EnvironmentRegistered e -> usage.environmentRegistered(e.orgId(), e.environmentId(), e.name());
            default -> Uni.createFrom().voidItem();
        };
    }
}
