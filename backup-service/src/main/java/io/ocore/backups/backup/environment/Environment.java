package io.ocore.backups.backup.environment;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One Odoo instance of the catalogue: its database, filestore and odoo.conf. */
@Entity
@Table(name = "environment")
public class Environment extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    @Column(name = "project_id", nullable = false)
    public UUID projectId;

    @Column(nullable = false)
    public String name;

    @Enumerated(EnumType.STRING)
    @Column(name = "environment_type", nullable = false)
    public EnvironmentType environmentType;

    @Column(name = "db_host", nullable = false)
    public String dbHost;

    @Column(name = "db_port", nullable = false)
    public int dbPort;

    @Column(name = "db_name", nullable = false)
    public String dbName;

    @Column(name = "db_user", nullable = false)
    public String dbUser;

    /** Sealed with the master key, context {@link #passwordContext(UUID)}. */
    @Column(name = "db_password_sealed", nullable = false)
    public String dbPasswordSealed;

    @Column(name = "filestore_path", nullable = false)
    public String filestorePath;

    @Column(name = "config_path", nullable = false)
    public String configPath;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public static String passwordContext(UUID environmentId) {
        return "environment:" + environmentId + ":db-password";
    }
}
