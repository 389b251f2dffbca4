package io.ocore.backups.backup.backup;

import com.fasterxml.jackson.core.type.TypeReference;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One backup of an environment: its request, its execution state and where it is stored. */
@Entity
@Table(name = "backup")
public class Backup extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    @Column(name = "environment_id", nullable = false)
    public UUID environmentId;

    @Enumerated(EnumType.STRING)
    @Column(name = "backup_type", nullable = false)
    public BackupType backupType;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Trigger trigger;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public BackupStatus status;

    @Column(name = "idempotency_key")
    public String idempotencyKey;

    /** JSON array of the destination ids it is written to. */
    @Column(name = "destination_ids", nullable = false)
    public String destinationIds;

    @Column(name = "size_bytes")
    public Long sizeBytes;

    /**
     * The W3C trace context of the request or event that asked for it (V9): its run continues that
     * trace (BackupWorker; docs/operations.md "Traces"). Null: asked outside any trace.
     */
    @Column(name = "trace_parent")
    public String traceParent;

    @Column(name = "trace_state")
    public String traceState;

    /** JSON object component -> SHA-256 of its stored bytes. */
    @Column(nullable = false)
    public String checksums = "{}";

    @Column(name = "gfs_tiers", nullable = false)
    public String gfsTiers = "[]";

    @Column(name = "remote_paths", nullable = false)
    public String remotePaths = "{}";

    @Column(name = "failed_destinations", nullable = false)
    public String failedDestinations = "[]";

    /** JSON array of plain sentences: what the backup could not store as it was listed (V5). */
    @Column(nullable = false)
    public String notes = "[]";

    public String error;

    /** Whether this backup takes a PITR base (the {@code base} component; ADR 0017), decided at request. */
    @Column(name = "base_backup", nullable = false)
    public boolean baseBackup;

    @Column(name = "pitr_start_lsn")
    public String pitrStartLsn;

    @Column(name = "pitr_stop_lsn")
    public String pitrStopLsn;

    @Column(name = "pitr_timeline")
    public Integer pitrTimeline;

    @Column(name = "pitr_start_wal_file")
    public String pitrStartWalFile;

    @Column(name = "pitr_consistent_at")
    public Instant pitrConsistentAt;

    @Enumerated(EnumType.STRING)
    public Phase phase;

    @Column(name = "bytes_done", nullable = false)
    public long bytesDone;

    @Column(name = "claimed_by")
    public String claimedBy;

    /** Bumped at every claim and takeover (docs/adr/0012-job-leases.md). */
    @Column(name = "lease_generation", nullable = false)
    public long leaseGeneration;

    @Column(name = "heartbeat_at")
    public Instant heartbeatAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "completed_at")
    public Instant completedAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** The completed PITR base this backup holds, or null. */
    public io.ocore.backups.platform.events.v1.Events.PitrBase pitrBase() {
        if (pitrStartLsn == null) {
            return null;
        }
        return new io.ocore.backups.platform.events.v1.Events.PitrBase(pitrStartLsn, pitrStopLsn,
                pitrTimeline == null ? 0 : pitrTimeline, pitrStartWalFile, pitrConsistentAt);
    }

    public List<UUID> destinations() {
        return Json.read(destinationIds, new TypeReference<List<UUID>>() {
        });
    }

    public Map<String, String> checksumMap() {
        return Json.read(checksums, new TypeReference<LinkedHashMap<String, String>>() {
        });
    }

    public List<String> tiers() {
        return Json.read(gfsTiers, new TypeReference<List<String>>() {
        });
    }

    public Map<UUID, String> remotePathMap() {
        return Json.read(remotePaths, new TypeReference<LinkedHashMap<UUID, String>>() {
        });
    }

    public List<String> noteList() {
        return Json.read(notes, new TypeReference<List<String>>() {
        });
    }

    public List<FailedDestination> failedDestinationList() {
        return Json.read(failedDestinations, new TypeReference<List<FailedDestination>>() {
        });
    }
}
