package io.ocore.backups.backup.rotation;

import com.fasterxml.jackson.core.type.TypeReference;
import io.ocore.backups.backup.backup.Json;
import io.ocore.backups.backup.environment.Environment;
import io.ocore.backups.platform.destinations.Destinations;
import io.ocore.backups.platform.backupformat.BackupKeys;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.security.RewrapReport;
import io.ocore.backups.platform.storage.BackupStorage;
import io.quarkus.logging.Log;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * After a master-key rotation: re-wraps what backup-service stores under an older master key,
 * i.e. every environment's database password (a column), every environment's blob-store key
 * ({@code blob_store_key}) and every retained backup's data key and sealed blob-store key (in
 * {@code manifest.json} on each destination holding a copy). Blocking: worker threads only.
 *
 * <p>Safe to interrupt and re-run: a value is replaced only by one that was opened again with
 * the active key first (a password by compare-and-set on its row, a manifest by one put of the
 * whole file, read back afterwards); a copy that cannot be reached keeps its old manifest and is
 * reported, so the previous key is kept until a later run reaches it.
 */
@ApplicationScoped
public class MasterKeyRewrap {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int BATCH = 100;
    private static final int MAX_FAILURES_LISTED = 50;
    private static final UUID FIRST = new UUID(0, 0);

    /** One value that could not be re-wrapped: an environment's password or one copy of a backup. */
    public record Failure(String kind, UUID id, UUID destinationId, String reason) {
    }

    /**
     * The answer of {@code POST /internal/admin/rewrap}: the totals of {@link RewrapReport}, then
     * per kind, then the first failures.
     */
    public record Report(int rewrapped, int remaining, int failed, String activeMasterKeyId,
            RewrapReport environments, RewrapReport blobStoreKeys, RewrapReport backupCopies,
            List<Failure> failures) {
    }

    private final Pool pool;
    private final EnvelopeCipher cipher;
    private final Destinations destinations;

    public MasterKeyRewrap(Pool pool, EnvelopeCipher cipher, Destinations destinations) {
        this.pool = pool;
        this.cipher = cipher;
        this.destinations = destinations;
    }

    public Report rewrapAll() {
        List<Failure> failures = new ArrayList<>();
        RewrapReport environments = environments(failures);
        RewrapReport blobKeys = blobStoreKeys(failures);
        RewrapReport copies = backupCopies(failures);
        RewrapReport total = environments.plus(blobKeys).plus(copies);
        return new Report(total.rewrapped(), total.remaining(), total.failed(), cipher.activeKeyId(), environments,
                blobKeys, copies, List.copyOf(failures.subList(0, Math.min(failures.size(), MAX_FAILURES_LISTED))));
    }

    /** Environment passwords sealed by another key than the active one. */
    RewrapReport environments(List<Failure> failures) {
        String notActive = "v1:" + cipher.activeKeyId() + ":%";
        UUID after = FIRST;
        int rewrapped = 0;
        int failed = 0;
        while (true) {
            RowSet<Row> rows = pool.preparedQuery("""
                    select id, db_password_sealed from environment
                    where db_password_sealed not like $1 and id > $2 order by id limit $3""")
                    .execute(Tuple.of(notActive, after, BATCH)).await().atMost(TIMEOUT);
            for (Row row : rows) {
                UUID id = row.getUUID("id");
                String sealed = row.getString("db_password_sealed");
                after = id;
                try {
                    String fresh = cipher.rewrap(sealed, Environment.passwordContext(id));
                    // compare-and-set: a password changed meanwhile keeps its new value (sealed with the active key)
                    rewrapped += pool.preparedQuery("""
                            update environment set db_password_sealed = $1 where id = $2 and db_password_sealed = $3""")
                            .execute(Tuple.of(fresh, id, sealed)).await().atMost(TIMEOUT).rowCount();
                } catch (EnvelopeCipher.CipherException e) {
                    failed++;
                    failures.add(new Failure("environment", id, null, e.getMessage()));
                    Log.warnf("Environment %s: its database password could not be re-wrapped: %s", id, e.getMessage());
                }
            }
            if (rows.size() < BATCH) {
                break;
            }
        }
        long remaining = pool.preparedQuery("select count(*) from environment where db_password_sealed not like $1")
                .execute(Tuple.of(notActive)).await().atMost(TIMEOUT).iterator().next().getLong(0);
        return new RewrapReport(rewrapped, (int) remaining, failed, cipher.activeKeyId());
    }

