package io.ocore.backups.backup.blobs;

import io.ocore.backups.platform.backupformat.blobs.BlobCatalogue;
import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.backupformat.blobs.BlobLocation;
import io.ocore.backups.platform.backupformat.blobs.PackIndex;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The blob stores' catalogue (ADR 0015, tables of V6__blob_store.sql), blocking: called from
 * worker threads only. The one place that reads and writes {@code blob_store_key},
 * {@code blob_pack} and {@code blob_location} for writers and readers; the collector has its own
 * transactions over the same tables.
 */
@ApplicationScoped
public class BlobStoreCatalogue {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Pool pool;
    private final EnvelopeCipher cipher;

    public BlobStoreCatalogue(Pool pool, EnvelopeCipher cipher) {
        this.pool = pool;
        this.cipher = cipher;
    }

    /** The environment's sealed blob-store key, made on first use (one per environment, whatever the race). */
    public String sealedKey(UUID orgId, UUID environmentId) {
        pool.preparedQuery("insert into blob_store_key (environment_id, org_id, sealed_key) values ($1, $2, $3) "
                + "on conflict (environment_id) do nothing")
                .execute(Tuple.of(environmentId, orgId, BlobKeys.generateSealed(cipher, environmentId)))
                .await().atMost(TIMEOUT);
        for (Row r : pool.preparedQuery("select sealed_key from blob_store_key where environment_id = $1")
                .execute(Tuple.of(environmentId)).await().atMost(TIMEOUT)) {
            return r.getString("sealed_key");
        }
        throw new IllegalStateException("No blob-store key for environment " + environmentId);
    }

    public BlobKeys keys(UUID orgId, UUID environmentId) {
        return BlobKeys.unseal(cipher, environmentId, sealedKey(orgId, environmentId));
    }

    /** Blob id -> location of every live (not doomed) blob of the environment on the destination. */
    public Map<String, BlobLocation> liveLocations(UUID destinationId, UUID environmentId) {
        Map<String, BlobLocation> out = new HashMap<>();
        for (Row r : pool.preparedQuery("select blob_id, pack_id, pack_offset, stored_length, raw_length "
                + "from blob_location where destination_id = $1 and environment_id = $2 and doomed_at is null")
                .execute(Tuple.of(destinationId, environmentId)).await().atMost(TIMEOUT)) {
            out.put(r.getString("blob_id"), new BlobLocation(r.getString("blob_id"), r.getString("pack_id"),
                    r.getLong("pack_offset"), r.getInteger("stored_length"), r.getInteger("raw_length")));
        }
        return out;
    }

    /**
     * Records a pack stored on a destination and where its blobs are. A blob already located there
     * (doomed, and uploaded again) moves to the new pack and is live again.
     */
    public void recordPack(UUID destinationId, UUID orgId, UUID environmentId, PackIndex index, long packBytes) {
        pool.withTransaction(c -> c.preparedQuery("insert into blob_pack (destination_id, environment_id, pack_id, "
                + "org_id, size_bytes, blob_count) values ($1, $2, $3, $4, $5, $6) on conflict do nothing")
                .execute(Tuple.of(destinationId, environmentId, index.packId(), orgId, packBytes, index.blobs().size()))
                .chain(() -> {
                    List<Tuple> rows = new ArrayList<>();
                    for (BlobLocation l : index.blobs()) {
                        rows.add(Tuple.tuple(List.of(destinationId, environmentId, l.blobId(), index.packId(),
                                l.offset(), l.length(), l.rawLength())));
                    }
                    if (rows.isEmpty()) {
                        return io.smallrye.mutiny.Uni.createFrom().voidItem();
                    }
                    return c.preparedQuery("insert into blob_location (destination_id, environment_id, blob_id, "
                            + "pack_id, pack_offset, stored_length, raw_length) values ($1, $2, $3, $4, $5, $6, $7) "
                            + "on conflict (destination_id, environment_id, blob_id) do update set "
                            + "pack_id = excluded.pack_id, pack_offset = excluded.pack_offset, "
                            + "stored_length = excluded.stored_length, raw_length = excluded.raw_length, "
                            + "doomed_at = null").executeBatch(rows).replaceWithVoid();
                })).await().atMost(TIMEOUT);
    }

