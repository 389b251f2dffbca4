package io.ocore.backups.restore.restore.rest;

import io.ocore.backups.restore.restore.RestoreJob;
import io.ocore.backups.restore.restore.RestoreStep;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** A restore on the wire (API.md); {@code kind} is {@code restore} or {@code neutralize}. */
public record RestoreView(UUID id, UUID restoreId, String kind, UUID backupId, UUID sourceEnvironmentId,
        String status, String targetType, UUID targetEnvironmentId, String newEnvironmentName, Instant pitrTimestamp,
        boolean neutralize, UUID preRestoreSnapshotId, Progress progress, Instant createdAt, Instant startedAt,
        Instant completedAt, String error) {

    public record Progress(String step, int percent, long bytesDone, Long bytesTotal) {
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
                new Progress(r.progressStep, r.progressPercent, r.bytesDone, r.bytesTotal), r.createdAt, r.startedAt,
                r.completedAt, r.error);
    }
}
