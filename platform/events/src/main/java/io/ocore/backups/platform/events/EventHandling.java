package io.ocore.backups.platform.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.Function;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The one way a service consumes events: decode the envelope, and in one transaction record the
 * event id and apply the handler, skipping events already consumed. Unknown types are skipped
 * (a newer producer); a handler that keeps failing nacks the message to the channel's failure
 * strategy (the dead-letter topic in every service's configuration).
 */
@ApplicationScoped
public class EventHandling {

    private final Inbox inbox;
    private final ObjectMapper mapper;

    public EventHandling(Inbox inbox, ObjectMapper mapper) {
        this.inbox = inbox;
        this.mapper = mapper;
    }

    public Uni<Void> handle(Message<?> message, String consumer, Function<OcoreEvent, Uni<Void>> handler) {
        EventEnvelope envelope;
        try {
            envelope = EventEnvelope.of(message);
        } catch (RuntimeException e) {
            Log.warnf("Skipping a message that is not an oCore event: %s", e.getMessage());
            return Uni.createFrom().completionStage(message.ack());
        }
        var event = envelope.decode(mapper);
        if (event.isEmpty()) {
            Log.debugf("Skipping event type %s unknown to %s", envelope.type(), consumer);
            return Uni.createFrom().completionStage(message.ack());
        }
        return Panache.withTransaction(() -> inbox.firstDelivery(envelope.id(), consumer)
                .chain(first -> first ? handler.apply(event.get()) : Uni.createFrom().voidItem()))
                // A transient failure (database restart, lock timeout) is retried in place; what still
                // fails is nacked to the channel's failure strategy (dead-letter topic).
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).atMost(5)
                .onItem().transformToUni(v -> Uni.createFrom().completionStage(message.ack()))
                .onFailure().recoverWithUni(e -> {
                    Log.errorf(e, "%s failed to handle event %s (%s); it goes to the dead-letter topic", consumer,
                            envelope.id(), envelope.type());
                    return Uni.createFrom().completionStage(message.nack(e));
                });
    }
}
