package io.ocore.backups.scheduler.environment.event;

import io.ocore.backups.platform.events.EventHandling;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.ocore.backups.scheduler.environment.EnvironmentRepository;
import io.ocore.backups.scheduler.environment.KnownEnvironment;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Learns the catalogue's environments (org, project, type) from backup-service. */
// @Startup: registers its handlers for dead-letter retries before any message arrives (EventHandling.register).
@io.quarkus.runtime.Startup
@ApplicationScoped
public class EnvironmentEventConsumer {

    static final String CONSUMER = "scheduler-service";

    private final EventHandling handling;
    private final EnvironmentRepository environments;

    public EnvironmentEventConsumer(EventHandling handling, EnvironmentRepository environments) {
        this.handling = handling;
        handling.register(CONSUMER, Topics.ENVIRONMENT, this::apply);
        this.environments = environments;
    }

    @Incoming(Topics.ENVIRONMENT)
    public Uni<Void> environmentEvents(Message<String> message) {
        return handling.handle(message, CONSUMER, this::apply);
    }

    Uni<Void> apply(OcoreEvent event) {
        if (!(event instanceof EnvironmentRegistered e)) {
            return Uni.createFrom().voidItem();
        }
        return environments.findById(e.environmentId()).chain(existing -> {
            KnownEnvironment env = existing != null ? existing : new KnownEnvironment();
            env.id = e.environmentId();
            env.orgId = e.orgId();
            env.projectId = e.projectId();
            env.name = e.name();
            env.environmentType = e.environmentType();
            env.registeredAt = (e.registeredAt() == null ? java.time.Instant.now() : e.registeredAt())
                    .truncatedTo(ChronoUnit.MICROS);
            return existing != null ? Uni.createFrom().voidItem() : environments.persist(env).replaceWithVoid();
        });
    }
}
