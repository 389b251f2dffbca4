package io.ocore.backups.wal.coverage.rest;

import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.wal.coverage.WalCatalogue;
import io.ocore.backups.wal.coverage.WalCoverage;
import io.ocore.backups.wal.environment.Environments;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The PITR slider's data: which times archived WAL can recover to (docs/wal.md). */
@Path("/api/environments/{envId}/wal-coverage")
@Produces(MediaType.APPLICATION_JSON)
public class WalCoverageResource {

    private final Environments environments;
    private final WalCatalogue catalogue;
    private final Caller caller;

    public WalCoverageResource(Environments environments, WalCatalogue catalogue, Caller caller) {
        this.environments = environments;
        this.catalogue = catalogue;
        this.caller = caller;
    }

    /** A covered range: commit times, its timeline and its first and last segment. */
    public record RangeView(Instant from, Instant to, int timeline, String startSegment, String endSegment) {
    }

    /** Missing WAL: the segments between afterSegment and beforeSegment; the commits either side. */
    public record GapView(String afterSegment, String beforeSegment, Instant from, Instant to) {
    }

    public record CoverageView(UUID environmentId, boolean walEnabled, int walRetentionDays, List<RangeView> ranges,
            List<GapView> gaps, Instant latestArchivedAt, int segmentCount) {
    }

    @GET
    @RolesAllowed({Permissions.VIEW_ENVIRONMENTS, Permissions.MANAGE_ENVIRONMENTS})
    public Uni<CoverageView> coverage(@PathParam("envId") UUID envId) {
        return environments.require(caller.orgId(), envId).chain(env -> catalogue.coverage(envId).map(c ->
                new CoverageView(envId, env.walEnabled, env.walRetentionDays,
                        c.ranges().stream().map(WalCoverageResource::view).toList(),
                        c.gaps().stream().map(g -> new GapView(g.afterSegment(), g.beforeSegment(), g.from(), g.to()))
                                .toList(),
                        c.latestArchivedAt(), c.segmentCount())));
    }

    static RangeView view(WalCoverage.Range r) {
        return new RangeView(r.from(), r.to(), r.timeline(), r.startSegment(), r.endSegment());
    }
}
