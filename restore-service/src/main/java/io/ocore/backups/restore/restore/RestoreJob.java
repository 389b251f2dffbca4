package io.ocore.backups.restore.restore;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One restore of a backup onto a target environment. */
@Entity
@Table(name = "restore_job")
public class RestoreJob extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    /** restore or neutralize (a neutralization alone, no backup). */
    @Column(nullable = false)
    public String kind = "restore";

    @Column(name = "backup_id")
    public UUID backupId;

    @Column(name = "source_environment_id", nullable = false)
    public UUID sourceEnvironmentId;

    /** same, other or new. */
    @Column(name = "target_type", nullable = false)
    public String targetType;

    @Column(name = "target_environment_id")
    public UUID targetEnvironmentId;

    @Column(name = "new_environment_name")
    public String newEnvironmentName;

    @Column(name = "pitr_timestamp")
    public Instant pitrTimestamp;

    public boolean neutralize;

    /** pending, in_progress, completed, failed. */
    @Column(nullable = false)
    public String status;

    @Column(name = "pre_restore_snapshot_id")
    public UUID preRestoreSnapshotId;

    @Column(name = "progress_step")
    public String progressStep;

    @Column(name = "progress_percent")
    public int progressPercent;

    @Column(name = "bytes_done")
    public long bytesDone;

    @Column(name = "bytes_total")
    public Long bytesTotal;

    /** A PITR restore's WAL replay: its start, the end of the WAL it can replay, the last location replayed. */
    @Column(name = "replay_start_lsn")
    public String replayStartLsn;

    @Column(name = "replay_end_lsn")
    public String replayEndLsn;

    @Column(name = "replay_lsn")
    public String replayLsn;

    public String error;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "completed_at")
    public Instant completedAt;

    @Column(name = "claimed_by")
    public String claimedBy;

    /** Bumped at every claim and takeover (docs/adr/0012-job-leases.md). */
    @Column(name = "lease_generation", nullable = false)
    public long leaseGeneration;

    @Column(name = "heartbeat_at")
    public Instant heartbeatAt;

    /** The swap journal: null or preparing, swapping, swapped (docs/adr/0009-restore-swap.md). */
    @Column(name = "swap_state")
    public String swapState;

    /** JSON {@link io.ocore.backups.restore.execution.Work}: server, database and directory names. */
    public String work;

    @Column(name = "cleanup_pending")
    public boolean cleanupPending;

    /**
     * JSON array of the store_fname values the restored database references and its restored
     * filestore lacks (sorted, at most 1000); null: not checked (no filestore restored).
     */
    @Column(name = "missing_attachments")
    public String missingAttachments;

    /** How many referenced attachments were missing in all; null: not checked. */
    @Column(name = "missing_attachment_count")
    public Integer missingAttachmentCount;
}
