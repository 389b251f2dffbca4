package io.ocore.backups.scheduler.environment;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An environment of the catalogue (owned by backup-service), as far as schedules need it. */
@Entity
@Table(name = "known_environment")
public class KnownEnvironment extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    @Column(name = "project_id")
    public UUID projectId;

    public String name;

    /** production, staging or development: picks the recommended schedule. */
    @Column(name = "environment_type", nullable = false)
    public String environmentType;

    @Column(name = "registered_at", nullable = false)
    public Instant registeredAt;
}
