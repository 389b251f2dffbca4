package io.ocore.backups.restore.restore.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.platform.walformat.Lsn;
import io.ocore.backups.restore.restore.RestoreJob;
import io.ocore.backups.restore.restore.RestoreStep;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A restore on the wire (API.md); {@code kind} is {@code restore} or {@code neutralize}.
 * {@code missingAttachments}: the {@code ir_attachment.store_fname} values the restored database
 * references and its restored filestore does not hold (sorted, at most 1000; empty: none missing;
 * null: no filestore was restored, nothing checked), {@code missingAttachmentCount} their total.
 */
public record RestoreView(UUID id, UUID restoreId, String kind, UUID backupId, UUID sourceEnvironmentId,
        String status, String targetType, UUID targetEnvironmentId, String newEnvironmentName, Instant pitrTimestamp,
        boolean neutralize, UUID preRestoreSnapshotId, Progress progress, Instant createdAt, Instant startedAt,
        Instant completedAt, String error, List<String> missingAttachments, Integer missingAttachmentCount) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code replay}: a PITR restore's WAL replay, null for a restore without one (or before it starts). */
    public record Progress(String step, int percent, long bytesDone, Long bytesTotal, Replay replay) {
    }

    /**
     * Where the WAL replay started (the base's redo point), the last location it replayed (null
     * until the scratch server first says it) and the end of the WAL it can replay (the end of
     * the last WAL file fetched), with the bytes between: {@code bytesReplayed} of
     * {@code bytesToReplay}. A replay stops at the target, usually before the end.
     */
    public record Replay(String startLsn, String replayedLsn, String endLsn, long bytesReplayed, long bytesToReplay) {
        static Replay of(RestoreJob r) {
            if (r.replayStartLsn == null || r.replayEndLsn == null) {
                return null;
            }
            Lsn start = Lsn.parse(r.replayStartLsn);
            Lsn end = Lsn.parse(r.replayEndLsn);
            Lsn at = r.replayLsn == null ? null : Lsn.parse(r.replayLsn);
            return new Replay(r.replayStartLsn, r.replayLsn, r.replayEndLsn,
                    at == null ? 0 : Math.max(0, at.value() - start.value()), Math.max(0, end.value() - start.value()));
        }
    }

    /** One operation log entry. */
    public record StepView(String step, String status, String message, Instant startedAt, Instant finishedAt,
            Long durationMs) {
        static StepView of(RestoreStep s) {
            return new StepView(s.step, s.status, s.message, s.startedAt, s.finishedAt,
                    s.finishedAt == null ? null : Duration.between(s.startedAt, s.finishedAt).toMillis());
        }
    }

    static RestoreView of(RestoreJob r) {
        return new RestoreView(r.id, r.id, r.kind, r.backupId, r.sourceEnvironmentId, r.status, r.targetType,
                r.targetEnvironmentId, r.newEnvironmentName, r.pitrTimestamp, r.neutralize, r.preRestoreSnapshotId,
                new Progress(r.progressStep, r.progressPercent, r.bytesDone, r.bytesTotal, Replay.of(r)), r.createdAt, r.startedAt,
                r.completedAt, r.error, missing(r.missingAttachments), r.missingAttachmentCount);
    }

    /** The stored JSON array of missing store_fname values; null: not checked. */
    private static List<String> missing(String json) {
        if (json == null) {
            return null;
        }
        try {
            return List.of(JSON.readValue(json, String[].class));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
