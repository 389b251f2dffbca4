package io.ocore.backups.wal.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import com.github.luben.zstd.ZstdIOException;
import com.github.luben.zstd.ZstdInputStream;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.ComponentWriter;
import io.ocore.backups.platform.backupformat.wal.WalObject;
import io.ocore.backups.platform.destinations.Destinations;
import io.ocore.backups.platform.events.v1.Events.WalConflictDetected;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.walformat.BackupHistory;
import io.ocore.backups.platform.walformat.InvalidWalException;
import io.ocore.backups.platform.walformat.TimelineHistory;
import io.ocore.backups.platform.walformat.WalFileName;
import io.ocore.backups.platform.walformat.WalSegmentReader;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.ProblemTypes;
import io.ocore.backups.wal.config.WalSettings;
import io.ocore.backups.wal.ingest.WalStore.WalFile;
import io.quarkus.logging.Log;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code PUT /api/wal/{envId}/{fileName}} (ADR 0017 "Ingest"): the body spooled and checked, then
 * compressed and encrypted once and stored on every destination of the environment's schedule;
 * the {@code wal_file} row commits only once every destination has acknowledged. Every outcome
 * is recorded in {@code wal_archive_health}. Blocking: worker threads only.
 */
@ApplicationScoped
public class WalIngest {

    /** The most a .history or .backup file may be (they are a few hundred bytes). */
    static final int MAX_TEXT_FILE_BYTES = 1 << 20;

    /** The answer of a PUT: 201 for a new file, 200 for one already archived with the same content. */
    public record Archived(boolean created, String fileName, String sha256, long sizeBytes, List<UUID> destinations) {
    }

    private final WalStore store;
    private final OpenDestinations destinations;
    private final EnvelopeCipher cipher;
    private final Spool spool;
    private final TransferSlots slots;
    private final WalSettings settings;
    private final Counter archived;

    public WalIngest(WalStore store, OpenDestinations destinations, EnvelopeCipher cipher, Spool spool,
            TransferSlots slots, WalSettings settings, MeterRegistry registry) {
        this.store = store;
        this.destinations = destinations;
        this.cipher = cipher;
        this.spool = spool;
        this.slots = slots;
        this.settings = settings;
        // Prometheus: ocore_wal_segments_archived_total (docs/wal.md)
        this.archived = Counter.builder("ocore.wal.segments.archived")
                .description("WAL files archived (durable on every destination of the schedule)")
                .register(registry);
    }

    /** The environment's organisation and schedule destinations (the token was checked: it exists). */
    private record Target(UUID orgId, List<UUID> destinationIds) {
    }

    /**
     * How the body of a PUT is encoded ({@code Content-Encoding}): as the file is, or as a zstd
     * stream (what ocore-wal sends when the host has the zstd command; ADR 0017 "Compression at
     * the client").
     */
    public enum Encoding {
        IDENTITY, ZSTD;

        /** The encoding a Content-Encoding header names; null for one this service does not take. */
        public static Encoding of(String contentEncoding) {
            if (contentEncoding == null || contentEncoding.isBlank()
                    || contentEncoding.trim().equalsIgnoreCase("identity")) {
                return IDENTITY;
            }
            return contentEncoding.trim().equalsIgnoreCase("zstd") ? ZSTD : null;
        }
    }

    /**
     * Spools the body as it came, reads the file it holds once (decompressing a zstd body) for its
     * SHA-256, size and checks, then stores it: an identity body compressed here, a zstd body as
     * it came (it decompressed to exactly the bytes checked), encrypted either way.
     */
    public Archived put(UUID envId, String fileName, Encoding encoding, InputStream body) {
        Target target = target(envId);
        WalFileName name;
        try {
            name = WalFileName.parse(fileName);
        } catch (IllegalArgumentException e) {
            store.recordFailure(envId, safeName(fileName), "not a WAL file name");
            throw ProblemException.badField("fileName", e.getMessage());
        }
        Path file = null;
        TransferSlots.Slot slot;
        try {
            slot = slots.acquire(name.name());
        } catch (WalUnavailable e) {
            store.recordFailure(envId, name.name(), "wal-archiver busy: no transfer slot within the wait");
            throw e;
        }
        try (slot) {
            file = spool.create();
            try (OutputStream out = Files.newOutputStream(file)) {
                Spool.copy(body, out, settings.maxFileBytes());
            } catch (Spool.TooLarge e) {
                throw tooLarge(envId, fileName);
            }
            Content content = inspect(envId, name, encoding, file);
            return store(envId, target, name, encoding, file, content);
        } catch (IOException e) {
            // the body could not be read to its end (the client went away) or the spool failed
            Log.warnf("WAL %s of environment %s: %s", fileName, envId, e.getMessage());
            store.recordFailure(envId, fileName, "the upload could not be read to its end");
            throw new WalUnavailable("The upload of " + fileName + " could not be read to its end; send it again");
        } finally {
            Spool.delete(file);
        }
    }

