package io.ocore.backups.backup.download;

import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.blobs.gc.BlobLocations;
import io.ocore.backups.platform.destinations.Destinations;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.backupformat.ComponentReader;
import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.backupformat.blobs.BlobLocation;
import io.ocore.backups.platform.backupformat.blobs.FilestoreAssembler;
import io.ocore.backups.platform.backupformat.blobs.FilestoreIndex;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.ProblemTypes;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Serves one component of a completed backup as plain bytes: read from a destination holding the
 * complete backup, its stored SHA-256 checked, decrypted with the master key (which never leaves
 * the service), decompressed. Blocking: worker threads only.
 *
 * <p>Integrity towards the client: the stream is produced with a one-buffer hold-back, so the last
 * bytes go out only once the stored checksum verified, the decryption authenticated every segment
 * and the plain length equals the manifest's {@code rawBytes}; any failure aborts the response
 * before its end. With {@code trailer=sha256} the body ends with {@link #TRAILER_BYTES} more bytes,
 * {@code OCORE-SHA256:<64 hex>\n}, the SHA-256 of the plain bytes before it.
 *
 * <p>A filestore stored as an index of blobs (ADR 0015): the index component is read whole and
 * verified first (checksum, decryption, its plain length), then the body is the standard POSIX tar
 * {@link FilestoreAssembler#writeTar} assembles from the destination's packs, every blob checked
 * (GCM tag, HMAC) before its bytes go out; any failure aborts the response before its end. The tar
 * is not a stored object: its size and SHA-256 are not known before it is made, so only the
 * trailer vouches for it ({@link Opened#assembled()}).
 */
@ApplicationScoped
public class ComponentDownloads {

    public static final String TRAILER_PREFIX = "OCORE-SHA256:";
    public static final int TRAILER_BYTES = TRAILER_PREFIX.length() + 64 + 1;
    private static final int BUFFER = 256 * 1024;

    /** An opened component, ready to be written once. */
    public record Opened(UUID destinationId, BackupManifest.Component component, InputStream plain,
            BackupStorage storage, Assembled assembled) implements AutoCloseable {
        /** Whether the body is assembled from blobs (no stored object has its size or SHA-256). */
        public boolean isAssembled() {
            return assembled != null;
        }

        @Override
        public void close() {
            try {
                if (plain != null) {
                    plain.close();
                }
            } catch (IOException ignored) {
                // best effort
            }
            try {
                storage.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    /** A blob-index filestore, its verified index read, ready to be assembled into a tar. */
    public record Assembled(FilestoreAssembler assembler, List<FilestoreIndex.Entry> entries) {
    }

    private final Destinations destinations;
    private final EnvelopeCipher cipher;
    private final BlobLocations blobLocations;

    public ComponentDownloads(Destinations destinations, EnvelopeCipher cipher, BlobLocations blobLocations) {
        this.destinations = destinations;
        this.cipher = cipher;
        this.blobLocations = blobLocations;
    }

    /**
     * Opens {@code name} of {@code b} on {@code preferred} (must hold the complete backup) or else on
     * the first destination holding it that can be read.
     */
    public Opened open(Backup b, ComponentName name, UUID preferred) {
        Map<UUID, String> holding = b.remotePathMap();
        List<UUID> candidates = new ArrayList<>();
        if (preferred != null) {
            if (!holding.containsKey(preferred)) {
                throw ProblemException.badField("destinationId", "does not hold a complete copy of backup " + b.id
                        + " (holding: " + holding.keySet() + ")");
            }
            candidates.add(preferred);
        } else {
            candidates.addAll(holding.keySet());
        }
        if (candidates.isEmpty()) {
            throw ProblemException.conflict("Backup " + b.id + " has no complete copy on any destination");
        }
        Map<UUID, String> failures = new LinkedHashMap<>();
        for (UUID id : candidates) {
            Destinations.Opened d = destinations.open(b.orgId, id);
            if (!d.ok()) {
                failures.put(id, d.failure());
                continue;
            }
            BackupStorage storage = d.storage();
            try {
                BackupManifest manifest;
                try (InputStream m = storage.get(BackupLayout.manifestKey(b.orgId, b.environmentId, b.id))) {
                    manifest = BackupManifest.fromJson(m.readAllBytes());
                }
                if (!b.id.equals(manifest.backupId())) {
                    throw new IOException("its manifest names backup " + manifest.backupId());
                }
                BackupManifest.Component c = manifest.component(name).orElse(null);
                if (c == null) {
                    closeQuietly(storage);
                    throw ProblemException.notFound("Component " + name + " of backup", b.id);
                }
                if (c.isBlobIndex()) {
                    Assembled assembled = assemble(b, id, storage, manifest, c);
                    Log.infof("Serving %s of backup %s from destination %s, assembled from its blobs", name, b.id,
                            id);
                    return new Opened(id, c, null, storage, assembled);
                }
                InputStream plain = ComponentReader.open(storage.get(c.objectKey()), cipher, manifest, name);
                Log.infof("Serving %s of backup %s from destination %s", name, b.id, id);
                return new Opened(id, c, plain, storage, null);
            } catch (ProblemException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                closeQuietly(storage);
                Log.warnf("Destination %s could not serve backup %s: %s", id, b.id, e.getMessage());
                failures.put(id, e.getMessage());
            }
        }
        throw new ProblemException(503, ProblemTypes.UNAVAILABLE, "Service Unavailable",
                "No destination could serve " + name + " of backup " + b.id + ": " + failures);
    }

    /**
     * Writes the plain bytes (and the trailer when asked) to {@code out}; throws, leaving the
     * response unfinished, when anything does not verify.
     */
    public long write(Opened o, OutputStream out, boolean trailer) throws IOException {
        if (o.isAssembled()) {
            return writeAssembled(o, out, trailer);
        }
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] held = new byte[BUFFER];
        byte[] next = new byte[BUFFER];
        int heldLen = 0;
        long total = 0;
        try (o) {
            while (true) {
                int n = o.plain().readNBytes(next, 0, next.length);
                if (n <= 0) {
                    break;
                }
                if (heldLen > 0) {
                    out.write(held, 0, heldLen);
                }
                digest.update(next, 0, n);
                total += n;
                byte[] swap = held;
                held = next;
                next = swap;
                heldLen = n;
            }
            // end reached: the stored checksum and every segment's authentication were checked
            if (total != o.component().rawBytes()) {
                throw new IOException("plain length " + total + " differs from the manifest's rawBytes "
                        + o.component().rawBytes());
            }
            if (heldLen > 0) {
                out.write(held, 0, heldLen);
            }
            if (trailer) {
                out.write((TRAILER_PREFIX + HexFormat.of().formatHex(digest.digest()) + "\n")
                        .getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            return total;
        } catch (IOException | RuntimeException e) {
            Log.errorf("Download of %s from destination %s aborted after %d bytes: %s", o.component().name(),
                    o.destinationId(), total, e.getMessage());
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    /** Reads the index component whole (its checksum, authentication and length checked) and readies the assembler. */
    private Assembled assemble(Backup b, UUID destinationId, BackupStorage storage, BackupManifest manifest,
            BackupManifest.Component c) throws IOException {
        if (manifest.blobStore() == null || manifest.blobStore().sealedKey() == null) {
            throw new IOException("its manifest has a blob-index filestore but no blob-store key");
        }
        byte[] index;
        try (InputStream in = ComponentReader.open(storage.get(c.objectKey()), cipher, manifest,
                ComponentName.filestore)) {
            index = in.readAllBytes();
        }
        if (index.length != c.rawBytes()) {
            throw new IOException("the filestore index is " + index.length + " bytes, the manifest records "
                    + c.rawBytes());
        }
        FilestoreIndex.Contents contents = FilestoreIndex.read(new ByteArrayInputStream(index));
        BlobKeys keys = BlobKeys.unseal(cipher, b.environmentId, manifest.blobStore().sealedKey());
        Map<String, BlobLocation> where = blobLocations.all(destinationId, b.environmentId);
        return new Assembled(new FilestoreAssembler(keys, b.orgId, b.environmentId, storage, where::get),
                contents.entries());
    }

    private long writeAssembled(Opened o, OutputStream out, boolean trailer) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long[] total = {0};
        OutputStream hashing = new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                digest.update(b, off, len);
                total[0] += len;
                out.write(b, off, len);
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void close() {
                // the response is the caller's
            }
        };
        try (o) {
            o.assembled().assembler().writeTar(o.assembled().entries(), hashing, n -> {
            });
            hashing.flush();
            if (trailer) {
                out.write((TRAILER_PREFIX + HexFormat.of().formatHex(digest.digest()) + "\n")
                        .getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            return total[0];
        } catch (IOException | RuntimeException e) {
            Log.errorf("Download of the assembled filestore from destination %s aborted after %d bytes: %s",
                    o.destinationId(), total[0], e.getMessage());
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    private static void closeQuietly(BackupStorage storage) {
        try {
            storage.close();
        } catch (Exception ignored) {
            // best effort
        }
    }
}
