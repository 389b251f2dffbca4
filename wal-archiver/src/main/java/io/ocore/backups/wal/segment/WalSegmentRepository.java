package io.ocore.backups.wal.segment;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class WalSegmentRepository implements PanacheRepositoryBase<WalSegment, WalSegment.Key> {

    public Uni<List<WalSegment>> ofEnvironment(UUID environmentId) {
        return list("environmentId", Sort.ascending("timeline", "segmentNo"), environmentId);
    }
}
