package io.ocore.backups.scheduler.retention;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A completed backup as retention needs it (learned from BackupCompleted). */
@Entity
@Table(name = "recorded_backup")
public class RecordedBackup extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    @Column(name = "environment_id", nullable = false)
    public UUID environmentId;

    /** db or full. */
    @Column(name = "backup_type", nullable = false)
    public String backupType;

    /** manual, scheduled or pre_restore. */
    @Column(nullable = false)
    public String trigger;

    @Column(name = "completed_at", nullable = false)
    public Instant completedAt;

    /** The GFS tiers it was last assigned, comma separated. */
    @Column(name = "gfs_tiers", nullable = false)
    public String gfsTiers = "";

    /** When it was expired (by retention) or deleted (by a user); null while it lives. */
    @Column(name = "gone_at")
    public Instant goneAt;

    @Column(name = "gone_reason")
    public String goneReason;

    public RetentionRules.Live live() {
        return new RetentionRules.Live(id, backupType, trigger, completedAt);
    }
}
