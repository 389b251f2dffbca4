package io.ocore.backups.platform.events.v1;

import io.ocore.backups.platform.events.OcoreEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The version-1 event contract, documented for integrators in docs/events.md. Fields are only
 * ever added (with consumers ignoring unknown ones); a breaking change is a new {@code .v2}.
 */
public final class Events {

    private Events() {
    }

    private static String keyOf(UUID environmentId, UUID fallback, UUID orgId) {
        if (environmentId != null) {
            return environmentId.toString();
        }
        return (fallback != null ? fallback : orgId).toString();
    }

    /** An environment was added to the catalogue (backup-service). */
    public record EnvironmentRegistered(UUID orgId, UUID environmentId, UUID projectId, String name,
            String environmentType, Instant registeredAt) implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /** A backup should be taken (scheduler-service, or any service needing one). */
    public record BackupRequested(UUID orgId, UUID environmentId, String backupType, String trigger,
            String idempotencyKey, List<UUID> destinationIds, Instant slotTime, boolean baseBackup)
            implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /** A backup holds every component on at least one destination (backup-service). */
    public record BackupCompleted(UUID orgId, UUID environmentId, UUID backupId, String backupType,
            String trigger, String idempotencyKey, long sizeBytes, Instant startedAt, Instant completedAt,
            Map<UUID, String> remotePaths, List<UUID> failedDestinations, PitrBase pitrBase) implements OcoreEvent {
        /** A backup without a physical base (WAL off for its environment). */
        public BackupCompleted(UUID orgId, UUID environmentId, UUID backupId, String backupType, String trigger,
                String idempotencyKey, long sizeBytes, Instant startedAt, Instant completedAt,
                Map<UUID, String> remotePaths, List<UUID> failedDestinations) {
            this(orgId, environmentId, backupId, backupType, trigger, idempotencyKey, sizeBytes, startedAt,
                    completedAt, remotePaths, failedDestinations, null);
        }

        public String key() {
            return environmentId.toString();
        }
    }

    /**
     * The physical base backup (pg_basebackup) a backup of a WAL-enabled environment carries
     * (docs/adr/0017-wal-archiving.md): where its WAL starts and stops ({@code 0/5000028} form),
     * its timeline, the WAL file holding its start ({@code startWalFile}) and when it had become
     * consistent ({@code consistentAt}: no recovery target before it is reachable from this base).
     */
    public record PitrBase(String startLsn, String stopLsn, int timeline, String startWalFile, Instant consistentAt) {
    }

    /** A backup did not complete anywhere (backup-service). */
    public record BackupFailed(UUID orgId, UUID environmentId, UUID backupId, String backupType,
            String trigger, String idempotencyKey, String reason, Instant failedAt) implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /** A backup fell out of every retention tier and must be deleted (scheduler-service). */
    public record BackupExpired(UUID orgId, UUID environmentId, UUID backupId, String reason)
            implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /** A backup's objects were removed from every destination (backup-service). */
    public record BackupDeleted(UUID orgId, UUID environmentId, UUID backupId, Instant deletedAt)
            implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /**
     * A destination failed a connection test or a write (destination-service, backup-service).
     * {@code failureKind} is the storage failure classification; {@code message} is plain words
     * and never holds a secret.
     */
    public record DestinationFailed(UUID orgId, UUID destinationId, String destinationName,
            String failureKind, String message, UUID environmentId, UUID backupId, Instant failedAt)
            implements OcoreEvent {
        public String key() {
            return keyOf(environmentId, destinationId, orgId);
        }
    }

    /** A destination that had failed passes its connection test again (destination-service). */
    public record DestinationRecovered(UUID orgId, UUID destinationId, String destinationName,
            Instant recoveredAt) implements OcoreEvent {
        public String key() {
            return destinationId.toString();
        }
    }

