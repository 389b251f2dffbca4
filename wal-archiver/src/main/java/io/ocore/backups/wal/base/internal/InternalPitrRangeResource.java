package io.ocore.backups.wal.base.internal;

import io.ocore.backups.platform.security.Caller;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.walformat.WalFileName;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.QueryParams;
import io.ocore.backups.wal.base.PitrRanges;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Service-to-service only (never routed by the gateway): the pitr-range of a base backup for
 * restore-service, which checks a restore's {@code pitrTimestamp} against it. The same answers as
 * {@code GET /api/backups/{backupId}/pitr-range}: 404 without a base, 409 while its WAL is incomplete;
 * with, in addition, the {@code files} a replay of the range needs ({@code startSegment} to
 * {@code endSegment} on its timeline, and the timeline history files up to it), each with its
 * SHA-256, size and the destinations holding it, so restore-service can fetch and verify them
 * itself (ADR 0018 "Execution").
 */
@Path("/internal/backups/{backupId}/pitr-range")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Permissions.INTERNAL_SERVICE)
public class InternalPitrRangeResource {

    /** One archived file the replay needs; a {@code partial} is fetched under its segment's name. */
    public record File(String fileName, String kind, int timeline, long sizeBytes, String sha256,
            List<UUID> destinationIds) {
    }

    public record Range(UUID backupId, UUID environmentId, Instant from, Instant to, int timeline, String startSegment,
            String endSegment, List<File> files) {
    }

    private final PitrRanges ranges;
    private final Caller caller;
    private final Pool pool;

    public InternalPitrRangeResource(PitrRanges ranges, Caller caller, Pool pool) {
        this.ranges = ranges;
        this.caller = caller;
        this.pool = pool;
    }

    @GET
    public Uni<Range> range(@PathParam("backupId") UUID backupId, @QueryParam("orgId") String orgId) {
        UUID org = QueryParams.uuid("orgId", orgId);
        if (org == null) {
            throw ProblemException.badField("orgId", "is required");
        }
        Log.infof("internal: %s read the pitr-range of backup %s of org %s", caller.subject(), backupId, org);
        return ranges.range(org, backupId).chain(r -> files(r).map(files -> new Range(r.backupId(),
                r.environmentId(), r.from(), r.to(), r.timeline(), r.startSegment(), r.endSegment(), files)));
    }

    private Uni<List<File>> files(PitrRanges.Range r) {
        long start = WalFileName.parse(r.startSegment()).segmentNo();
        long end = WalFileName.parse(r.endSegment()).segmentNo();
        return pool.preparedQuery("""
                select file_name, kind, timeline, segment_no, size_bytes, sha256, destination_ids from wal_file
                where environment_id = $1 and ((timeline = $2 and kind in ('segment', 'partial')
                        and segment_no between $3 and $4) or (kind = 'history' and timeline <= $2))
                order by kind, segment_no, file_name""")
                .execute(Tuple.of(r.environmentId(), r.timeline(), start, end)).map(rows -> {
                    List<File> history = new ArrayList<>();
                    TreeMap<Long, File> segments = new TreeMap<>();
                    for (Row row : rows) {
                        File f = new File(row.getString("file_name"), row.getString("kind"),
                                row.getInteger("timeline"), row.getLong("size_bytes"), row.getString("sha256"),
                                Arrays.asList(row.getArrayOfUUIDs("destination_ids")));
                        if ("history".equals(f.kind())) {
                            history.add(f);
                        } else {
                            // a complete segment wins over a partial of the same number
                            segments.merge(row.getLong("segment_no"), f,
                                    (a, b) -> "segment".equals(a.kind()) ? a : b);
                        }
                    }
                    List<File> all = new ArrayList<>(history);
                    all.addAll(segments.values());
                    return all;
                });
    }
}
