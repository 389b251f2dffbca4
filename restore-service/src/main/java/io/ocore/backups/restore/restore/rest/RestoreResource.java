package io.ocore.backups.restore.restore.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.web.Cursor;
import io.ocore.backups.platform.web.Page;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.restore.execution.RestoreWorker;
import io.ocore.backups.restore.restore.RestoreJob;
import io.ocore.backups.restore.restore.RestoreRepository;
import io.ocore.backups.restore.restore.RestoreService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;

@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class RestoreResource {

    private final RestoreRepository restores;
    private final RestoreService service;
    private final RestoreWorker worker;
    private final Caller caller;
    private final ObjectMapper mapper;

    public RestoreResource(RestoreRepository restores, RestoreService service, RestoreWorker worker, Caller caller,
            ObjectMapper mapper) {
        this.restores = restores;
        this.service = service;
        this.worker = worker;
        this.caller = caller;
        this.mapper = mapper;
    }

    /** Starts a restore of a backup or snapshot onto the same, another or a new environment: 202. */
    @POST
    @Path("/backups/{backupId}/restore")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Permissions.MANAGE_ENVIRONMENTS)
    public Uni<Response> restore(@PathParam("backupId") UUID backupId, NewRestore body) {
        if (body == null) {
            throw ProblemException.badField("targetType", "is required: one of " + NewRestore.TARGET_TYPES);
        }
        NewRestore.Valid v = body.validate();
        return service.restore(caller.orgId(), backupId, v).map(this::accepted);
    }

    /**
     * Neutralizes an environment in place (mail, crons, payment providers off): 202, followed like a
     * restore. The body ({@code {"confirm": "<name>"}}) is optional, needed for a production environment.
     */
    @POST
    @Path("/environments/{envId}/neutralize")
    @RolesAllowed(Permissions.MANAGE_ENVIRONMENTS)
    public Uni<Response> neutralize(@PathParam("envId") UUID envId, String body) {
        return service.neutralize(caller.orgId(), envId, confirmation(body)).map(this::accepted);
    }

    /** The body is optional and may come without a Content-Type, so it is read as text and parsed here. */
    private String confirmation(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            Confirmation c = mapper.readValue(body, Confirmation.class);
            return c == null ? null : c.confirm();
        } catch (JsonProcessingException e) {
            throw ProblemException.badField("confirm",
                    "the body, when given, must be a JSON object {\"confirm\": \"<the environment's name>\"}");
        }
    }

    private Response accepted(RestoreJob j) {
        worker.kick();
        return Response.accepted(RestoreView.of(j)).location(URI.create("/api/restores/" + j.id)).build();
    }

    /** Status and progress of one restore (the seed's restore progress endpoint). */
    @GET
    @Path("/restores/{restoreId}")
    @RolesAllowed({Permissions.MANAGE_ENVIRONMENTS, Permissions.VIEW_ENVIRONMENTS})
    public Uni<RestoreView> get(@PathParam("restoreId") UUID restoreId) {
        return restores.getInOrg(caller.orgId(), restoreId).map(RestoreView::of);
    }

    /** The operation log: one entry per step with its timing. */
    @GET
    @Path("/restores/{restoreId}/logs")
    @RolesAllowed({Permissions.MANAGE_ENVIRONMENTS, Permissions.VIEW_ENVIRONMENTS})
    public Uni<List<RestoreView.StepView>> logs(@PathParam("restoreId") UUID restoreId) {
        return restores.getInOrg(caller.orgId(), restoreId)
                .chain(r -> restores.steps(r.id))
                .map(steps -> steps.stream().map(RestoreView.StepView::of).toList());
    }

    /** The restore history of a target environment, newest first; 404 for an environment not in the organisation. */
    @GET
    @Path("/environments/{envId}/restores")
    @RolesAllowed({Permissions.MANAGE_ENVIRONMENTS, Permissions.VIEW_ENVIRONMENTS})
    public Uni<Page<RestoreView>> history(@PathParam("envId") UUID envId, @QueryParam("cursor") String cursor,
            @QueryParam("limit") Integer limit) {
        int n = Cursor.limit(limit);
        Cursor after = Cursor.decode(cursor);
        UUID org = caller.orgId();
        return service.environmentInOrg(org, envId).chain(env -> restores.ofTarget(org, envId, after, n + 1)).map(rows -> {
            var page = rows.size() > n ? rows.subList(0, n) : rows;
            String next = rows.size() > n ? new Cursor(page.get(n - 1).createdAt, page.get(n - 1).id).encode() : null;
            return new Page<>(page.stream().map(RestoreView::of).toList(), next);
        });
    }
}