    private ProblemException tooLarge(UUID envId, String fileName) {
        store.recordFailure(envId, fileName, "the file is larger than " + settings.maxFileBytes() + " bytes");
        return new ProblemException(413, ProblemTypes.TOO_LARGE, "Payload Too Large",
                "A WAL file may be at most " + settings.maxFileBytes() + " bytes (ocore.wal.max-file-bytes)");
    }

    /** What one read of the file gave: its SHA-256 and size, and what the checks found in it. */
    private record Content(String sha256, long size, Instant firstCommitAt, Instant lastCommitAt, int commitCount) {
    }

    /**
     * The one read of the spooled file: decompressed when it came as zstd (at most
     * max-file-bytes out, so a small body cannot expand without bound), hashed, counted and checked.
     */
    private Content inspect(UUID envId, WalFileName name, Encoding encoding, Path file) throws IOException {
        MessageDigest digest = sha256();
        Spool.Counted plain = null;
        try (InputStream stored = Files.newInputStream(file)) {
            InputStream decoded = encoding == Encoding.ZSTD ? new ZstdInputStream(stored) : stored;
            plain = new Spool.Counted(decoded, settings.maxFileBytes(), digest);
            Instant first = null;
            Instant last = null;
            int commits = 0;
            switch (name.kind()) {
                case SEGMENT, PARTIAL -> {
                    WalSegmentReader.Summary s = WalSegmentReader.read(plain, name);
                    first = s.firstCommitAt();
                    last = s.lastCommitAt();
                    commits = s.commitCount();
                }
                case HISTORY, BACKUP -> {
                    byte[] bytes = plain.readNBytes(MAX_TEXT_FILE_BYTES + 1);
                    if (bytes.length > MAX_TEXT_FILE_BYTES) {
                        throw new InvalidWalException("a ." + name.kind().name().toLowerCase()
                                + " file is a small text file, not more than " + MAX_TEXT_FILE_BYTES + " bytes");
                    }
                    String text = new String(bytes, StandardCharsets.UTF_8);
                    if (name.kind() == WalFileName.Kind.HISTORY) {
                        TimelineHistory.parse(name, text);
                    } else {
                        BackupHistory.parse(text);
                    }
                }
                default -> throw new IllegalStateException(name.kind().name());
            }
            // whatever the checks left unread still counts (a segment reader refuses trailing bytes)
            plain.transferTo(OutputStream.nullOutputStream());
            return new Content(HexFormat.of().formatHex(digest.digest()), plain.count(), first, last, commits);
        } catch (Spool.TooLarge e) {
            throw tooLarge(envId, name.name());
        } catch (InvalidWalException e) {
            store.recordFailure(envId, name.name(), "invalid content: " + e.getMessage());
            throw new ProblemException(400, ProblemTypes.VALIDATION, "Invalid WAL file", e.getMessage());
        } catch (ZstdIOException e) {
            // the body said zstd and is not a (complete) zstd stream
            store.recordFailure(envId, name.name(), "the body is not a valid zstd stream");
            throw ProblemException.badField("Content-Encoding", "the body is not a complete zstd stream ("
                    + e.getMessage() + "); send the file as it is, or compressed with zstd");
        }
    }

    private Archived store(UUID envId, Target target, WalFileName name, Encoding encoding, Path file,
            Content content) {
        long size = content.size();
        String sha = content.sha256();
        // One upload of a name at a time (whatever the replica): the lock holds until this
        // transaction ends; the second upload then finds the first's row.
        SqlConnection conn = store.pool().getConnection().await().atMost(WalStore.TIMEOUT);
        try {
            Transaction tx = conn.begin().await().atMost(WalStore.TIMEOUT);
            try {
                conn.preparedQuery("select pg_advisory_xact_lock(hashtext($1), hashtext($2))")
                        .execute(Tuple.of(envId.toString(), name.name())).await().atMost(WalStore.TIMEOUT);
                WalFile existing = store.find(conn, envId, name.name());
                if (existing != null) {
                    tx.rollback().await().atMost(WalStore.TIMEOUT);
                    return already(envId, target, existing, sha);
                }
                List<UUID> ids = target.destinationIds();
                if (ids.isEmpty()) {
                    store.recordFailure(envId, name.name(), "no destination: the schedule names none");
                    throw new WalUnavailable("no destination: the environment's schedule names no destination to"
                            + " archive WAL to");
                }
                long stored = fanOut(envId, target, name, encoding, file, size, sha);
                WalFile row = new WalFile(envId, name.name(), kind(name), name.timeline(),
                        name.kind() == WalFileName.Kind.HISTORY ? null : name.segmentNo(), size, sha, stored,
                        content.firstCommitAt(), content.lastCommitAt(), content.commitCount(), ids, Instant.now());
                if (!store.insert(conn, row)) {
                    // cannot happen under the lock; answered as a second PUT would be
                    tx.rollback().await().atMost(WalStore.TIMEOUT);
                    return already(envId, target, store.find(envId, name.name()), sha);
                }
                tx.commit().await().atMost(WalStore.TIMEOUT);
            } catch (RuntimeException e) {
                try {
                    tx.rollback().await().atMost(WalStore.TIMEOUT);
                } catch (RuntimeException ignored) {
                    // the connection is closed below; PostgreSQL rolls back
                }
                throw e;
            }
        } finally {
            conn.close().await().atMost(WalStore.TIMEOUT);
        }
        store.recordSuccess(envId, name.name());
        archived.increment();
        return new Archived(true, name.name(), sha, size, target.destinationIds());
    }

