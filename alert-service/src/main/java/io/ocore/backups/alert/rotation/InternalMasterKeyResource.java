package io.ocore.backups.alert.rotation;

import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.security.RewrapReport;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Service-to-service only (never routed by the gateway): the operator's re-wrap of webhook
 * secrets after a master key rotation (bin/stack rotate-master-key, docs/operations.md).
 */
@Path("/internal/admin")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Permissions.INTERNAL_SERVICE)
public class InternalMasterKeyResource {

    private final WebhookSecretRewrap rewrap;
    private final Caller caller;

    public InternalMasterKeyResource(WebhookSecretRewrap rewrap, Caller caller) {
        this.rewrap = rewrap;
        this.caller = caller;
    }

    /** {@code remaining} 0: no webhook secret needs a previous master key any more. */
    @POST
    @Path("/rewrap")
    @Blocking
    @Consumes(MediaType.WILDCARD)
    public RewrapReport rewrap() {
        Log.infof("internal: %s started re-wrapping the webhook secrets", caller.subject());
        RewrapReport r = rewrap.rewrapAll();
        Log.infof("internal: webhook secrets re-wrapped under master key %s: %d, still under an older key: %d,"
                + " failed: %d", r.activeMasterKeyId(), r.rewrapped(), r.remaining(), r.failed());
        return r;
    }
}
