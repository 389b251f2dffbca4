package io.ocore.backups.wal.token.rest;

import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.ProblemTypes;
import io.ocore.backups.wal.config.WalSettings;
import io.ocore.backups.wal.environment.Environment;
import io.ocore.backups.wal.environment.Environments;
import io.ocore.backups.wal.token.WalConfig;
import io.ocore.backups.wal.token.WalTokens;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;

/**
 * {@code GET /api/environments/{envId}/wal-config} and {@code POST .../rotate-token}
 * (manage:environments, own organisation): postgresql.conf settings, the archive and restore
 * commands and the environment's WAL token (made on first GET). 404 while WAL is off.
 */
@Path("/api/environments/{envId}/wal-config")
@Produces(MediaType.APPLICATION_JSON)
public class WalConfigResource {

    private final Caller caller;
    private final Environments environments;
    private final WalTokens tokens;
    private final WalSettings settings;

    public WalConfigResource(Caller caller, Environments environments, WalTokens tokens,
            WalSettings settings) {
        this.caller = caller;
        this.environments = environments;
        this.tokens = tokens;
        this.settings = settings;
    }

    @GET
    @Blocking
    @RolesAllowed(Permissions.MANAGE_ENVIRONMENTS)
    public WalConfig get(@PathParam("envId") UUID envId) {
        walEnabled(envId);
        return WalConfig.of(envId, tokens.getOrCreate(envId), settings);
    }

    @POST
    @Path("/rotate-token")
    @Blocking
    @RolesAllowed(Permissions.MANAGE_ENVIRONMENTS)
    public WalConfig rotate(@PathParam("envId") UUID envId) {
        walEnabled(envId);
        return WalConfig.of(envId, tokens.rotate(envId), settings);
    }

    private void walEnabled(UUID envId) {
        UUID orgId = caller.orgId();
        Environment env;
        try {
            env = VertxContextSupport.subscribeAndAwait(() -> environments.requireWalEnabled(orgId, envId));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (env == null) {
            throw new ProblemException(404, ProblemTypes.NOT_FOUND, "Not Found",
                    "WAL archiving is off for this environment's schedule: turn walEnabled on first");
        }
    }
}
