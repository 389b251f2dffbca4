package io.ocore.backups.alert.alert.rest;

import io.ocore.backups.alert.alert.AlertFilter;
import io.ocore.backups.alert.alert.AlertService;
import io.ocore.backups.alert.alert.AlertType;
import io.ocore.backups.alert.alert.Severity;
import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.web.Page;
import io.ocore.backups.platform.web.QueryParams;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.UUID;

@Path("/api/backup-alerts")
@Produces(MediaType.APPLICATION_JSON)
public class AlertResource {

    private final AlertService alerts;
    private final Caller caller;

    public AlertResource(AlertService alerts, Caller caller) {
        this.alerts = alerts;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Permissions.VIEW_ENVIRONMENTS, Permissions.MANAGE_ENVIRONMENTS})
    public Uni<Page<AlertView>> list(@QueryParam("isRead") String isRead, @QueryParam("severity") String severity,
            @QueryParam("alertType") String alertType, @QueryParam("environmentId") String environmentId,
            @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit) {
        AlertFilter filter = new AlertFilter(QueryParams.bool("isRead", isRead),
                QueryParams.enumOf("severity", severity, Severity.class),
                QueryParams.enumOf("alertType", alertType, AlertType.class),
                QueryParams.uuid("environmentId", environmentId));
        return alerts.list(caller.orgId(), filter, cursor, limit)
                .map(p -> p.map(AlertView::of));
    }

    @GET
    @Path("/{alertId}")
    @RolesAllowed({Permissions.VIEW_ENVIRONMENTS, Permissions.MANAGE_ENVIRONMENTS})
    public Uni<AlertView> get(@PathParam("alertId") UUID alertId) {
        return alerts.get(caller.orgId(), alertId).map(AlertView::of);
    }

    @POST
    @Path("/{alertId}/read")
    @RolesAllowed({Permissions.VIEW_ENVIRONMENTS, Permissions.MANAGE_ENVIRONMENTS})
    public Uni<AlertView> read(@PathParam("alertId") UUID alertId) {
        return alerts.markRead(caller.orgId(), alertId).map(AlertView::of);
    }

    @POST
    @Path("/read-all")
    @RolesAllowed({Permissions.VIEW_ENVIRONMENTS, Permissions.MANAGE_ENVIRONMENTS})
    public Uni<Map<String, Integer>> readAll() {
        return alerts.markAllRead(caller.orgId()).map(n -> Map.of("marked", n));
    }
}
