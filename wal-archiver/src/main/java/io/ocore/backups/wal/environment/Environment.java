package io.ocore.backups.wal.environment;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * An environment as the WAL archiver knows it: its organisation, whether it archives WAL, and
 * its schedule's destinations (where WAL goes, BackupScheduleChanged).
 */
@Entity
@Table(name = "environment")
public class Environment extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    @Column(name = "project_id")
    public UUID projectId;

    public String name;

    @Column(name = "environment_type")
    public String environmentType;

    @Column(name = "wal_enabled", nullable = false)
    public boolean walEnabled;

    @Column(name = "wal_retention_days", nullable = false)
    public int walRetentionDays = 7;

    /** Whether the environment's backup schedule is enabled. */
    @Column(name = "schedule_enabled", nullable = false)
    public boolean scheduleEnabled;

    /** The schedule's destinations: every archived WAL file goes to each of them. */
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "destination_ids", nullable = false, columnDefinition = "uuid[]")
    public UUID[] destinationIds = new UUID[0];
}
