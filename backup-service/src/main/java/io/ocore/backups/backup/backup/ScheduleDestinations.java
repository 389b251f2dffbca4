package io.ocore.backups.backup.backup;

import com.fasterxml.jackson.core.type.TypeReference;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The destinations of an environment's schedule and whether it archives WAL, as the last BackupScheduleChanged said. */
@Entity
@Table(name = "schedule_destinations")
public class ScheduleDestinations extends PanacheEntityBase {

    @Id
    @Column(name = "environment_id")
    public UUID environmentId;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    @Column(name = "destination_ids", nullable = false)
    public String destinationIds;

    /** Every backup of the environment carries a PITR base (ADR 0017). */
    @Column(name = "wal_enabled", nullable = false)
    public boolean walEnabled;

    /** How many days the schedule keeps its WAL: captures of the filestore are kept as long (plus the GC grace). */
    @Column(name = "wal_retention_days", nullable = false)
    public int walRetentionDays = 7;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public List<UUID> destinations() {
        return Json.read(destinationIds, new TypeReference<List<UUID>>() {
        });
    }
}
