package io.ocore.backups.backup.blobs.gc.rest;

import io.ocore.backups.backup.blobs.gc.BlobRetention;
import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.QueryParams;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Service-to-service only (never routed by the gateway): what an environment's filestore blob
 * store keeps and what the next collection frees (BlobRetention), for scheduler-service's
 * retention preview. {@code blobStore: false} and null counts when the environment has no blob
 * store in that organisation.
 */
@Path("/internal/blob-stores")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Permissions.INTERNAL_SERVICE)
public class InternalBlobRetentionResource {

    public record View(UUID environmentId, boolean blobStore, Instant evaluatedAt, Long graceSeconds,
            Long capturesKept, BlobRetention.Count keptByBackups, BlobRetention.Count keptByCaptures,
            BlobRetention.Count kept, BlobRetention.Count notReferenced, BlobRetention.Count freedByNextCollection) {
    }

    private final BlobRetention retention;
    private final Caller caller;

    public InternalBlobRetentionResource(BlobRetention retention, Caller caller) {
        this.retention = retention;
        this.caller = caller;
    }

    @GET
    @Path("/{envId}/retention")
    public Uni<View> get(@PathParam("envId") UUID envId, @QueryParam("orgId") String orgId) {
        UUID org = QueryParams.uuid("orgId", orgId);
        if (org == null) {
            throw ProblemException.badField("orgId", "is required");
        }
        Log.debugf("internal: %s read the blob retention of environment %s of org %s", caller.subject(), envId, org);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return retention.of(org, envId, now).map(o -> o == null
                ? new View(envId, false, now, null, null, null, null, null, null, null)
                : new View(envId, true, o.evaluatedAt(), o.graceSeconds(), o.capturesKept(), o.keptByBackups(),
                        o.keptByCaptures(), o.kept(), o.notReferenced(), o.freedByNextCollection()));
    }
}
