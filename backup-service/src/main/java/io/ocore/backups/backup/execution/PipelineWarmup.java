package io.ocore.backups.backup.execution;

import io.ocore.backups.backup.config.BackupConfig;
import io.ocore.backups.platform.backupformat.BackupKeys;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.backupformat.ComponentWriter;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.StorageFactory;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.OutputStream;
import java.util.Map;
import java.util.UUID;

/**
 * At start, on a background thread: runs the component pipeline once over a few bytes (zstd's
 * native library, Tink's streaming AEAD, the fan-out), loads the PostgreSQL driver and builds
 * an S3 client without contacting anyone, so that the first backup after a start does not pay
 * for loading them before its dump's first byte (about a second on a small machine).
 */
@ApplicationScoped
public class PipelineWarmup {

    private final EnvelopeCipher cipher;
    private final StorageFactory storage;
    private final BackupConfig config;

    public PipelineWarmup(EnvelopeCipher cipher, StorageFactory storage, BackupConfig config) {
        this.cipher = cipher;
        this.storage = storage;
        this.config = config;
    }

    void onStart(@Observes StartupEvent ev) {
        Thread.ofVirtual().name("backup-warmup").start(this::warm);
    }

    void warm() {
        long started = System.nanoTime();
        try {
            UUID id = UUID.randomUUID();
            EnvelopeCipher.StreamingKey key = BackupKeys.newKey(cipher, id);
            new ComponentWriter(config.chunkBytes(), config.queueChunks(), config.uploadStallAfter()).write(
                    out -> out.write(new byte[4096]), key.aead(), BackupKeys.associatedData(id, ComponentName.database),
                    Map.of("warmup", in -> in.transferTo(OutputStream.nullOutputStream())), null);
            Class.forName("org.postgresql.Driver");
            // building the client contacts nobody; the address is never used
            storage.open(DestinationType.of("s3_compatible"), Map.of("bucket", "warmup", "region", "us-east-1",
                    "accessKeyId", "warmup", "secretAccessKey", "warmup", "endpoint", "http://127.0.0.1:9")).close();
            Log.debugf("Backup pipeline warmed up in %d ms", (System.nanoTime() - started) / 1_000_000);
        } catch (Exception | LinkageError e) {
            Log.debugf("Backup pipeline warm-up skipped: %s", e.toString());
        }
    }
}
