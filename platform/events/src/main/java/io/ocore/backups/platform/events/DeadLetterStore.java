package io.ocore.backups.platform.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ocore.backups.platform.events.v1.Events;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The {@code dead_letter} table of a consuming service (migration V20, shared by every service):
 * records an event its handler could not apply, claims due ones for {@link DeadLetterRetrier},
 * and marks them done or failed again.
 */
@ApplicationScoped
public class DeadLetterStore {

    /** A dead letter as operators see it ({@code GET /internal/dead-letters}); the envelope is left out. */
    public record DeadLetter(UUID id, UUID eventId, String eventType, UUID orgId, String consumer, String topic,
            String deadLetterTopic, String reason, int attempts, String status, Instant nextAttemptAt,
            Instant createdAt, Instant completedAt) {
    }

    /** A claimed dead letter, ready to be re-applied; {@code envelope} its structured CloudEvent. */
    public record Claimed(UUID id, String consumer, String topic, int attempts, String envelope) {
    }

    static final int MAX_REASON = 2000;

    private final Pool pool;
    private final Outbox outbox;
    private final ObjectMapper mapper;
    private final String service;
    private final DeadLetterBackoff backoff;

    /**
     * @param initial the wait before the first retry of a dead letter; it doubles with each failed retry
     * @param max the cap of the dead-letter retry backoff
     */
    public DeadLetterStore(Pool pool, Outbox outbox, ObjectMapper mapper,
            @ConfigProperty(name = "quarkus.application.name") String service,
            @ConfigProperty(name = "ocore.dead-letters.initial-backoff", defaultValue = "1m") Duration initial,
            @ConfigProperty(name = "ocore.dead-letters.max-backoff", defaultValue = "1h") Duration max) {
        this.pool = pool;
        this.outbox = outbox;
        this.mapper = mapper;
        this.service = service;
        this.backoff = new DeadLetterBackoff(initial, max);
    }

    public DeadLetterBackoff backoff() {
        return backoff;
    }

