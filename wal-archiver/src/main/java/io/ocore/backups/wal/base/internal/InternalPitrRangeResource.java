package io.ocore.backups.wal.base.internal;

import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.QueryParams;
import io.ocore.backups.wal.base.PitrRanges;
import io.quarkus.logging.Log;
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
 * Service-to-service only (never routed by the gateway): the pitr-range of a base backup for
 * restore-service, which checks a restore's {@code pitrTimestamp} against it. The same answers as
 * {@code GET /api/backups/{backupId}/pitr-range}: 404 without a base, 409 while its WAL is incomplete.
 */
@Path("/internal/backups/{backupId}/pitr-range")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Permissions.INTERNAL_SERVICE)
public class InternalPitrRangeResource {

    private final PitrRanges ranges;
    private final Caller caller;

    public InternalPitrRangeResource(PitrRanges ranges, Caller caller) {
        this.ranges = ranges;
        this.caller = caller;
    }

    @GET
    public Uni<PitrRanges.Range> range(@PathParam("backupId") UUID backupId, @QueryParam("orgId") String orgId) {
        UUID org = QueryParams.uuid("orgId", orgId);
        if (org == null) {
            throw ProblemException.badField("orgId", "is required");
        }
        Log.infof("internal: %s read the pitr-range of backup %s of org %s", caller.subject(), backupId, org);
        return ranges.range(org, backupId);
    }
}