    /** Environments' blob-store keys ({@code blob_store_key}) sealed by another key than the active one. */
    RewrapReport blobStoreKeys(List<Failure> failures) {
        String notActive = "v1:" + cipher.activeKeyId() + ":%";
        UUID after = FIRST;
        int rewrapped = 0;
        int failed = 0;
        while (true) {
            RowSet<Row> rows = pool.preparedQuery("""
                    select environment_id, sealed_key from blob_store_key
                    where sealed_key not like $1 and environment_id > $2 order by environment_id limit $3""")
                    .execute(Tuple.of(notActive, after, BATCH)).await().atMost(TIMEOUT);
            for (Row row : rows) {
                UUID id = row.getUUID("environment_id");
                String sealed = row.getString("sealed_key");
                after = id;
                try {
                    String fresh = cipher.rewrap(sealed, BlobKeys.context(id));
                    rewrapped += pool.preparedQuery("""
                            update blob_store_key set sealed_key = $1 where environment_id = $2 and sealed_key = $3""")
                            .execute(Tuple.of(fresh, id, sealed)).await().atMost(TIMEOUT).rowCount();
                } catch (EnvelopeCipher.CipherException e) {
                    failed++;
                    failures.add(new Failure("blobStoreKey", id, null, e.getMessage()));
                    Log.warnf("Environment %s: its blob-store key could not be re-wrapped: %s", id, e.getMessage());
                }
            }
            if (rows.size() < BATCH) {
                break;
            }
        }
        long remaining = pool.preparedQuery("select count(*) from blob_store_key where sealed_key not like $1")
                .execute(Tuple.of(notActive)).await().atMost(TIMEOUT).iterator().next().getLong(0);
        return new RewrapReport(rewrapped, (int) remaining, failed, cipher.activeKeyId());
    }

    /** Every copy ({@code remote_paths}) of every completed backup. */
    RewrapReport backupCopies(List<Failure> failures) {
        Map<String, Destinations.Opened> opened = new LinkedHashMap<>();
        UUID after = FIRST;
        int rewrapped = 0;
        int failed = 0;
        try {
            while (true) {
                RowSet<Row> rows = pool.preparedQuery("""
                        select id, org_id, environment_id, remote_paths from backup
                        where status = 'completed' and id > $1 order by id limit $2""")
                        .execute(Tuple.of(after, BATCH)).await().atMost(TIMEOUT);
                for (Row row : rows) {
                    UUID id = row.getUUID("id");
                    UUID org = row.getUUID("org_id");
                    UUID env = row.getUUID("environment_id");
                    after = id;
                    Map<UUID, String> copies = Json.read(row.getString("remote_paths"),
                            new TypeReference<LinkedHashMap<UUID, String>>() {
                            });
                    for (UUID dest : copies.keySet()) {
                        try {
                            if (rewrapCopy(org, env, id, dest, opened)) {
                                rewrapped++;
                            }
                        } catch (IOException | RuntimeException e) {
                            failed++;
                            failures.add(new Failure("backupCopy", id, dest, message(e)));
                            Log.warnf("Backup %s on destination %s: its data key could not be re-wrapped: %s", id, dest,
                                    message(e));
                        }
                    }
                }
                if (rows.size() < BATCH) {
                    break;
                }
            }
        } finally {
            opened.values().stream().filter(Destinations.Opened::ok).forEach(o -> o.storage().close());
        }
        // a copy is left under an older key exactly when it failed here
        return new RewrapReport(rewrapped, failed, failed, cipher.activeKeyId());
    }

    /** Answers whether the copy's manifest was rewritten (false: the active key already wraps it). */
    private boolean rewrapCopy(UUID org, UUID env, UUID backupId, UUID dest, Map<String, Destinations.Opened> opened)
            throws IOException {
        Destinations.Opened d = opened.computeIfAbsent(org + "/" + dest, k -> destinations.open(org, dest));
        if (!d.ok()) {
            throw new IOException("the destination could not be opened: " + d.failure());
        }
        BackupStorage storage = d.storage();
        String key = BackupLayout.manifestKey(org, env, backupId);
        byte[] current = read(storage, key);
        BackupManifest manifest = BackupManifest.fromJson(current);
        if (!backupId.equals(manifest.backupId())) {
            throw new IOException("its manifest names backup " + manifest.backupId());
        }
        BackupKeys.RewrappedManifest fresh = BackupKeys.rewrapManifest(cipher, current);
        byte[] json = rewrapBlobStoreKey(fresh.json(), env);
        if (!fresh.changed() && json == fresh.json()) {
            return false;
        }
        storage.put(key, new ByteArrayInputStream(json));
        if (!Arrays.equals(read(storage, key), json)) {
            throw new IOException("the rewritten manifest reads back differently");
        }
        return true;
    }

    /**
     * A manifest's {@code blobStore.sealedKey} re-wrapped under the active key (every other field as
     * it is); the same array when there is none or the active key already seals it.
     */
    private byte[] rewrapBlobStoreKey(byte[] manifestJson, UUID env) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode tree = json.readTree(manifestJson);
        com.fasterxml.jackson.databind.JsonNode blobStore = tree.path("blobStore");
        String sealed = blobStore.path("sealedKey").asText(null);
        if (sealed == null || sealed.startsWith("v1:" + cipher.activeKeyId() + ":")) {
            return manifestJson;
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) blobStore).put("sealedKey",
                cipher.rewrap(sealed, BlobKeys.context(env)));
        byte[] out = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree);
        BackupManifest.fromJson(out); // still a manifest this reader takes
        return out;
    }

    private static byte[] read(BackupStorage storage, String key) throws IOException {
        try (InputStream in = storage.get(key)) {
            return in.readAllBytes();
        }
    }

    private static String message(Throwable t) {
        Throwable c = t;
        while (c.getMessage() == null && c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}
