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

/** One backup by id: read, delete from every destination. */
@Path("/api/backups")
@Produces(MediaType.APPLICATION_JSON)
public class BackupResource {

    private final BackupService backups;
    private final Caller caller;

    public BackupResource(BackupService backups, Caller caller) {
        this.backups = backups;
        this.caller = caller;
    }

    @GET
    @Path("/{backupId}")
    @RolesAllowed({Permissions.VIEW_ENVIRONMENTS, Permissions.MANAGE_ENVIRONMENTS})
    public Uni<BackupView> get(@PathParam("backupId") UUID backupId) {
        return backups.get(caller.orgId(), backupId).map(BackupView::of);
    }

    @DELETE
    @Path("/{backupId}")
    @RolesAllowed(Permissions.MANAGE_ENVIRONMENTS)
    public Uni<Response> delete(@PathParam("backupId") UUID backupId) {
        // 202: the deletion is a state (status deleting) until every copy on every destination is gone
        return backups.delete(caller.orgId(), backupId, caller.subject())
                .map(b -> Response.accepted(BackupView.of(b)).build());
    }
}
