package io.ocore.backups.destination.destination;

import io.ocore.backups.platform.storage.DestinationType;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A backup destination of one organisation. {@link #config} holds only the non-secret fields;
 * the secret ones are sealed together in {@link #secretsSealed} (see {@link DestinationCredentials}).
 */
@Entity
@Table(name = "destination")
public class Destination extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    @Column(nullable = false)
    public String name;

    @Enumerated(EnumType.STRING)
    @Column(name = "destination_type", nullable = false)
    public DestinationType destinationType;

    /** Non-secret config fields only. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public Map<String, Object> config;

    /** Names of the secret fields that are set (for masking without decrypting). */
    @Column(name = "secret_fields", nullable = false)
    public String[] secretFields;

    /** EnvelopeCipher-sealed JSON object of the secret fields, bound to {@link #id}; null when none. */
    @Column(name = "secrets_sealed")
    public String secretsSealed;

    @Column(name = "config_revision", nullable = false)
    public int configRevision;

    @Column(name = "is_verified", nullable = false)
    public boolean isVerified;

    @Column(nullable = false)
    public boolean failing;

    @Column(name = "last_tested_at")
    public Instant lastTestedAt;

    @Column(name = "last_error")
    public String lastError;

    @Column(name = "last_failure_kind")
    public String lastFailureKind;

    @Column(name = "next_check_at", nullable = false)
    public Instant nextCheckAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public boolean hasSecret(String field) {
        return secretFields != null && List.of(secretFields).contains(field);
    }
}
