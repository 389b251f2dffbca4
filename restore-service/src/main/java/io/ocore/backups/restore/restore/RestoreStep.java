package io.ocore.backups.restore.restore;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

/** One step of a restore's operation log, with its timing. */
@Entity
@Table(name = "restore_step")
@IdClass(RestoreStep.Key.class)
public class RestoreStep extends PanacheEntityBase {

    @Id
    @Column(name = "restore_id")
    public UUID restoreId;

    @Id
    public int seq;

    public String step;

    /** running, completed, failed, skipped. */
    public String status;

    public String message;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    public record Key(UUID restoreId, int seq) implements Serializable {
        public Key() {
            this(null, 0);
        }
    }
}
