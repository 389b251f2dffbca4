package io.ocore.backups.wal.environment;

import io.ocore.backups.platform.events.EventHandling;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Keeps the local view of environments and their WAL settings up to date. */
// @Startup: registers its handlers for dead-letter retries before any message arrives (EventHandling.register).
@io.quarkus.runtime.Startup
@ApplicationScoped
public class EnvironmentEventConsumer {

    static final String CONSUMER = "wal-archiver";

    private final EventHandling handling;
    private final Environments environments;

    public EnvironmentEventConsumer(EventHandling handling, Environments environments) {
        this.handling = handling;
        handling.register(CONSUMER, Topics.ENVIRONMENT, this::apply);
        handling.register(CONSUMER, Topics.SCHEDULE, this::apply);
        this.environments = environments;
    }

    @Incoming(Topics.ENVIRONMENT)
    public Uni<Void> environmentEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    @Incoming(Topics.SCHEDULE)
    public Uni<Void> scheduleEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    /**
     * Upserts: a row made by a read-your-writes lookup before the event (or by the other event)
     * is updated, never inserted twice.
     */
    Uni<Void> apply(OcoreEvent event) {
        return switch (event) {
            case EnvironmentRegistered e -> Environments.registered(e.environmentId(), e.orgId(), e.projectId(),
                    e.name(), e.environmentType());
            case BackupScheduleChanged e -> environments.scheduleChanged(e).replaceWithVoid();
            default -> Uni.createFrom().voidItem();
        };
    }
}
