package io.ocore.backups.wal.environment;

import io.ocore.backups.platform.events.EventHandling;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.quarkus.hibernate.reactive.panache.Panache;
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

    /**
     * Upserts: a row made by a read-your-writes lookup before the event (or by the other event)
     * is updated, never inserted twice.
     */
    Uni<Void> apply(OcoreEvent event) {
        return switch (event) {
            case EnvironmentRegistered e -> Environments.registered(e.environmentId(), e.orgId(), e.projectId(),
                    e.name(), e.environmentType());
            case BackupScheduleChanged e -> Panache.getSession().chain(session -> session.createNativeQuery(
                    // A schedule for an environment not registered yet: remember it; the registration fills in the rest.
                    "insert into environment (id, org_id) values (:id, :org) on conflict (id) do nothing")
                    .setParameter("id", e.environmentId())
                    .setParameter("org", e.orgId())
                    .executeUpdate())
                    .chain(() -> environments.findById(e.environmentId()))
                    .invoke(env -> {
                        env.orgId = e.orgId();
                        env.walEnabled = e.walEnabled();
                        env.walRetentionDays = e.walRetentionDays();
                        env.scheduleEnabled = e.enabled();
                        env.destinationIds = e.destinationIds() == null ? new UUID[0]
                                : e.destinationIds().toArray(UUID[]::new);
                    })
                    .replaceWithVoid();
            default -> Uni.createFrom().voidItem();
        };
    }
}
