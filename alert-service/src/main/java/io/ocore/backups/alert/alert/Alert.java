package io.ocore.backups.alert.alert;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A backup alert: one condition a person should know about, possibly seen several times. */
@Entity
@Table(name = "alert")
public class Alert extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    @Enumerated(EnumType.STRING)
    @Column(name = "alert_type", nullable = false)
    public AlertType alertType;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Severity severity;

    @Column(nullable = false)
    public String message;

    @Column(name = "environment_id")
    public UUID environmentId;

    @Column(name = "destination_id")
    public UUID destinationId;

    @Column(name = "backup_id")
    public UUID backupId;

    @Column(name = "is_read", nullable = false)
    public boolean isRead;

    @Column(nullable = false)
    public int occurrences;

    /** Set while the condition is open, so repeats update this alert instead of adding one. */
    @Column(name = "dedup_key")
    public String dedupKey;

    @Column(name = "first_seen_at", nullable = false)
    public Instant firstSeenAt;

    @Column(name = "last_seen_at", nullable = false)
    public Instant lastSeenAt;

    @Column(name = "resolved_at")
    public Instant resolvedAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
