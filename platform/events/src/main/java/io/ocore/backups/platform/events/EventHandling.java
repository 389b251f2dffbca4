package io.ocore.backups.platform.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The one way a service consumes events: decode the envelope, and in one transaction record the
 * event id and apply the handler, skipping events already consumed. Unknown types are skipped
 * (a newer producer). A handler that still fails after its in-place retries dead-letters the
 * event: it is recorded in the service's {@code dead_letter} table (and EventDeadLettered
 * published) in a transaction of its own, and only then nacked to the channel's failure strategy,
 * which writes it to the dead-letter topic {@code <service>.<topic>.dlq} for integrators and
 * commits the offset. {@link DeadLetterRetrier} re-applies it later through
 * {@link #redeliver} with the handler registered for its (consumer, topic), until it succeeds
 * (docs/adr/0014-dead-letters.md).
 */
@ApplicationScoped
public class EventHandling {

    /** In-place retries of a failing handler before the event is dead-lettered. */
    static final int IN_PLACE_RETRIES = 5;

    private final Inbox inbox;
    private final ObjectMapper mapper;
    private final DeadLetterStore deadLetters;
    private final Map<String, Function<OcoreEvent, Uni<Void>>> handlers = new ConcurrentHashMap<>();

    public EventHandling(Inbox inbox, ObjectMapper mapper, DeadLetterStore deadLetters) {
        this.inbox = inbox;
        this.mapper = mapper;
        this.deadLetters = deadLetters;
    }

    /**
     * Registers the handler of {@code consumer}'s channel {@code topic}, so its dead letters can be
     * retried after a restart before any new message arrived on that channel. Call it at startup
     * (the consumer bean's constructor, the bean being {@code @Startup}).
     */
    public void register(String consumer, String topic, Function<OcoreEvent, Uni<Void>> handler) {
        handlers.put(key(consumer, topic), handler);
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
        String topic = message.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getTopic)
                .orElse("unknown");
        handlers.putIfAbsent(key(consumer, topic), handler);
        return applyOnce(envelope, event.get(), consumer, handler)
                // A transient failure (database restart, lock timeout) is retried in place; what still
                // fails is dead-lettered.
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).atMost(IN_PLACE_RETRIES)
                .onItem().transformToUni(v -> Uni.createFrom().completionStage(message.ack()))
                .onFailure().recoverWithUni(e -> deadLetter(message, envelope, topic, consumer, e));
    }

    /**
     * Records the dead letter durably first (retried for as long as the database refuses it: the
     * message stays unacknowledged on its topic meanwhile), then nacks it to the dead-letter topic.
     */
    private Uni<Void> deadLetter(Message<?> message, EventEnvelope envelope, String topic, String consumer,
            Throwable e) {
        Log.errorf(e, "%s failed to handle event %s (%s) from %s; it is dead-lettered and retried later", consumer,
                envelope.id(), envelope.type(), topic);
        return deadLetters.record(envelope, topic, consumer, e)
                .onFailure().invoke(f -> Log.warnf("%s could not record dead letter %s yet: %s", consumer,
                        envelope.id(), f.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(30)).indefinitely()
                .chain(() -> Uni.createFrom().completionStage(message.nack(e)));
    }

    /**
     * Re-applies a dead letter with the handler registered for its (consumer, topic), through the
     * inbox like a first delivery: an event handled meanwhile (a redelivery) is not applied twice.
     */
    public Uni<Void> redeliver(EventEnvelope envelope, String consumer, String topic) {
        Function<OcoreEvent, Uni<Void>> handler = handlers.get(key(consumer, topic));
        if (handler == null) {
            return Uni.createFrom().failure(new IllegalStateException(
                    "no handler registered for consumer " + consumer + " of " + topic));
        }
        var event = envelope.decode(mapper);
        if (event.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return applyOnce(envelope, event.get(), consumer, handler);
    }

    private Uni<Void> applyOnce(EventEnvelope envelope, OcoreEvent event, String consumer,
            Function<OcoreEvent, Uni<Void>> handler) {
        return Panache.withTransaction(() -> inbox.firstDelivery(envelope.id(), consumer)
                .chain(first -> first ? handler.apply(event) : Uni.createFrom().voidItem()));
    }

    private static String key(String consumer, String topic) {
        return consumer + "\u0000" + topic;
    }
}