    /**
     * The catalogue one backup's writer sees: what each destination held live when it started,
     * plus what it stores itself.
     */
    public BlobCatalogue forBackup(UUID orgId, UUID environmentId, Collection<UUID> destinationIds) {
        Map<UUID, Set<String>> held = new HashMap<>();
        for (UUID d : destinationIds) {
            held.put(d, java.util.Collections.synchronizedSet(new HashSet<>(liveLocations(d, environmentId).keySet())));
        }
        return new BlobCatalogue() {
            @Override
            public boolean holds(UUID destinationId, String blobId) {
                Set<String> s = held.get(destinationId);
                return s != null && s.contains(blobId);
            }

            @Override
            public void packStored(Set<UUID> destinations, PackIndex index, long packBytes) {
                for (UUID d : destinations) {
                    recordPack(d, orgId, environmentId, index, packBytes);
                    Set<String> s = held.get(d);
                    if (s != null) {
                        index.blobs().forEach(l -> s.add(l.blobId()));
                    }
                }
            }
        };
    }

    /** A completed blob-store backup: its id and the destinations holding it. */
    public record PreviousBackup(UUID backupId, Set<UUID> destinations) {
    }

    /**
     * The environment's newest completed blob-store full backup other than {@code except} (the
     * one with a {@code backup_blob_ref} row): the change cache of the next one.
     */
    public java.util.Optional<PreviousBackup> previousBackup(UUID environmentId, UUID except) {
        for (Row r : pool.preparedQuery("""
                select b.id, b.remote_paths from backup b join backup_blob_ref r on r.backup_id = b.id
                where b.environment_id = $1 and b.status = 'completed' and b.backup_type = 'full' and b.id <> $2
                order by b.completed_at desc limit 1""")
                .execute(Tuple.of(environmentId, except)).await().atMost(TIMEOUT)) {
            Map<UUID, String> paths = io.ocore.backups.backup.backup.Json.read(r.getString("remote_paths"),
                    new com.fasterxml.jackson.core.type.TypeReference<java.util.LinkedHashMap<UUID, String>>() {
                    });
            return java.util.Optional.of(new PreviousBackup(r.getUUID("id"),
                    new java.util.LinkedHashSet<>(paths.keySet())));
        }
        return java.util.Optional.empty();
    }

    /** The entries of a blob-store backup's filestore index, read from {@code storage} (manifest, then the component). */
    public Map<String, io.ocore.backups.platform.backupformat.blobs.FilestoreIndex.Entry> readBackupIndex(
            io.ocore.backups.platform.storage.BackupStorage storage, UUID orgId, UUID environmentId, UUID backupId)
            throws java.io.IOException {
        io.ocore.backups.platform.backupformat.BackupManifest m;
        try (java.io.InputStream in = storage.get(
                io.ocore.backups.platform.backupformat.BackupLayout.manifestKey(orgId, environmentId, backupId))) {
            m = io.ocore.backups.platform.backupformat.BackupManifest.fromJson(in.readAllBytes());
        }
        var name = io.ocore.backups.platform.backupformat.ComponentName.filestore;
        io.ocore.backups.platform.backupformat.BackupManifest.Component c = m.component(name)
                .orElseThrow(() -> new java.io.IOException("it has no filestore component"));
        if (!c.isBlobIndex() || !backupId.equals(m.backupId())) {
            throw new java.io.IOException("its filestore component is not a blob index");
        }
        try (java.io.InputStream in = io.ocore.backups.platform.backupformat.ComponentReader.open(
                storage.get(c.objectKey()), cipher, m, name)) {
            return io.ocore.backups.platform.backupformat.blobs.FilestoreIndex.read(in).byPath();
        }
    }
}
