package io.ocore.backups.alert.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.alert.alert.Alert;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.storage.EndpointGuard;
import io.ocore.backups.platform.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Webhooks of an organisation and the deliveries queued for them. */
@ApplicationScoped
public class WebhookService {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final EnvelopeCipher cipher;
    private final WebhookConfig config;
    private final ObjectMapper mapper;
    private final WebhookResolver resolver;
    private final Vertx vertx;

    public WebhookService(EnvelopeCipher cipher, WebhookConfig config, ObjectMapper mapper, WebhookResolver resolver,
            Vertx vertx) {
        this.cipher = cipher;
        this.config = config;
        this.mapper = mapper;
        this.resolver = resolver;
        this.vertx = vertx;
    }

    /** A new webhook and its signing secret in clear, which is shown this once. */
    public record Created(Webhook webhook, String secret) {
    }

    public Uni<Created> create(UUID orgId, String url, String secret) {
        URI uri;
        try {
            uri = URI.create(url == null ? "" : url.trim());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badField("url", "must be an absolute http or https URL");
        }
        if (secret != null && secret.length() < 16) {
            throw ProblemException.badField("secret", "must be at least 16 characters");
        }
        // the guard resolves the name (DNS blocks): off the event loop; each delivery resolves again
        return vertx.executeBlocking(() -> EndpointGuard.check(uri, config.allowPrivateTargets(), resolver), false)
                .chain(refused -> {
                    if (refused.isPresent()) {
                        return Uni.createFrom().failure(ProblemException.badField("url", refused.get()));
                    }
                    return Panache.withTransaction(() -> persist(orgId, uri, secret));
                });
    }

    private Uni<Created> persist(UUID orgId, URI uri, String secret) {
        String clear = secret != null ? secret : randomSecret();
        Webhook w = new Webhook();
        w.id = UUID.randomUUID();
        w.orgId = orgId;
        w.url = uri.toString();
        w.secretSealed = cipher.seal(clear, w.id.toString());
        w.enabled = true;
        w.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return w.persist().replaceWith(new Created(w, clear));
    }

    @WithSession
    public Uni<List<Webhook>> list(UUID orgId) {
        return Webhook.<Webhook>find("orgId", Sort.ascending("createdAt"), orgId).list();
    }

    @WithTransaction
    public Uni<Void> delete(UUID orgId, UUID id) {
        return Webhook.delete("orgId = ?1 and id = ?2", orgId, id).invoke(n -> {
            if (n == 0) {
                throw ProblemException.notFound("Webhook", id);
            }
        }).replaceWithVoid();
    }

    @WithSession
    public Uni<List<WebhookDelivery>> deliveries(UUID orgId, UUID webhookId, int limit) {
        return Webhook.<Webhook>find("orgId = ?1 and id = ?2", orgId, webhookId).firstResult()
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Webhook", webhookId))
                .chain(w -> WebhookDelivery.<WebhookDelivery>find("webhookId", Sort.descending("createdAt", "id"), w.id)
                        .page(0, limit).list());
    }

    /** Queues a notification of {@code alert} for every enabled webhook of its organisation; call in the alert's transaction. */
    public Uni<Void> enqueue(Alert alert) {
        return Webhook.<Webhook>find("orgId = ?1 and enabled = true", alert.orgId).list()
                .chain(hooks -> Multi.createFrom().iterable(hooks)
                        .onItem().transformToUniAndConcatenate(hook -> delivery(hook, alert).persist())
                        .collect().asList())
                .replaceWithVoid();
    }

    private WebhookDelivery delivery(Webhook hook, Alert alert) {
        WebhookDelivery d = new WebhookDelivery();
        d.id = UUID.randomUUID();
        d.webhookId = hook.id;
        d.orgId = alert.orgId;
        d.alertId = alert.id;
        d.payload = payload(d.id, alert);
        d.status = "pending";
        d.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        d.nextAttemptAt = d.createdAt;
        return d;
    }

    private String payload(UUID deliveryId, Alert a) {
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("id", a.id);
        alert.put("alertType", a.alertType.name());
        alert.put("severity", a.severity.name());
        alert.put("message", a.message);
        alert.put("isRead", a.isRead);
        alert.put("environmentId", a.environmentId);
        alert.put("destinationId", a.destinationId);
        alert.put("backupId", a.backupId);
        alert.put("occurrences", a.occurrences);
        alert.put("firstSeenAt", a.firstSeenAt);
        alert.put("lastSeenAt", a.lastSeenAt);
        alert.put("resolvedAt", a.resolvedAt);
        alert.put("createdAt", a.createdAt);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", a.resolvedAt != null ? "alert.resolved" : "alert.raised");
        body.put("deliveryId", deliveryId);
        body.put("organizationId", a.orgId);
        body.put("alert", alert);
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Alert notification cannot be serialised", e);
        }
    }

    private static String randomSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
