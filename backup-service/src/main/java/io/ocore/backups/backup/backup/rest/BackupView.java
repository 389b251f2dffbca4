package io.ocore.backups.backup.backup.rest;

import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.backup.BackupStatus;
import io.ocore.backups.backup.backup.FailedDestination;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A backup on the wire (API.md "Backups"). {@code progress} is set while it runs; {@code notes}
 * (docs/backups.md) names what a backup could not store as it was listed, [] when nothing;
 * {@code pitrBase} the PITR base a completed backup of a WAL-enabled environment holds (ADR 0017),
 * null otherwise.
 */
public record BackupView(UUID id, UUID environmentId, String backupType, String trigger, String status,
        Long sizeBytes, Map<String, String> checksums, List<String> gfsTiers, Map<UUID, String> remotePaths,
        List<FailedDestination> failedDestinations, List<UUID> destinationIds, String error, Instant startedAt,
        Instant completedAt, Instant createdAt, Progress progress, List<String> notes,
        io.ocore.backups.platform.events.v1.Events.PitrBase pitrBase) {

    public record Progress(String phase, long bytesDone) {
    }

    public static io.ocore.backups.platform.web.Page<BackupView> page(io.ocore.backups.platform.web.Page<Backup> p) {
        return new io.ocore.backups.platform.web.Page<>(p.items().stream().map(BackupView::of).toList(), p.nextCursor());
    }

    public static BackupView of(Backup b) {
        return new BackupView(b.id, b.environmentId, b.backupType.name(), b.trigger.name(), b.status.name(),
                b.sizeBytes, b.checksumMap(), b.tiers(), b.remotePathMap(), b.failedDestinationList(),
                b.destinations(), b.error, b.startedAt, b.completedAt, b.createdAt,
                b.status == BackupStatus.in_progress
                        ? new Progress(b.phase == null ? null : b.phase.name(), b.bytesDone) : null,
                b.noteList(), b.pitrBase());
    }
}
