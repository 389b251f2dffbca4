package io.ocore.backups.wal.base;

import io.ocore.backups.platform.walformat.Lsn;
import io.ocore.backups.platform.walformat.WalFileName;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.wal.coverage.WalCatalogue;
import io.ocore.backups.wal.coverage.WalCoverage;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What a PITR base can recover to: from its {@code consistentAt} to the last commit of the
 * unbroken WAL of its timeline from its start segment onward. Until every segment from the start
 * segment to the one holding its stop LSN is archived, the base cannot be recovered at all: 409.
 */
@ApplicationScoped
public class PitrRanges {

    /** A base as recorded from BackupCompleted.pitrBase. */
    public record Base(UUID backupId, UUID orgId, UUID environmentId, String startLsn, String stopLsn, int timeline,
            String startWalFile, Instant consistentAt, Instant completedAt) {
    }

    public record Range(UUID backupId, UUID environmentId, Instant from, Instant to, int timeline, String startSegment,
            String endSegment) {
    }

    private final Pool pool;
    private final WalCatalogue catalogue;

    public PitrRanges(Pool pool, WalCatalogue catalogue) {
        this.pool = pool;
        this.catalogue = catalogue;
    }

    /** The base of a backup of {@code orgId}, or 404 (no base, or another organisation's). */
    public Uni<Base> base(UUID orgId, UUID backupId) {
        return pool.preparedQuery("select * from pitr_base where backup_id = $1 and org_id = $2")
                .execute(Tuple.of(backupId, orgId)).map(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("PITR base of backup", backupId);
                    }
                    return base(rows.iterator().next());
                });
    }

    static Base base(Row r) {
        return new Base(r.getUUID("backup_id"), r.getUUID("org_id"), r.getUUID("environment_id"),
                r.getString("start_lsn"), r.getString("stop_lsn"), r.getInteger("timeline"),
                r.getString("start_wal_file"), WalCatalogue.instant(r, "consistent_at"),
                WalCatalogue.instant(r, "completed_at"));
    }

    public Uni<Range> range(UUID orgId, UUID backupId) {
        return base(orgId, backupId).chain(b -> catalogue.files(b.environmentId()).map(files -> range(b, files)));
    }

    /** The range of {@code base} over an environment's catalogue; 409 while its own WAL is incomplete. */
    public static Range range(Base base, List<WalCoverage.File> files) {
        long size = WalFileName.DEFAULT_SEGMENT_SIZE;
        long start = WalFileName.parse(base.startWalFile()).segmentNo();
        long stop = Lsn.parse(base.stopLsn()).value();
        // the segment holding the stop LSN's last byte (an LSN on a boundary ends the previous segment)
        long stopSegment = Math.max(start, (stop - 1) / size);
        TreeMap<Long, WalCoverage.File> segments = new TreeMap<>();
        for (WalCoverage.File f : files) {
            if (f.timeline() == base.timeline() && f.segmentNo() != null
                    && ("segment".equals(f.kind()) || "partial".equals(f.kind()))) {
                segments.merge(f.segmentNo(), f, (a, b) -> "segment".equals(a.kind()) ? a : b);
            }
        }
        long n = start;
        Instant last = null;
        while (segments.containsKey(n)) {
            Instant t = segments.get(n).lastCommitAt();
            if (t != null && (last == null || t.isAfter(last))) {
                last = t;
            }
            n++;
        }
        if (n - 1 < stopSegment) {
            throw ProblemException.conflict("The WAL this backup needs to be recovered is not all archived yet: "
                    + "segment " + WalFileName.segmentName(base.timeline(), n, size) + " is missing (the base needs "
                    + WalFileName.segmentName(base.timeline(), start, size) + " to "
                    + WalFileName.segmentName(base.timeline(), stopSegment, size) + ")");
        }
        // never before the consistency point: a base of an idle server reaches that point only
        Instant to = last == null || last.isBefore(base.consistentAt()) ? base.consistentAt() : last;
        return new Range(base.backupId(), base.environmentId(), base.consistentAt(), to, base.timeline(),
                WalFileName.segmentName(base.timeline(), start, size),
                WalFileName.segmentName(base.timeline(), n - 1, size));
    }
}
