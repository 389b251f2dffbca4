package io.ocore.backups.platform.events;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * The consumed-event table that makes consumers idempotent: handle an event only when
 * {@link #firstDelivery} answers true, inside the same transaction as the handling, so a
 * redelivered event changes state once.
 */
@ApplicationScoped
public class Inbox {

    /** Records the event as consumed by {@code consumer}; false if it already was. */
    public Uni<Boolean> firstDelivery(UUID eventId, String consumer) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into consumed_event (event_id, consumer) values (:id, :consumer)
                on conflict do nothing""")
                .setParameter("id", eventId)
                .setParameter("consumer", consumer)
                .executeUpdate())
                .map(n -> n == 1);
    }
}
