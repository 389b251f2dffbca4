package io.ocore.backups.wal.segment.rest;

import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.wal.environment.EnvironmentRepository;
import io.ocore.backups.wal.segment.WalCoverage;
import io.ocore.backups.wal.segment.WalSegmentName;
import io.ocore.backups.wal.segment.WalSegmentRepository;
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

/** The PITR slider's data: which times archived WAL can recover to. */
@Path("/api/environments/{envId}/wal-coverage")
@Produces(MediaType.APPLICATION_JSON)
public class WalCoverageResource {

    private final EnvironmentRepository environments;
    private final WalSegmentRepository segments;
    private final Caller caller;

    public WalCoverageResource(EnvironmentRepository environments, WalSegmentRepository segments, Caller caller) {
        this.environments = environments;
        this.segments = segments;
        this.caller = caller;
    }

    /** Coverage of one environment. */
    public record CoverageView(UUID environmentId, boolean walEnabled, int walRetentionDays,
            List<WalCoverage.Range> ranges, List<WalCoverage.Gap> gaps, int segmentCount, Instant latestArchivedAt) {
    }

    @GET
    @RolesAllowed({Permissions.VIEW_ENVIRONMENTS, Permissions.MANAGE_ENVIRONMENTS})
    public Uni<CoverageView> coverage(@PathParam("envId") UUID envId) {
        return environments.getInOrg(caller.orgId(), envId).chain(env -> segments.ofEnvironment(envId).map(rows -> {
            var result = WalCoverage.of(rows.stream().map(s -> new WalCoverage.Segment(
                    WalSegmentName.parse(s.segmentName), s.firstCommitAt, s.lastCommitAt, s.archivedAt)).toList());
            Instant latest = rows.stream().map(s -> s.archivedAt).max(Instant::compareTo).orElse(null);
            return new CoverageView(envId, env.walEnabled, env.walRetentionDays, result.ranges(), result.gaps(),
                    rows.size(), latest);
        }));
    }
}
