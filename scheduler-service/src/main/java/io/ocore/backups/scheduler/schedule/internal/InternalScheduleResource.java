package io.ocore.backups.scheduler.schedule.internal;

import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.QueryParams;
import io.ocore.backups.scheduler.schedule.ScheduleRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;

/**
 * Service-to-service only (never routed by the gateway): an environment's saved schedule, in the
 * shape of the BackupScheduleChanged its last change announced, for a service that must answer
 * before that event reaches it (wal-archiver's wal-config right after walEnabled is turned on;
 * read-your-writes, docs/wal.md). 404 when the organisation's environment has no saved schedule.
 */
@Path("/internal/environments/{envId}/backup-schedule")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Permissions.INTERNAL_SERVICE)
public class InternalScheduleResource {

    private final ScheduleRepository schedules;

    public InternalScheduleResource(ScheduleRepository schedules) {
        this.schedules = schedules;
    }

    @GET
    public Uni<BackupScheduleChanged> get(@PathParam("envId") UUID envId, @QueryParam("orgId") String orgId) {
        UUID org = QueryParams.uuid("orgId", orgId);
        if (org == null) {
            throw ProblemException.badField("orgId", "is required");
        }
        return Panache.withSession(() -> schedules.findById(envId)).map(s -> {
            if (s == null || !org.equals(s.orgId)) {
                throw ProblemException.notFound("Backup schedule", envId);
            }
            return s.announced();
        });
    }
}
