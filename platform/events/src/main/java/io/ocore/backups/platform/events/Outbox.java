package io.ocore.backups.platform.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Writes events into the outbox table inside the caller's current transaction, so the event
 * exists if and only if the state change committed. {@link OutboxRelay} publishes it to Kafka,
 * woken by a {@code NOTIFY} that PostgreSQL delivers when the transaction commits.
 *
 * <p>Call it inside {@code @WithTransaction} (or {@code Panache.withTransaction}). The current
 * span's trace context is kept with the event, so its Kafka record continues the same trace
 * ({@link TraceContexts}).
 */
@ApplicationScoped
public class Outbox {

    private final ObjectMapper mapper;

    public Outbox(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Appends the event to the current transaction; answers its event id. */
    public Uni<UUID> append(OcoreEvent event) {
        UUID id = UUID.randomUUID();
        String payload;
        try {
            payload = mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("Event cannot be serialised", e));
        }
        TraceContexts.Stored trace = TraceContexts.current();
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into outbox_event (id, topic, event_key, event_type, org_id, payload, trace_parent, trace_state)
                values (:id, :topic, :key, :type, :org, :payload, :traceParent, :traceState)""")
                .setParameter("id", id)
                .setParameter("topic", Topics.of(event.getClass()))
                .setParameter("key", event.key())
                .setParameter("type", EventTypes.typeOf(event.getClass()))
                .setParameter("org", event.orgId())
                .setParameter("payload", payload)
                .setParameter("traceParent", trace == null ? null : trace.traceparent())
                .setParameter("traceState", trace == null ? null : trace.tracestate())
                .executeUpdate()
                // Delivered by PostgreSQL at commit, and only then: wakes the relays (OutboxRelay).
                .chain(() -> session.createNativeQuery("select cast(pg_notify('" + OutboxRelay.NOTIFY_CHANNEL
                        + "', '') as text)").getSingleResult()))
                .replaceWith(id);
    }
}
