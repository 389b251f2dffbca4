package io.ocore.backups.scheduler.schedule;

import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;

/** An environment's backup schedule and GFS retention; one per environment. */
@Entity
@Table(name = "backup_schedule")
public class BackupSchedule extends PanacheEntityBase {

    @Id
    @Column(name = "environment_id")
    public UUID environmentId;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    public boolean enabled;

    /** Wire spelling of a {@link Frequency}. */
    @Column(name = "db_frequency", nullable = false)
    public String dbFrequency;

    @Column(name = "full_frequency", nullable = false)
    public String fullFrequency;

    @Column(name = "retain_hourly")
    public int retainHourly;

    @Column(name = "retain_daily")
    public int retainDaily;

    @Column(name = "retain_weekly")
    public int retainWeekly;

    @Column(name = "retain_monthly")
    public int retainMonthly;

    @Column(name = "wal_enabled")
    public boolean walEnabled;

    @Column(name = "wal_retention_days")
    public int walRetentionDays;

    @Convert(converter = UuidListConverter.class)
    @Column(name = "destination_ids", nullable = false)
    public List<UUID> destinationIds;

    /** IANA zone of the slots and GFS periods. */
    @Column(nullable = false)
    public String timezone;

    @Column(name = "next_db_at")
    public Instant nextDbAt;

    @Column(name = "next_full_at")
    public Instant nextFullAt;

    @Column(name = "retention_since", nullable = false)
    public Instant retentionSince;

    @Column(name = "enabled_since")
    public Instant enabledSince;

    @Column(name = "last_db_success_at")
    public Instant lastDbSuccessAt;

    @Column(name = "last_full_success_at")
    public Instant lastFullSuccessAt;

    @Column(name = "db_overdue_at")
    public Instant dbOverdueAt;

    @Column(name = "full_overdue_at")
    public Instant fullOverdueAt;

    @Column(name = "db_overdue")
    public boolean dbOverdue;

    @Column(name = "full_overdue")
    public boolean fullOverdue;

    @Column(name = "warned_tiers", nullable = false)
    public String warnedTiers = "";

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public Frequency db() {
        return Frequency.ofWire(dbFrequency).orElseThrow();
    }

    public Frequency full() {
        return Frequency.ofWire(fullFrequency).orElseThrow();
    }

    public ZoneId zone() {
        return ZoneId.of(timezone);
    }

    /**
     * What BackupScheduleChanged says of this schedule: the one shape of the event and of the
     * internal answer (InternalScheduleResource).
     */
    public BackupScheduleChanged announced() {
        return new BackupScheduleChanged(orgId, environmentId, enabled, walEnabled, walRetentionDays,
                destinationIds == null ? List.of() : List.copyOf(destinationIds));
    }

    /** How long WAL is kept, or null when WAL archiving is off. */
    public Duration walRetention() {
        return walEnabled ? Duration.ofDays(walRetentionDays) : null;
    }

    /** Recomputes when each kind becomes overdue: last success (or enabling) + twice its frequency. */
    public void refreshOverdueTimes() {
        if (!enabled || enabledSince == null) {
            dbOverdueAt = null;
            fullOverdueAt = null;
            return;
        }
        // A full backup contains the database: it counts as a db success too.
        dbOverdueAt = latest(enabledSince, latest(lastDbSuccessAt, lastFullSuccessAt)).plus(db().period().multipliedBy(2));
        fullOverdueAt = latest(enabledSince, lastFullSuccessAt).plus(full().period().multipliedBy(2));
    }

    public static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }
}
