package io.ocore.backups.backup.environment.rest;

import io.ocore.backups.backup.environment.EnvironmentService;
import io.ocore.backups.backup.environment.NewEnvironment;
import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.security.confinement.EnvironmentConfinement;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.QueryParams;
import io.quarkus.logging.Log;
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

/**
 * Service-to-service only (never routed by the gateway): the catalogue, with the database
 * password only when asked for ({@code credentials=true}).
 */
@Path("/internal/environments")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Permissions.INTERNAL_SERVICE)
public class InternalEnvironmentResource {

    private final EnvironmentService environments;
    private final Caller caller;
    private final EnvironmentConfinement confinement;

    public InternalEnvironmentResource(EnvironmentService environments, Caller caller,
            EnvironmentConfinement confinement) {
        this.environments = environments;
        this.caller = caller;
        this.confinement = confinement;
    }

    @GET
    @Path("/{envId}")
    public Uni<InternalEnvironmentView> get(@PathParam("envId") UUID envId, @QueryParam("orgId") String orgId,
            @QueryParam("credentials") String credentials) {
        UUID org = QueryParams.uuid("orgId", orgId);
        if (org == null) {
            throw ProblemException.badField("orgId", "is required");
        }
        if (credentials != null && !credentials.equals("true") && !credentials.equals("false")) {
            throw ProblemException.badField("credentials", "must be true or false");
        }
        // only a caller that connects to the database (restore-service) asks for the password
        boolean withPassword = "true".equals(credentials);
        Log.infof("internal: %s read environment %s of org %s%s", caller.subject(), envId, org,
                withPassword ? " (with its database password)" : "");
        return environments.get(org, envId).map(e -> InternalEnvironmentView.of(e,
                withPassword ? environments.password(e) : null));
    }

    /**
     * Registers an environment for another service (restore-service's {@code new} target), with the
     * very checks of the public registration.
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> register(NewEnvironment body) {
        if (body == null) {
            throw ProblemException.badField("body", "is required");
        }
        String subject = caller.subject();
        return VertxContextSupport.executeBlocking(() -> body.validate(true, confinement)).chain(v -> {
            Log.infof("internal: %s registers environment '%s' in org %s", subject, v.name(), v.orgId());
            return environments.register(v.orgId(), v);
        }).map(e -> Response
                .created(URI.create("/internal/environments/" + e.id + "?orgId=" + e.orgId))
                .entity(EnvironmentView.of(e)).build());
    }
}
