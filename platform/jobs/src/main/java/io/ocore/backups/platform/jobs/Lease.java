package io.ocore.backups.platform.jobs;

import java.util.Objects;
import java.util.UUID;

/**
 * A claim on one job row: its owner (the node that claimed or took it over) and its generation,
 * bumped at every claim and every takeover (docs/adr/0012-job-leases.md). Every write of a running
 * job is conditional on all three; a write that finds another owner or generation means the lease
 * is lost.
 */
public record Lease(UUID id, String owner, long generation) {

    public Lease {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
    }

    /** Whether a row's {@code claimed_by} and {@code lease_generation} are still this lease's. */
    public boolean heldBy(String claimedBy, Long leaseGeneration) {
        return owner.equals(claimedBy) && leaseGeneration != null && leaseGeneration == generation;
    }
}
