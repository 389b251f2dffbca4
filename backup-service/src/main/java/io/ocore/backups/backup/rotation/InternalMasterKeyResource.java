package io.ocore.backups.backup.rotation;

import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Service-to-service only (never routed by the gateway): the operator's re-wrap after a master
 * key rotation (bin/stack rotate-master-key, docs/operations.md).
 */
@Path("/internal/admin")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Permissions.INTERNAL_SERVICE)
public class InternalMasterKeyResource {

    private final MasterKeyRewrap rewrap;
    private final Caller caller;

    public InternalMasterKeyResource(MasterKeyRewrap rewrap, Caller caller) {
        this.rewrap = rewrap;
        this.caller = caller;
    }

    /**
     * Re-wraps every environment password and every backup copy's data key under the active
     * master key; {@code remaining} 0 means nothing here needs a previous key any more.
     */
    @POST
    @Path("/rewrap")
    @Blocking
    @Consumes(MediaType.WILDCARD)
    public MasterKeyRewrap.Report rewrap() {
        Log.infof("internal: %s started re-wrapping environment passwords and backup data keys", caller.subject());
        MasterKeyRewrap.Report r = rewrap.rewrapAll();
        Log.infof("internal: re-wrapped under master key %s: %d, still under an older key: %d, failed: %d",
                r.activeMasterKeyId(), r.rewrapped(), r.remaining(), r.failed());
        return r;
    }
}
