package io.ocore.backups.backup.blobs.gc;

import io.ocore.backups.platform.backupformat.blobs.BlobLocation;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What readers of a backup (verification, download) need beyond {@code BlobStoreCatalogue}: where
 * every blob of the environment is on a destination, doomed ones included. A doomed blob is still
 * stored until the sweep deletes it, and a retained backup may name one (referenced again, not yet
 * un-doomed), so a reader uses every location; writers keep using the live ones. Blocking.
 */
@ApplicationScoped
public class BlobLocations {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Pool pool;

    public BlobLocations(Pool pool) {
        this.pool = pool;
    }

    /** Blob id -> location of every blob of the environment catalogued on the destination. */
    public Map<String, BlobLocation> all(UUID destinationId, UUID environmentId) {
        Map<String, BlobLocation> out = new HashMap<>();
        for (Row r : pool.preparedQuery("select l.blob_id, l.pack_id, l.pack_offset, l.stored_length, l.raw_length "
                + "from blob_location l join blob_pack p using (destination_id, environment_id, pack_id) "
                + "where l.destination_id = $1 and l.environment_id = $2 and p.state = 'live'")
                .execute(Tuple.of(destinationId, environmentId)).await().atMost(TIMEOUT)) {
            out.put(r.getString("blob_id"), new BlobLocation(r.getString("blob_id"), r.getString("pack_id"),
                    r.getLong("pack_offset"), r.getInteger("stored_length"), r.getInteger("raw_length")));
        }
        return out;
    }
}