    /**
     * Records the event as dead-lettered by {@code consumer} in a transaction of its own and, the
     * first time only, publishes {@link Events.EventDeadLettered} through the outbox in that same
     * transaction (not for an EventDeadLettered itself, so a failing alert consumer cannot loop).
     * Answers true when the row is new.
     */
    public Uni<Boolean> record(EventEnvelope envelope, String topic, String consumer, Throwable failure) {
        String reason = reason(failure);
        UUID orgId = orgIdOf(mapper, envelope);
        String json = structured(mapper, envelope);
        double delaySeconds = backoff.after(1).toMillis() / 1000.0;
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into dead_letter (id, event_id, consumer, topic, event_type, org_id, envelope, reason, attempts,
                                         status, next_attempt_at)
                -- (text first: a parameter typed jsonb would store the string itself as a JSON string)
                values (:id, :eventId, :consumer, :topic, :type, :org, cast(cast(:envelope as text) as jsonb), :reason, 1,
                        'pending', now() + make_interval(secs => :delay))
                on conflict (event_id, consumer) do nothing""")
                .setParameter("id", UUID.randomUUID())
                .setParameter("eventId", envelope.id())
                .setParameter("consumer", consumer)
                .setParameter("topic", topic)
                .setParameter("type", envelope.type())
                .setParameter("org", orgId)
                .setParameter("envelope", json)
                .setParameter("reason", reason)
                .setParameter("delay", delaySeconds)
                .executeUpdate())
                .chain(n -> {
                    boolean first = n == 1;
                    // The outbox needs an organisation; every event our services publish carries one.
                    if (!first || orgId == null
                            || EventTypes.typeOf(Events.EventDeadLettered.class).equals(envelope.type())) {
                        return Uni.createFrom().item(first);
                    }
                    return outbox.append(new Events.EventDeadLettered(orgId, service, topic,
                            envelope.id().toString(), envelope.type(), reason, 1, Instant.now()))
                            .replaceWith(first);
                }));
    }

    /**
     * Claims up to {@code limit} due dead letters for {@code lease} (another replica skips them
     * meanwhile; a crash releases them when the lease ends).
     */
    public Uni<List<Claimed>> claimDue(int limit, Duration lease) {
        return pool.preparedQuery("""
                update dead_letter set next_attempt_at = now() + make_interval(secs => $1), updated_at = now()
                where id in (select id from dead_letter where status = 'pending' and next_attempt_at <= now()
                             order by next_attempt_at limit $2 for update skip locked)
                returning id, consumer, topic, attempts, envelope::text as envelope""")
                .execute(Tuple.of(lease.toSeconds() * 1.0, limit))
                .map(rows -> {
                    List<Claimed> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Claimed(r.getUUID("id"), r.getString("consumer"), r.getString("topic"),
                                r.getInteger("attempts"), r.getString("envelope")));
                    }
                    return out;
                });
    }

    /** The retry succeeded (or the inbox showed the event already handled). */
    public Uni<Void> done(UUID id) {
        return pool.preparedQuery("""
                update dead_letter set status = 'done', completed_at = now(), updated_at = now() where id = $1""")
                .execute(Tuple.of(id)).replaceWithVoid();
    }

    /** The retry failed again: one more attempt, the next one after the backoff. */
    public Uni<Void> failed(Claimed c, Throwable failure) {
        int attempts = c.attempts() + 1;
        double delay = backoff.after(attempts).toMillis() / 1000.0;
        return pool.preparedQuery("""
                update dead_letter set attempts = $2, reason = $3, next_attempt_at = now() + make_interval(secs => $4),
                       updated_at = now()
                where id = $1 and status = 'pending'""")
                .execute(Tuple.of(c.id(), attempts, reason(failure), delay)).replaceWithVoid();
    }

    /** Newest first; {@code status} null for all. */
    public Uni<List<DeadLetter>> list(String status, int limit) {
        return pool.preparedQuery("""
                select id, event_id, event_type, org_id, consumer, topic, reason, attempts, status, next_attempt_at,
                       created_at, completed_at
                from dead_letter where ($1::text is null or status = $1) order by created_at desc, id limit $2""")
                .execute(Tuple.of(status, limit))
                .map(rows -> {
                    List<DeadLetter> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new DeadLetter(r.getUUID("id"), r.getUUID("event_id"), r.getString("event_type"),
                                r.getUUID("org_id"), r.getString("consumer"), r.getString("topic"),
                                Topics.deadLetter(service, r.getString("topic")), r.getString("reason"),
                                r.getInteger("attempts"), r.getString("status"), instant(r, "next_attempt_at"),
                                instant(r, "created_at"), instant(r, "completed_at")));
                    }
                    return out;
                });
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    static String reason(Throwable failure) {
        Throwable t = failure;
        // Mutiny wraps the last failure of a retry; the cause names what actually failed.
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        String text = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return text.length() > MAX_REASON ? text.substring(0, MAX_REASON) : text;
    }

    /** The envelope's organisation, else the event data's {@code orgId} field when present. */
    static UUID orgIdOf(ObjectMapper mapper, EventEnvelope envelope) {
        if (envelope.orgId() != null) {
            return envelope.orgId();
        }
        try {
            JsonNode org = mapper.readTree(envelope.data()).get("orgId");
            return org == null || !org.isTextual() ? null : UUID.fromString(org.asText());
        } catch (Exception e) {
            return null;
        }
    }

    /** The CloudEvent in structured JSON mode (data inline when it is JSON). */
    static String structured(ObjectMapper mapper, EventEnvelope e) {
        ObjectNode n = mapper.createObjectNode();
        n.put("specversion", EventEnvelope.SPEC_VERSION);
        n.put("id", e.id().toString());
        n.put("type", e.type());
        n.put("source", e.source());
        n.put("subject", e.subject());
        n.put("time", e.time() == null ? null : e.time().toString());
        n.put("orgid", e.orgId() == null ? null : e.orgId().toString());
        n.put("datacontenttype", "application/json");
        try {
            n.set("data", mapper.readTree(e.data()));
        } catch (Exception notJson) {
            n.put("data", e.data());
        }
        return n.toString();
    }

    /** The claimed dead letter's envelope. */
    public EventEnvelope envelopeOf(Claimed c) {
        return fromStructured(mapper, c.envelope());
    }

    static EventEnvelope fromStructured(ObjectMapper mapper, String json) {
        try {
            JsonNode n = mapper.readTree(json);
            JsonNode data = n.get("data");
            return new EventEnvelope(UUID.fromString(n.get("id").asText()), text(n, "type"), text(n, "source"),
                    text(n, "subject"), text(n, "time") == null ? null : Instant.parse(text(n, "time")),
                    text(n, "orgid") == null ? null : UUID.fromString(text(n, "orgid")),
                    data == null || data.isNull() ? null : data.isTextual() ? data.asText() : data.toString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("A dead letter's envelope is unreadable", e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
