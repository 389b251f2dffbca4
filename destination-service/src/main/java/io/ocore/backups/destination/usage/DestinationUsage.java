package io.ocore.backups.destination.usage;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;
import java.util.UUID;

/** One thing that uses a destination: an environment's backup schedule or a stored backup. */
@Entity
@Table(name = "destination_usage")
@IdClass(DestinationUsage.Key.class)
public class DestinationUsage extends PanacheEntityBase {

    public static final String SCHEDULE = "schedule";
    public static final String BACKUP = "backup";

    @Id
    @Column(name = "org_id")
    public UUID orgId;

    @Id
    @Column(name = "destination_id")
    public UUID destinationId;

    /** {@link #SCHEDULE} or {@link #BACKUP}. */
    @Id
    @Column(name = "usage_kind")
    public String usageKind;

    /** The environment (schedule) or the backup (backup). */
    @Id
    @Column(name = "ref_id")
    public UUID refId;


    @Column(name = "environment_id", nullable = false)
    public UUID environmentId;

    public static class Key implements Serializable {
        public UUID orgId;
        public UUID destinationId;
        public String usageKind;
        public UUID refId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(orgId, k.orgId) && Objects.equals(destinationId, k.destinationId)
                    && Objects.equals(usageKind, k.usageKind) && Objects.equals(refId, k.refId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(orgId, destinationId, usageKind, refId);
        }
    }
}
