package io.ocore.backups.backup.environment.rest;

import io.ocore.backups.backup.environment.EnvironmentService;
import io.ocore.backups.backup.environment.NewEnvironment;
import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.security.confinement.EnvironmentConfinement;
import io.ocore.backups.platform.web.Page;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.QueryParams;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.UUID;

@Path("/api/environments")
@Produces(MediaType.APPLICATION_JSON)
public class EnvironmentResource {

    private final EnvironmentService environments;
    private final Caller caller;
    private final EnvironmentConfinement confinement;

    public EnvironmentResource(EnvironmentService environments, Caller caller, EnvironmentConfinement confinement) {
        this.environments = environments;
        this.caller = caller;
        this.confinement = confinement;
    }

    /** Environments belong to the platform: registering one (its server and paths) is an operator's act. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Permissions.MANAGE_PLATFORM)
    public Uni<Response> register(NewEnvironment body) {
        if (body == null) {
            throw ProblemException.badField("body", "is required");
        }
        UUID org = caller.orgId();
        return VertxContextSupport.executeBlocking(() -> body.validate(false, confinement))
                .chain(v -> environments.register(org, v)).map(e -> Response
                        .created(URI.create("/api/environments/" + e.id)).entity(EnvironmentView.of(e)).build());
    }

    @GET
    @RolesAllowed({Permissions.VIEW_ENVIRONMENTS, Permissions.MANAGE_ENVIRONMENTS})
    public Uni<Page<EnvironmentView>> list(@QueryParam("projectId") String projectId,
            @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
        return environments.list(caller.orgId(), QueryParams.uuid("projectId", projectId), cursor, limit)
                .map(p -> new Page<>(p.items().stream().map(EnvironmentView::of).toList(), p.nextCursor()));
    }

    @GET
    @Path("/{envId}")
    @RolesAllowed({Permissions.VIEW_ENVIRONMENTS, Permissions.MANAGE_ENVIRONMENTS})
    public Uni<EnvironmentView> get(@PathParam("envId") UUID envId) {
        return environments.get(caller.orgId(), envId).map(EnvironmentView::of);
    }
}
