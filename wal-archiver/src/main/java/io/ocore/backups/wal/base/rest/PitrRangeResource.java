package io.ocore.backups.wal.base.rest;

import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.wal.base.PitrRanges;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;

/** What a backup (a PITR base) can recover to with archived WAL (docs/wal.md). */
@Path("/api/backups/{backupId}/pitr-range")
@Produces(MediaType.APPLICATION_JSON)
public class PitrRangeResource {

    private final PitrRanges ranges;
    private final Caller caller;

    public PitrRangeResource(PitrRanges ranges, Caller caller) {
        this.ranges = ranges;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Permissions.VIEW_ENVIRONMENTS, Permissions.MANAGE_ENVIRONMENTS})
    public Uni<PitrRanges.Range> range(@PathParam("backupId") UUID backupId) {
        return ranges.range(caller.orgId(), backupId);
    }
}
