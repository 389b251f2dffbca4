package io.ocore.backups.wal.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/** The operator's WAL ingest and serving settings ({@code ocore.wal.*}, docs/wal.md). */
@ConfigMapping(prefix = "ocore.wal")
public interface WalSettings {

    /**
     * The address PostgreSQL servers reach oCore at (the gateway), as written into their
     * archive and restore commands.
     */
    @WithName("public-url")
    @WithDefault("http://127.0.0.1:8080")
    String publicUrl();

    /** postgresql.conf {@code archive_timeout}: the longest a commit waits before its segment is archived. */
    @WithName("archive-timeout")
    @WithDefault("60s")
    String archiveTimeout();

    Client client();

    /** The largest WAL file a PUT may carry; more: 413. */
    @WithName("max-file-bytes")
    @WithDefault("67108864")
    long maxFileBytes();

    /** Where bodies are spooled while they are checked and stored (private files, deleted at once); default java.io.tmpdir. */
    @WithName("spool-dir")
    Optional<String> spoolDir();

    /**
     * The WAL transfers (PUT or GET) one replica runs at once; more wait (ADR 0017 "Back-pressure").
     * Each holds up to an S3 part (8 MiB) of heap and a core.
     */
    @WithName("max-concurrent-transfers")
    @WithDefault("2")
    int maxConcurrentTransfers();

    /** How long a transfer waits for a free slot before it is answered 503 with Retry-After. */
    @WithName("transfer-wait")
    @WithDefault("30s")
    Duration transferWait();

    /**
     * The longest an opened destination (its configuration, credentials and driver) serves WAL
     * transfers before it is opened again: a changed configuration is used within this time.
     */
    @WithName("destination-reuse")
    @WithDefault("60s")
    Duration destinationReuse();

    /** An opened destination no transfer used for this long is closed. */
    @WithName("destination-idle")
    @WithDefault("30s")
    Duration destinationIdle();

    /** {@code Retry-After} of a 503 (a destination failing, or the replica busy). */
    @WithName("retry-after")
    @WithDefault("10s")
    Duration retryAfter();

    /** The ocore-wal client as the PostgreSQL server runs it. */
    interface Client {
        /** How archive_command and restore_command call the client. */
        @WithDefault("ocore-wal")
        String command();

        /** The folder of the token files on the PostgreSQL server: {@code <dir>/<envId>.wal-token}. */
        @WithName("token-dir")
        @WithDefault("/etc/ocore")
        String tokenDir();
    }
}
