package io.ocore.backups.scheduler.retention.rest;

import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.scheduler.retention.RetentionService;
import io.ocore.backups.scheduler.retention.client.BlobRetentionClient;
import io.ocore.backups.scheduler.schedule.RecommendedSchedule;
import io.ocore.backups.scheduler.schedule.ScheduleService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;

@Path("/api/environments/{envId}/backup-schedule/retention-preview")
@Produces(MediaType.APPLICATION_JSON)
public class RetentionPreviewResource {

    private final ScheduleService schedules;
    private final RetentionService retention;
    private final Caller caller;
    private final BlobRetentionClient blobs;

    public RetentionPreviewResource(ScheduleService schedules, RetentionService retention, Caller caller,
            BlobRetentionClient blobs) {
        this.schedules = schedules;
        this.retention = retention;
        this.caller = caller;
        this.blobs = blobs;
    }

    @GET
    @RolesAllowed({Permissions.VIEW_ENVIRONMENTS, Permissions.MANAGE_ENVIRONMENTS})
    public Uni<RetentionPreviewView> preview(@PathParam("envId") UUID envId) {
        UUID org = caller.orgId();
        return Panache.withSession(() -> schedules.get(org, envId).chain(current -> {
            var s = current.schedule();
            int[] retain;
            if (s != null) {
                retain = new int[] {s.retainHourly, s.retainDaily, s.retainWeekly, s.retainMonthly};
            } else {
                var r = RecommendedSchedule.forType(current.environment().environmentType);
                retain = new int[] {r.retainHourly(), r.retainDaily(), r.retainWeekly(), r.retainMonthly()};
            }
            String zone = s == null ? "UTC" : s.timezone;
            Integer walDays = s == null || !s.walEnabled ? null : s.walRetentionDays;
            return retention.preview(envId, s)
                    .map(p -> RetentionPreviewView.of(envId, zone, retain, retention.minRedundancy(), walDays, p));
        })).chain(view -> blobs.of(org, envId).map(view::withFilestoreBlobs));
    }
}
