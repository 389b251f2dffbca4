package io.ocore.backups.alert.alert;

import io.ocore.backups.alert.webhook.WebhookService;
import io.ocore.backups.platform.events.Outbox;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.web.Cursor;
import io.ocore.backups.platform.web.Page;
import io.ocore.backups.platform.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Turns conditions into alerts. A condition with a dedup key (e.g. one destination failing)
 * has at most one open alert: repeats raise its count and mark it unread again instead of
 * adding alerts, and a recovery resolves it.
 */
@ApplicationScoped
public class AlertService {

    private final AlertRepository alerts;
    private final Outbox outbox;
    private final WebhookService webhooks;

    public AlertService(AlertRepository alerts, Outbox outbox, WebhookService webhooks) {
        this.alerts = alerts;
        this.outbox = outbox;
        this.webhooks = webhooks;
    }

    /** What to raise: built by the event consumer from a failure or warning event. */
    public record Condition(UUID orgId, AlertType type, Severity severity, String message, UUID environmentId,
            UUID destinationId, UUID backupId, String dedupKey, Instant seenAt) {
    }

    /** Raises (or repeats) an alert; call inside a transaction. */
    public Uni<Alert> raise(Condition c) {
        Instant seen = micros(c.seenAt() == null ? Instant.now() : c.seenAt());
        Uni<Alert> open = c.dedupKey() == null ? Uni.createFrom().nullItem() : alerts.findOpen(c.orgId(), c.dedupKey());
        return open.chain(existing -> {
            if (existing != null) {
                existing.occurrences++;
                existing.lastSeenAt = seen.isAfter(existing.lastSeenAt) ? seen : existing.lastSeenAt;
                existing.message = c.message();
                existing.severity = c.severity();
                existing.isRead = false;
                return publish(existing);
            }
            Alert a = new Alert();
            a.id = UUID.randomUUID();
            a.orgId = c.orgId();
            a.alertType = c.type();
            a.severity = c.severity();
            a.message = c.message();
            a.environmentId = c.environmentId();
            a.destinationId = c.destinationId();
            a.backupId = c.backupId();
            a.dedupKey = c.dedupKey();
            a.occurrences = 1;
            a.firstSeenAt = seen;
            a.lastSeenAt = seen;
            a.createdAt = micros(Instant.now());
            return alerts.persist(a).chain(this::publish);
        });
    }

    /** Resolves the open alert of a condition, saying so in its message; call inside a transaction. */
    public Uni<Alert> resolve(UUID orgId, String dedupKey, String resolution, Instant at) {
        return alerts.findOpen(orgId, dedupKey).chain(existing -> {
            if (existing == null) {
                return Uni.createFrom().nullItem();
            }
            existing.resolvedAt = micros(at == null ? Instant.now() : at);
            existing.message = existing.message + " " + resolution;
            existing.isRead = false;
            return publish(existing);
        });
    }

    public Uni<Page<Alert>> list(UUID orgId, AlertFilter filter, String cursor, Integer limit) {
        int n = Cursor.limit(limit);
        Cursor after = Cursor.decode(cursor);
        return alerts.list(orgId, filter, after, n + 1).map(rows -> Page.of(rows, n, a -> new Cursor(a.createdAt, a.id)));
    }

    public Uni<Alert> get(UUID orgId, UUID id) {
        return alerts.findInOrg(orgId, id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Alert", id));
    }

    @WithTransaction
    public Uni<Alert> markRead(UUID orgId, UUID id) {
        return get(orgId, id).invoke(a -> a.isRead = true);
    }

    @WithTransaction
    public Uni<Integer> markAllRead(UUID orgId) {
        return alerts.markAllRead(orgId);
    }

    /** Tells Kafka consumers (outbox) and the organisation's webhooks, in the alert's own transaction. */
    private Uni<Alert> publish(Alert a) {
        return outbox.append(new Events.AlertRaised(a.orgId, a.id, a.alertType.name(), a.severity.name(), a.message,
                a.environmentId, a.destinationId, a.backupId, a.occurrences))
                .chain(() -> webhooks.enqueue(a))
                .replaceWith(a);
    }

    private static Instant micros(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }
}
