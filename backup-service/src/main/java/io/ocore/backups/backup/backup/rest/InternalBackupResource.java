package io.ocore.backups.backup.backup.rest;

import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.backup.BackupService;
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
import java.util.Map;
import java.util.UUID;

/**
 * Service-to-service only (never routed by the gateway): what restore-service needs to know about
 * a backup it restores: its environment, status, type, trigger, where it is stored and its checksums.
 */
@Path("/internal/backups")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Permissions.INTERNAL_SERVICE)
public class InternalBackupResource {

    /** A backup for other services. */
    public record InternalBackupView(UUID id, UUID orgId, UUID environmentId, String status, String backupType,
            String trigger, Map<UUID, String> remotePaths, Map<String, String> checksums, Long sizeBytes,
            Instant completedAt, Instant createdAt) {

        static InternalBackupView of(Backup b) {
            return new InternalBackupView(b.id, b.orgId, b.environmentId, b.status.name(), b.backupType.name(),
                    b.trigger.name(), b.remotePathMap(), b.checksumMap(), b.sizeBytes, b.completedAt, b.createdAt);
        }
    }

    private final BackupService backups;
    private final Caller caller;

    public InternalBackupResource(BackupService backups, Caller caller) {
        this.backups = backups;
        this.caller = caller;
    }

    @GET
    @Path("/{backupId}")
    public Uni<InternalBackupView> get(@PathParam("backupId") UUID backupId, @QueryParam("orgId") String orgId) {
        UUID org = QueryParams.uuid("orgId", orgId);
        if (org == null) {
            throw ProblemException.badField("orgId", "is required");
        }
        Log.infof("internal: %s read backup %s of org %s", caller.subject(), backupId, org);
        return backups.get(org, backupId).map(InternalBackupView::of);
    }
}
