package io.ocore.backups.alert.webhook;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An organisation's endpoint that receives alert notifications, signed with its own secret. */
@Entity
@Table(name = "webhook")
public class Webhook extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    @Column(nullable = false)
    public String url;

    @Column(name = "secret_sealed", nullable = false)
    public String secretSealed;

    public boolean enabled;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
