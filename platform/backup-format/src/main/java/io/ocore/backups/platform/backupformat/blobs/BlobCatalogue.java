package io.ocore.backups.platform.backupformat.blobs;

import java.util.Set;
import java.util.UUID;

/**
 * What a {@link FilestoreWriter} asks of the service's catalogue and tells it. backup-service
 * implements it over {@code blob_location} / {@code blob_pack}; tests over a map. Thread-safe:
 * the writer calls {@link #packStored} from its upload threads.
 */
public interface BlobCatalogue {

    /** Whether {@code destinationId} holds {@code blobId} live (a doomed blob counts as absent). */
    boolean holds(UUID destinationId, String blobId);

    /**
     * A pack and its index are stored on every one of {@code destinationIds}: record where its
     * blobs are. Called before the writer returns; a failure here fails those destinations.
     */
    void packStored(Set<UUID> destinationIds, PackIndex index, long packBytes);
}
