package io.ocore.backups.backup.verify;

import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.UUID;

/**
 * {@code GET /api/verifications/{id}}: a verification of a backup, within the caller's
 * organisation (another organisation's answers 404).
 */
@Path("/api/verifications")
@Produces(MediaType.APPLICATION_JSON)
public class VerificationResource {

    private final Verifications verifications;
    private final Caller caller;

    public VerificationResource(Verifications verifications, Caller caller) {
        this.verifications = verifications;
        this.caller = caller;
    }

    @GET
    @Path("/{verificationId}")
    @RolesAllowed({Permissions.VIEW_ENVIRONMENTS, Permissions.MANAGE_ENVIRONMENTS})
    public Uni<VerificationView> get(@PathParam("verificationId") UUID id) {
        return verifications.get(caller.orgId(), id).map(VerificationView::of);
    }

    /**
     * {@code POST /api/backups/{backupId}/verify}: starts reading every stored copy of a completed
     * backup back (checksum, decryption, decompression, manifest); answers 202 {@code {id}} at once,
     * 409 when the backup is not completed. Poll {@code GET /api/verifications/{id}}.
     */
    @Path("/api/backups/{backupId}/verify")
    @Produces(MediaType.APPLICATION_JSON)
    public static class Start {

        private final Verifications verifications;
        private final Caller caller;

        public Start(Verifications verifications, Caller caller) {
            this.verifications = verifications;
            this.caller = caller;
        }

        @POST
        @RolesAllowed(Permissions.MANAGE_ENVIRONMENTS)
        public Uni<Response> start(@PathParam("backupId") UUID backupId) {
            return verifications.start(caller.orgId(), backupId).map(v -> Response.accepted(Map.of("id", v.id()))
                    .location(java.net.URI.create("/api/verifications/" + v.id())).build());
        }
    }
}
