package io.ocore.backups.wal.segment;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

/** One archived WAL segment of an environment. */
@Entity
@Table(name = "wal_segment")
@IdClass(WalSegment.Key.class)
public class WalSegment extends PanacheEntityBase {

    @Id
    @Column(name = "environment_id")
    public UUID environmentId;

    @Id
    @Column(name = "segment_name")
    public String segmentName;

    public int timeline;

    @Column(name = "segment_no")
    public long segmentNo;

    @Column(name = "size_bytes")
    public long sizeBytes;

    public String sha256;

    /** The first commit timestamp inside the segment; null when it holds none. */
    @Column(name = "first_commit_at")
    public Instant firstCommitAt;

    @Column(name = "last_commit_at")
    public Instant lastCommitAt;

    @Column(name = "archived_at")
    public Instant archivedAt;

    public record Key(UUID environmentId, String segmentName) implements Serializable {
        public Key() {
            this(null, null);
        }
    }
}
