package io.ocore.backups.alert.webhook.rest;

import io.ocore.backups.alert.webhook.Webhook;
import io.ocore.backups.alert.webhook.WebhookDelivery;
import io.ocore.backups.alert.webhook.WebhookService;
import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.web.Cursor;
import io.ocore.backups.platform.web.Page;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.UUID;

/** An organisation's alert webhooks (an organisation setting) and their delivery log. */
@Path("/api/backup-alerts/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Permissions.MANAGE_ORG_SETTINGS)
public class WebhookResource {

    private final WebhookService webhooks;
    private final Caller caller;

    public WebhookResource(WebhookService webhooks, Caller caller) {
        this.webhooks = webhooks;
        this.caller = caller;
    }

    /** {@code secret} is optional: one is generated when absent. */
    public record CreateWebhook(@NotBlank String url, String secret) {
    }

    /** A webhook on the wire; {@code secret} only in the answer to its creation. */
    public record WebhookView(UUID id, String url, boolean enabled, Instant createdAt, String secret) {
        static WebhookView of(Webhook w, String secret) {
            return new WebhookView(w.id, w.url, w.enabled, w.createdAt, secret);
        }
    }

    public record DeliveryView(UUID id, UUID alertId, String status, int attempts, Integer lastStatus,
            String lastError, Instant createdAt, Instant nextAttemptAt, Instant deliveredAt) {
        static DeliveryView of(WebhookDelivery d) {
            return new DeliveryView(d.id, d.alertId, d.status, d.attempts, d.lastStatus, d.lastError, d.createdAt,
                    "pending".equals(d.status) ? d.nextAttemptAt : null, d.deliveredAt);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(@Valid @NotNull CreateWebhook body) {
        return webhooks.create(caller.orgId(), body.url(), body.secret())
                .map(c -> Response.created(URI.create("/api/backup-alerts/webhooks/" + c.webhook().id))
                        .entity(WebhookView.of(c.webhook(), c.secret())).build());
    }

    @GET
    public Uni<Page<WebhookView>> list() {
        return webhooks.list(caller.orgId())
                .map(list -> new Page<>(list.stream().map(w -> WebhookView.of(w, null)).toList(), null));
    }

    @DELETE
    @Path("/{webhookId}")
    public Uni<Response> delete(@PathParam("webhookId") UUID webhookId) {
        return webhooks.delete(caller.orgId(), webhookId).replaceWith(Response.noContent().build());
    }

    /** The newest deliveries first, with each one's attempts and last answer. */
    @GET
    @Path("/{webhookId}/deliveries")
    public Uni<Page<DeliveryView>> deliveries(@PathParam("webhookId") UUID webhookId, @QueryParam("limit") Integer limit) {
        return webhooks.deliveries(caller.orgId(), webhookId, Cursor.limit(limit))
                .map(list -> new Page<>(list.stream().map(DeliveryView::of).toList(), null));
    }
}