    /** A GFS tier holds fewer backups than configured although enough time passed (scheduler-service). */
    public record RetentionWarning(UUID orgId, UUID environmentId, String tier, int expected, int actual,
            String message) implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /** No successful backup of a kind within twice its frequency: the RPO is at risk (scheduler-service). */
    public record BackupOverdue(UUID orgId, UUID environmentId, String backupType, Instant lastSuccessAt,
            Instant expectedBy) implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /** A schedule was created or changed (scheduler-service); the WAL archiver follows walEnabled. */
    public record BackupScheduleChanged(UUID orgId, UUID environmentId, boolean enabled, boolean walEnabled,
            int walRetentionDays, List<UUID> destinationIds) implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /**
     * The GFS tiers (hourly, daily, weekly, monthly) each retained scheduled backup of an
     * environment now belongs to, after a pruning (scheduler-service); backup-service records them
     * as the backups' {@code gfsTiers}. An empty list: retained, but in no tier (e.g. the WAL base).
     */
    public record BackupTiersAssigned(UUID orgId, UUID environmentId, Map<UUID, List<String>> tiersByBackup)
            implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /** A restore finished (restore-service). */
    public record RestoreCompleted(UUID orgId, UUID restoreId, UUID backupId, UUID targetEnvironmentId,
            String targetType, Instant completedAt) implements OcoreEvent {
        public String key() {
            return targetEnvironmentId.toString();
        }
    }

    /** A restore failed and left the target as it was (restore-service). */
    public record RestoreFailed(UUID orgId, UUID restoreId, UUID backupId, UUID targetEnvironmentId,
            String reason, Instant failedAt) implements OcoreEvent {
        public String key() {
            return keyOf(targetEnvironmentId, restoreId, orgId);
        }
    }

    /**
     * WAL archiving of an environment is failing (wal-archiver): no file made durable for a while,
     * or attempts failing. Published when it starts failing and again when {@code severity}
     * rises ({@code warning}, then {@code critical}); {@code segment} is the last file that failed,
     * {@code reason} plain words, never a secret.
     */
    public record WalArchiveFailed(UUID orgId, UUID environmentId, String segment, String reason, String severity,
            Instant failingSince, int failedAttempts, Instant lastSuccessAt) implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /** WAL archiving of an environment has caught up after {@link WalArchiveFailed} (wal-archiver). */
    public record WalArchiveRecovered(UUID orgId, UUID environmentId, Instant failingSince, Instant recoveredAt)
            implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /**
     * A WAL file was offered again under a name already archived with other content (wal-archiver):
     * refused with 409, the archived file kept. SHA-256 of the plaintext contents, not secrets.
     */
    public record WalConflictDetected(UUID orgId, UUID environmentId, String fileName, String archivedSha256,
            String offeredSha256, Instant detectedAt) implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /** Archived WAL has a hole: PITR cannot cross it (wal-archiver). */
    public record WalGapDetected(UUID orgId, UUID environmentId, String lastSegmentBefore,
            String firstSegmentAfter) implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /**
     * A stored copy of a backup failed its check on one destination: {@code status} is
     * {@code corrupt} (unreadable, fails decryption or its SHA-256, or disagrees with the manifest)
     * or {@code missing}; {@code detectedBy} is {@code verify}, {@code scrub} (backup-service) or
     * {@code restore} (restore-service, which skipped the copy). {@code detail} is plain words,
     * never a secret.
     */
    public record BackupCorrupted(UUID orgId, UUID environmentId, UUID backupId, UUID destinationId,
            String destinationName, String status, String detail, String detectedBy, Instant detectedAt)
            implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /**
     * A deletion (user, GFS expiry, snapshot expiry) has not removed every copy for longer than
     * {@code ocore.backup.deletion-stuck-after}; it keeps being retried (backup-service).
     */
    public record BackupDeletionStuck(UUID orgId, UUID environmentId, UUID backupId, Instant requestedAt,
            int attempts, String reason) implements OcoreEvent {
        public String key() {
            return environmentId.toString();
        }
    }

    /**
     * An event a service could not handle went to that service's dead-letter topic; the service
     * retries it later (every consuming service). {@code orgId} is the event's own when it has one.
     */
    public record EventDeadLettered(UUID orgId, String service, String topic, String eventId, String eventType,
            String reason, int attempts, Instant deadLetteredAt) implements OcoreEvent {
        public String key() {
            return orgId != null ? orgId.toString() : eventId;
        }
    }

    /** An alert was raised or updated (alert-service), for integrators who page someone. */
    public record AlertRaised(UUID orgId, UUID alertId, String alertType, String severity, String message,
            UUID environmentId, UUID destinationId, UUID backupId, int occurrences) implements OcoreEvent {
        public String key() {
            return keyOf(environmentId, destinationId, orgId);
        }
    }
}
