package io.ocore.backups.wal.environment;

import io.ocore.backups.platform.events.EventHandling;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Keeps the local view of environments and their WAL settings up to date. */
// @Startup: registers its handlers for dead-letter retries before any message arrives (EventHandling.register).
@io.quarkus.runtime.Startup
@ApplicationScoped
public class EnvironmentEventConsumer {

    static final String CONSUMER = "wal-archiver";

    private final EventHandling handling;
    private final EnvironmentRepository environments;

    public EnvironmentEventConsumer(EventHandling handling, EnvironmentRepository environments) {
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

    Uni<Void> apply(OcoreEvent event) {
        return switch (event) {
            case EnvironmentRegistered e -> environments.findById(e.environmentId()).chain(existing -> {
                Environment env = existing != null ? existing : new Environment();
                env.id = e.environmentId();
                env.orgId = e.orgId();
                env.projectId = e.projectId();
                env.name = e.name();
                env.environmentType = e.environmentType();
                return existing != null ? Uni.createFrom().voidItem() : environments.persist(env).replaceWithVoid();
            });
            case BackupScheduleChanged e -> environments.findById(e.environmentId()).chain(existing -> {
                // A schedule for an environment not registered yet: remember it; the registration fills in the rest.
                Environment env = existing != null ? existing : new Environment();
                env.id = e.environmentId();
                env.orgId = e.orgId();
                env.walEnabled = e.walEnabled();
                env.walRetentionDays = e.walRetentionDays();
                env.scheduleEnabled = e.enabled();
                env.destinationIds = e.destinationIds() == null ? new UUID[0] : e.destinationIds().toArray(UUID[]::new);
                return existing != null ? Uni.createFrom().voidItem() : environments.persist(env).replaceWithVoid();
            });
            default -> Uni.createFrom().voidItem();
        };
    }
}
