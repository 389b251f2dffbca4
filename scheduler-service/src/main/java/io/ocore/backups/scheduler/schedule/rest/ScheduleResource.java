package io.ocore.backups.scheduler.schedule.rest;

import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.web.Problem.FieldError;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.scheduler.schedule.RecommendedSchedule;
import io.ocore.backups.scheduler.schedule.ScheduleService;
import io.ocore.backups.scheduler.schedule.ScheduleSettings;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

@Path("/api/environments/{envId}/backup-schedule")
@Produces(MediaType.APPLICATION_JSON)
public class ScheduleResource {

    private final ScheduleService schedules;
    private final Caller caller;

    public ScheduleResource(ScheduleService schedules, Caller caller) {
        this.schedules = schedules;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Permissions.VIEW_ENVIRONMENTS, Permissions.MANAGE_ENVIRONMENTS})
    public Uni<ScheduleView> get(@PathParam("envId") UUID envId) {
        return schedules.get(caller.orgId(), envId).map(c -> c.schedule() != null ? ScheduleView.of(c.schedule())
                : ScheduleView.recommended(envId, RecommendedSchedule.forType(c.environment().environmentType)));
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Permissions.MANAGE_ENVIRONMENTS)
    public Uni<ScheduleView> put(@PathParam("envId") UUID envId, ScheduleRequest request) {
        if (request == null) {
            throw ProblemException.badField("body", "is required");
        }
        List<FieldError> errors = new ArrayList<>();
        ScheduleSettings settings = request.validate(errors);
        return schedules.put(caller.orgId(), envId, settings, errors, request.wellFormedDestinations())
                .map(ScheduleView::of);
    }
}