    private Archived already(UUID envId, Target target, WalFile existing, String sha) {
        if (existing.sha256().equals(sha)) {
            store.recordSuccess(envId, existing.fileName());
            return new Archived(false, existing.fileName(), sha, existing.sizeBytes(), existing.destinationIds());
        }
        store.recordFailure(envId, existing.fileName(), "conflict: already archived with other content");
        store.publish(new WalConflictDetected(target.orgId(), envId, existing.fileName(), existing.sha256(), sha,
                Instant.now()));
        throw ProblemException.conflict(existing.fileName() + " is already archived with other content (SHA-256 "
                + existing.sha256() + "); the archived file is kept");
    }

    /**
     * Encrypts the file once (compressing it unless it came compressed) and stores it on every
     * destination; answers the stored size.
     */
    private long fanOut(UUID envId, Target target, WalFileName name, Encoding encoding, Path file, long size,
            String sha) {
        List<OpenDestinations.Lease> leases = new ArrayList<>();
        try {
            List<String> failures = new ArrayList<>();
            for (UUID id : target.destinationIds()) {
                OpenDestinations.Lease lease = destinations.borrow(target.orgId(), id);
                leases.add(lease);
                if (!lease.opened().ok()) {
                    failures.add("destination " + id + ": " + lease.opened().failure());
                }
            }
            if (failures.isEmpty()) {
                EnvelopeCipher.StreamingKey key = cipher.newStreamingKey(WalObject.keyContext(envId));
                byte[] header = WalObject.Header.of(target.orgId(), envId, name.name(), size, sha, key).toBytes();
                String objectKey = BackupLayout.walKey(target.orgId(), envId, name.timeline(), name.name());
                Map<String, ComponentWriter.Sink> sinks = new LinkedHashMap<>();
                Map<String, OpenDestinations.Lease> bySink = new LinkedHashMap<>();
                for (OpenDestinations.Lease lease : leases) {
                    Destinations.Opened o = lease.opened();
                    sinks.put(o.id().toString(), in -> o.storage().put(objectKey,
                            new SequenceInputStream(new ByteArrayInputStream(header), in)));
                    bySink.put(o.id().toString(), lease);
                }
                try {
                    byte[] ad = WalObject.associatedData(envId, name.name());
                    ComponentWriter.RawProducer spooled = out -> Files.copy(file, out);
                    ComponentWriter.Result r = encoding == Encoding.ZSTD
                            ? new ComponentWriter().writeCompressed(spooled, key.aead(), ad, sinks)
                            : new ComponentWriter().write(spooled, key.aead(), ad, sinks, null);
                    r.failures().forEach((id, t) -> {
                        failures.add("destination " + id + ": " + t.getMessage());
                        bySink.get(id).failed();
                    });
                    if (failures.isEmpty()) {
                        return header.length + r.storedBytes();
                    }
                } catch (IOException e) {
                    // reading the spooled file or compressing it failed: not durable, counted like any failure
                    failures.add("the WAL pipeline failed: " + e.getMessage());
                    leases.forEach(OpenDestinations.Lease::failed);
                }
            }
            String reason = String.join("; ", failures);
            Log.warnf("WAL %s of environment %s not archived: %s", name.name(), envId, reason);
            store.recordFailure(envId, name.name(), reason);
            throw new WalUnavailable(name.name() + " is not durable on every destination (" + reason
                    + "); PostgreSQL keeps it and tries again");
        } catch (RuntimeException e) {
            leases.forEach(OpenDestinations.Lease::failed);
            throw e;
        } finally {
            leases.forEach(OpenDestinations.Lease::close);
        }
    }

    private Target target(UUID envId) {
        var rows = store.pool().preparedQuery("select org_id, destination_ids from environment where id = $1")
                .execute(Tuple.of(envId)).await().atMost(WalStore.TIMEOUT);
        for (Row r : rows) {
            UUID[] ids = r.getArrayOfUUIDs("destination_ids");
            return new Target(r.getUUID("org_id"), ids == null ? List.of() : Arrays.asList(ids));
        }
        throw ProblemException.notFound("Environment", envId);
    }

    static String kind(WalFileName name) {
        return name.kind().name().toLowerCase();
    }

    /** A name fit for the health row: what it is, cut short. */
    private static String safeName(String fileName) {
        return fileName == null ? "" : fileName.length() > 64 ? fileName.substring(0, 64) : fileName;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
