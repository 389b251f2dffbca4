package io.ocore.backups.destination.destination.rest;

import io.ocore.backups.destination.destination.DestinationService;
import io.ocore.backups.destination.destination.TestResult;
import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.web.Page;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.QueryParams;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.UUID;

@Path("/api/backup-destinations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Permissions.MANAGE_ORG_SETTINGS)
public class DestinationResource {

    private final DestinationService destinations;
    private final Caller caller;

    public DestinationResource(DestinationService destinations, Caller caller) {
        this.destinations = destinations;
        this.caller = caller;
    }

    @POST
    public Uni<Response> create(DestinationRequest body, @Context UriInfo uri) {
        DestinationRequest b = required(body);
        return destinations.create(caller.orgId(), b.name(), b.destinationType(), b.config())
                .map(d -> Response.created(uri.getAbsolutePathBuilder().path(d.id.toString()).build())
                        .entity(DestinationView.of(d)).build());
    }

    @GET
    public Uni<Page<DestinationView>> list(@QueryParam("destinationType") String destinationType,
            @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
        DestinationType type = QueryParams.enumOf("destinationType", destinationType, DestinationType.class);
        return destinations.list(caller.orgId(), type, cursor, limit)
                .map(p -> new Page<>(p.items().stream().map(DestinationView::of).toList(), p.nextCursor()));
    }

    @GET
    @Path("/{destId}")
    public Uni<DestinationView> get(@PathParam("destId") UUID destId) {
        return destinations.get(caller.orgId(), destId).map(DestinationView::of);
    }

    @PUT
    @Path("/{destId}")
    public Uni<DestinationView> update(@PathParam("destId") UUID destId, DestinationRequest body) {
        DestinationRequest b = required(body);
        return destinations.update(caller.orgId(), destId, b.name(), b.destinationType(), b.config())
                .map(DestinationView::of);
    }

    @DELETE
    @Path("/{destId}")
    public Uni<Response> delete(@PathParam("destId") UUID destId) {
        return destinations.delete(caller.orgId(), destId).map(v -> Response.noContent().build());
    }

    /** Writes, reads back and deletes a probe object; records isVerified and lastTestedAt. */
    @POST
    @Path("/{destId}/test")
    @Consumes(MediaType.WILDCARD)
    public Uni<TestResult> test(@PathParam("destId") UUID destId) {
        return destinations.test(caller.orgId(), destId);
    }

    private static DestinationRequest required(DestinationRequest body) {
        if (body == null) {
            throw ProblemException.badField("body", "is required: {name, destinationType, config}");
        }
        return body;
    }
}
