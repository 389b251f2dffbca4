package io.ocore.backups.destination.usage;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** An environment's name, from EnvironmentRegistered, so conflicts can name what uses a destination. */
@Entity
@Table(name = "known_environment")
public class KnownEnvironment extends PanacheEntityBase {

    @Id
    @Column(name = "environment_id")
    public UUID environmentId;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    @Column(nullable = false)
    public String name;
}
