package io.ocore.backups.backup.backup.rest;

import io.ocore.backups.backup.backup.BackupRepository;
import io.ocore.backups.backup.backup.BackupService;
import io.ocore.backups.backup.backup.BackupStatus;
import io.ocore.backups.backup.backup.BackupType;
import io.ocore.backups.backup.backup.Trigger;
import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.web.Page;
import io.ocore.backups.platform.web.Problem;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.QueryParams;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** An environment's backups: request one, list them. */
@Path("/api/environments/{envId}/backups")
@Produces(MediaType.APPLICATION_JSON)
public class EnvironmentBackupsResource {

    private final BackupService backups;
    private final Caller caller;

    public EnvironmentBackupsResource(BackupService backups, Caller caller) {
        this.backups = backups;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Permissions.MANAGE_ENVIRONMENTS)
    public Uni<Response> create(@PathParam("envId") UUID envId, NewBackup body) {
        List<Problem.FieldError> errors = new ArrayList<>();
        BackupType type = null;
        if (body == null || body.backupType() == null || body.backupType().isBlank()) {
            errors.add(new Problem.FieldError("backupType", "is required: one of " + Arrays.toString(BackupType.values())));
        } else {
            try {
                type = BackupType.valueOf(body.backupType());
            } catch (IllegalArgumentException e) {
                errors.add(new Problem.FieldError("backupType", "must be one of " + Arrays.toString(BackupType.values())));
            }
        }
        List<UUID> destinations = new ArrayList<>();
        if (body != null && body.destinationIds() != null) {
            for (int i = 0; i < body.destinationIds().size(); i++) {
                String v = body.destinationIds().get(i);
                try {
                    destinations.add(UUID.fromString(v));
                } catch (IllegalArgumentException | NullPointerException e) {
                    errors.add(new Problem.FieldError("destinationIds[" + i + "]", "must be a UUID"));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw ProblemException.validation(errors);
        }
        return backups.requestManual(caller.orgId(), envId, type, destinations).map(b -> Response
                .accepted(BackupView.of(b)).location(URI.create("/api/backups/" + b.id)).build());
    }

    @GET
    @RolesAllowed({Permissions.VIEW_ENVIRONMENTS, Permissions.MANAGE_ENVIRONMENTS})
    public Uni<Page<BackupView>> list(@PathParam("envId") UUID envId, @QueryParam("status") String status,
            @QueryParam("backupType") String backupType, @QueryParam("trigger") String trigger,
            @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
        var filter = new BackupRepository.Filter(QueryParams.enumOf("status", status, BackupStatus.class),
                QueryParams.enumOf("backupType", backupType, BackupType.class),
                QueryParams.enumOf("trigger", trigger, Trigger.class));
        return backups.list(caller.orgId(), envId, filter, cursor, limit).map(BackupView::page);
    }
}
