package io.ocore.backups.destination.destination.internal;

import io.ocore.backups.destination.destination.DestinationCredentials;
import io.ocore.backups.destination.destination.DestinationService;
import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.security.RewrapReport;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.QueryParams;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.UUID;

/**
 * Service-to-service endpoints (docs/development.md): decrypted credentials for the services that
 * write backups, rotated refresh tokens back, and the operator's re-wrap after a master key
 * rotation. Never routed by the gateway; every call is logged without secrets.
 */
@Path("/internal")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Permissions.INTERNAL_SERVICE)
public class InternalDestinationResource {

    /** {@code GET /internal/destinations/{destId}}: the destination with its secrets decrypted. */
    public record InternalDestination(UUID id, UUID orgId, String name, String destinationType,
            Map<String, Object> config) {
    }

    public record RefreshToken(String refreshToken) {
    }

    private final DestinationService destinations;
    private final Caller caller;
    private final DestinationCredentials credentials;

    public InternalDestinationResource(DestinationService destinations, Caller caller,
            DestinationCredentials credentials) {
        this.destinations = destinations;
        this.caller = caller;
        this.credentials = credentials;
    }

    @GET
    @Path("/destinations/{destId}")
    public Uni<InternalDestination> get(@PathParam("destId") UUID destId, @QueryParam("orgId") String orgId) {
        UUID org = org(orgId);
        Log.infof("internal: %s read the credentials of destination %s (org %s)", caller.subject(), destId, org);
        return destinations.credentials(org, destId).map(c -> new InternalDestination(c.destination().id,
                c.destination().orgId, c.destination().name, c.destination().destinationType.name(), c.config()));
    }

    @PUT
    @Path("/destinations/{destId}/refresh-token")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> refreshToken(@PathParam("destId") UUID destId, @QueryParam("orgId") String orgId,
            RefreshToken body) {
        UUID org = org(orgId);
        Log.infof("internal: %s stored a rotated refresh token of destination %s (org %s)", caller.subject(), destId,
                org);
        return destinations.storeRefreshToken(org, destId, body == null ? null : body.refreshToken())
                .map(v -> Response.noContent().build());
    }

    /**
     * Re-seals every stored secret under the active master key (after rotating
     * {@code OCORE_MASTER_KEY}); {@code remaining} 0 means no destination needs a previous key.
     */
    @POST
    @Path("/admin/rewrap")
    @Consumes(MediaType.WILDCARD)
    public Uni<RewrapReport> rewrap() {
        Log.infof("internal: %s started re-wrapping every destination's credentials under master key %s",
                caller.subject(), credentials.activeKeyId());
        return destinations.rewrapAll()
                .invoke(r -> Log.infof("internal: destination credentials re-wrapped: %d, still under an older key: %d,"
                        + " failed: %d", r.rewrapped(), r.remaining(), r.failed()));
    }

    /** The former name of {@link #rewrap}, kept for scripts written against it. */
    @POST
    @Path("/admin/rewrap-credentials")
    @Consumes(MediaType.WILDCARD)
    public Uni<RewrapReport> rewrapCredentials() {
        return rewrap();
    }

    private static UUID org(String orgId) {
        UUID org = QueryParams.uuid("orgId", orgId);
        if (org == null) {
            throw ProblemException.badField("orgId", "is required");
        }
        return org;
    }
}
