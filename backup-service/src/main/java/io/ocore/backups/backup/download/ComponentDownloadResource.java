package io.ocore.backups.backup.download;

import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.backup.BackupService;
import io.ocore.backups.backup.backup.BackupStatus;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.web.ProblemException;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.util.UUID;

/**
 * {@code GET /api/backups/{backupId}/components/{component}}: one component of a completed backup,
 * verified, decrypted and decompressed by the service (the master key stays here). Answers the
 * plain bytes ({@code database}: pg_dump custom format; {@code filestore}, {@code config}: tar).
 * {@code ?destinationId=} picks the copy (default: the first destination holding it that answers);
 * {@code ?trailer=sha256} appends {@code OCORE-SHA256:<hex>\n}, the SHA-256 of the plain bytes.
 * A filestore stored as an index of blobs (ADR 0015) is served as the same standard tar, assembled
 * from its blobs; its response says {@code X-Ocore-Layout: blob-index} and carries neither
 * {@code X-Ocore-Raw-Bytes} nor {@code X-Ocore-Stored-Sha256} (they would describe the index
 * object, not the tar): the trailer is what vouches for its bytes.
 */
@Path("/api/backups/{backupId}/components")
public class ComponentDownloadResource {

    public static final String RAW_BYTES = "X-Ocore-Raw-Bytes";
    public static final String STORED_SHA256 = "X-Ocore-Stored-Sha256";
    public static final String DESTINATION = "X-Ocore-Destination-Id";
    public static final String TRAILER = "X-Ocore-Trailer";
    public static final String LAYOUT = "X-Ocore-Layout";

    private final BackupService backups;
    private final ComponentDownloads downloads;
    private final Caller caller;

    public ComponentDownloadResource(BackupService backups, ComponentDownloads downloads, Caller caller) {
        this.backups = backups;
        this.downloads = downloads;
        this.caller = caller;
    }

    @GET
    @Path("/{component}")
    @Blocking
    @Produces({MediaType.APPLICATION_OCTET_STREAM, MediaType.APPLICATION_JSON})
    @RolesAllowed(Permissions.MANAGE_ENVIRONMENTS)
    public Response download(@PathParam("backupId") UUID backupId, @PathParam("component") String component,
            @QueryParam("destinationId") UUID destinationId, @QueryParam("trailer") String trailer) {
        ComponentName name;
        try {
            name = ComponentName.of(component);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badField("component", "must be one of database, filestore, config, base");
        }
        if (trailer != null && !trailer.isEmpty() && !"sha256".equals(trailer)) {
            throw ProblemException.badField("trailer", "must be sha256 (or absent)");
        }
        boolean withTrailer = "sha256".equals(trailer);
        UUID orgId = caller.orgId();
        Backup b;
        try {
            b = VertxContextSupport.subscribeAndAwait(() -> backups.get(orgId, backupId));
        } catch (ProblemException e) {
            throw e;
        } catch (Throwable e) {
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
        if (b.status != BackupStatus.completed) {
            throw ProblemException.conflict("Backup " + backupId + " is " + b.status
                    + "; only a completed backup can be downloaded");
        }
        ComponentDownloads.Opened opened = downloads.open(b, name, destinationId);
        StreamingOutput body = out -> downloads.write(opened, out, withTrailer);
        String fileName = switch (name) {
            case database -> "database.dump";
            case filestore -> "filestore.tar";
            case config -> "config.tar";
            case base -> "base.tar";
        };
        Response.ResponseBuilder r = Response.ok(body, MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header("Content-Disposition", "attachment; filename=\"" + fileName + "\"")
                .header(DESTINATION, opened.destinationId())
                .header("Cache-Control", "no-store");
        if (opened.isAssembled()) {
            r.header(LAYOUT, opened.component().layout());
        } else {
            r.header(RAW_BYTES, opened.component().rawBytes())
                    .header(STORED_SHA256, opened.component().sha256());
        }
        if (withTrailer) {
            r.header(TRAILER, "sha256;bytes=" + ComponentDownloads.TRAILER_BYTES);
        }
        return r.build();
    }
}
