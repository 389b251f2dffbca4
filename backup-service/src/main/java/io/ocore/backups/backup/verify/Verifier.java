package io.ocore.backups.backup.verify;

import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.blobs.gc.BlobLocations;
import io.ocore.backups.platform.destinations.Destinations;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.backupformat.BlockFilterInputStream;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.backupformat.ComponentReader;
import io.ocore.backups.platform.backupformat.blobs.BlobCorruptException;
import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.backupformat.blobs.BlobLayout;
import io.ocore.backups.platform.backupformat.blobs.BlobLocation;
import io.ocore.backups.platform.backupformat.blobs.BlobMissingException;
import io.ocore.backups.platform.backupformat.blobs.FilestoreAssembler;
import io.ocore.backups.platform.backupformat.blobs.FilestoreIndex;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.StorageException;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Judges one stored copy of a backup: the manifest on the destination is read and compared with
 * the catalogue, then every component is read back through the one read pipeline
 * ({@link ComponentReader}: SHA-256 of the stored bytes, AEAD decryption authenticating every
 * segment, zstd decompression) to its end. Blocking: worker threads only.
 *
 * <p>Verdicts: {@code ok}; {@code corrupt} (a checksum mismatch, a decryption or decompression
 * failure, a manifest that disagrees with the catalogue); {@code missing} (the manifest or a
 * component object is absent); {@code unreachable} (the destination, or destination-service,
 * could not be read: nothing was judged).
 *
 * <p>A filestore stored as an index of blobs (ADR 0015, {@code layout: blob-index}): the index
 * component is read as above, then every blob it names is read from the destination's packs (every
 * catalogued location, doomed ones included) and checked with {@link FilestoreAssembler#verify}
 * (GCM tag, decoding, HMAC against its id): a blob not there is {@code missing}, one that does not
 * check {@code corrupt}, a read that fails otherwise {@code unreachable}; the detail names the
 * blob and the file it belongs to.
 */
@ApplicationScoped
public class Verifier {

    public static final String OK = "ok";
    public static final String CORRUPT = "corrupt";
    public static final String MISSING = "missing";
    public static final String UNREACHABLE = "unreachable";

    private static final int BUFFER = 256 * 1024;
    private static final Pattern BLOB_ID = Pattern.compile("[0-9a-f]{64}");

    /** One destination's verdict; {@code destinationName} for events, {@code detail} plain words. */
    public record Verdict(String status, String detail, String destinationName) {
        public boolean bad() {
            return CORRUPT.equals(status) || MISSING.equals(status);
        }
    }

    /** Between components: paces the reading and lets running backups go first (the scrub). */
    public interface Pacer {
        Pacer NONE = new Pacer() {
        };

        /** Called before each component is read. */
        default void beforeComponent() throws InterruptedException {
        }

        /** Wraps the stored bytes (a rate limit). */
        default InputStream pace(InputStream stored) {
            return stored;
        }
    }

    private final Destinations destinations;
    private final EnvelopeCipher cipher;
    private final BlobLocations blobLocations;

    public Verifier(Destinations destinations, EnvelopeCipher cipher, BlobLocations blobLocations) {
        this.destinations = destinations;
        this.cipher = cipher;
        this.blobLocations = blobLocations;
    }

    /** Judges the copy of {@code b} on {@code destinationId}. */
    public Verdict judge(Backup b, UUID destinationId, Pacer pacer) throws InterruptedException {
        Destinations.Opened d = destinations.open(b.orgId, destinationId);
        if (!d.ok()) {
            return new Verdict(UNREACHABLE, "the destination could not be opened: " + d.failure(), d.name());
        }
        try (BackupStorage storage = d.storage()) {
            return judge(b, destinationId, storage, pacer, d.name());
        } catch (RuntimeException e) {
            Log.warnf("Verification of backup %s on destination %s stopped: %s", b.id, destinationId, e.toString());
            return new Verdict(UNREACHABLE, "the destination could not be read: " + e.getMessage(), d.name());
        }
    }

    private Verdict judge(Backup b, UUID destinationId, BackupStorage storage, Pacer pacer, String name)
            throws InterruptedException {
        String manifestKey = BackupLayout.manifestKey(b.orgId, b.environmentId, b.id);
        byte[] manifestBytes;
        try (InputStream m = storage.get(manifestKey)) {
            manifestBytes = m.readAllBytes();
        } catch (StorageException e) {
            return storageFailure(e, BackupLayout.MANIFEST, name);
        } catch (IOException e) {
            return new Verdict(UNREACHABLE, "reading " + BackupLayout.MANIFEST + " failed: " + e.getMessage(), name);
        }
        BackupManifest manifest;
        try {
            manifest = BackupManifest.fromJson(manifestBytes);
        } catch (IllegalArgumentException e) {
            return new Verdict(CORRUPT, BackupLayout.MANIFEST + " is unreadable: " + e.getMessage(), name);
        }
        String disagreement = disagreement(b, manifest);
        if (disagreement != null) {
            return new Verdict(CORRUPT, BackupLayout.MANIFEST + " disagrees with the catalogue: " + disagreement, name);
        }
        long blobs = -1;
        for (BackupManifest.Component c : manifest.components()) {
            pacer.beforeComponent();
            ByteArrayOutputStream index = c.isBlobIndex() ? new ByteArrayOutputStream() : null;
            Verdict v = component(storage, manifest, c, pacer, name, index);
            if (v != null) {
                return v;
            }
            if (index != null) {
                pacer.beforeComponent();
                BlobsChecked checked = blobs(b, destinationId, storage, manifest, index.toByteArray(), pacer, name);
                if (checked.verdict() != null) {
                    return checked.verdict();
                }
                blobs = checked.blobs();
            }
        }
        return new Verdict(OK, manifest.components().size() + " component(s) read back, checksums, decryption and "
                + "decompression verified" + (blobs >= 0 ? "; " + blobs + " filestore blob(s) read and checked" : ""),
                name);
    }

    /** What differs between the manifest and the catalogue row, or null when they agree. */
    static String disagreement(Backup b, BackupManifest manifest) {
        if (!b.id.equals(manifest.backupId())) {
            return "it names backup " + manifest.backupId();
        }
        if (!Objects.equals(b.environmentId, manifest.environmentId())) {
            return "it names environment " + manifest.environmentId();
        }
        Map<String, String> recorded = new LinkedHashMap<>();
        b.checksumMap().forEach((k, v) -> {
            if (v != null) {
                recorded.put(k, v);
            }
        });
        Map<String, BackupManifest.Component> listed = new LinkedHashMap<>();
        for (BackupManifest.Component c : manifest.components()) {
            listed.put(c.name(), c);
        }
        if (!recorded.keySet().equals(listed.keySet())) {
            return "it lists components " + new TreeSet<>(listed.keySet()) + ", the catalogue "
                    + new TreeSet<>(recorded.keySet());
        }
        long total = 0;
        for (BackupManifest.Component c : manifest.components()) {
            if (!recorded.get(c.name()).equalsIgnoreCase(c.sha256())) {
                return "component " + c.name() + " has SHA-256 " + c.sha256() + " there, the catalogue records "
                        + recorded.get(c.name());
            }
            ComponentName parsed;
            try {
                parsed = ComponentName.of(c.name());
            } catch (IllegalArgumentException e) {
                return "it lists an unknown component " + c.name();
            }
            if (c.isBlobIndex() && parsed != ComponentName.filestore) {
                return "component " + c.name() + " has the blob-index layout, which only the filestore can have";
            }
            String expectedKey = c.isBlobIndex()
                    ? BackupLayout.backupDir(b.orgId, b.environmentId, b.id) + BlobLayout.FILESTORE_INDEX
                    : BackupLayout.componentKey(b.orgId, b.environmentId, b.id, parsed);
            if (!expectedKey.equals(c.objectKey())) {
                return "component " + c.name() + " is said to be at " + c.objectKey() + ", not " + expectedKey;
            }
            total += c.sizeBytes();
        }
        boolean blobIndex = manifest.components().stream().anyMatch(BackupManifest.Component::isBlobIndex);
        if (blobIndex) {
            // the catalogue adds the pack bytes this backup uploaded, which the manifest does not list
            if (b.sizeBytes != null && b.sizeBytes < total) {
                return "its components total " + total + " stored bytes, more than the catalogue's " + b.sizeBytes;
            }
        } else if (b.sizeBytes != null && b.sizeBytes != total) {
            return "its components total " + total + " stored bytes, the catalogue records " + b.sizeBytes;
        }
        return null;
    }

    /** Reads one component to its end; null when it verified. */
    private Verdict component(BackupStorage storage, BackupManifest manifest, BackupManifest.Component c, Pacer pacer,
            String name, ByteArrayOutputStream keep) {
        ComponentName cn = ComponentName.of(c.name());
        InputStream raw;
        try {
            raw = storage.get(c.objectKey());
        } catch (StorageException e) {
            return storageFailure(e, "component " + c.name() + " (" + cn.fileName() + ")", name);
        }
        Source source = new Source(pacer.pace(raw));
        long plain = 0;
        try (InputStream in = ComponentReader.open(source, cipher, manifest, cn)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) >= 0) {
                plain += n;
                if (keep != null) {
                    keep.write(buf, 0, n);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (source.failure != null) {
                return new Verdict(UNREACHABLE, "reading component " + c.name() + " failed after " + source.count
                        + " bytes: " + source.failure.getMessage(), name);
            }
            long failedAt = source.count;
            // Name a checksum mismatch as such: hash the rest of the stored bytes.
            String actual = source.drainAndHash();
            if (source.failure != null) {
                return new Verdict(UNREACHABLE, "reading component " + c.name() + " failed after " + source.count
                        + " bytes: " + source.failure.getMessage(), name);
            }
            StringBuilder detail = new StringBuilder("component ").append(c.name()).append(": ");
            if (!actual.equalsIgnoreCase(c.sha256())) {
                detail.append("checksum mismatch (the stored bytes hash to ").append(actual)
                        .append(", the catalogue records ").append(c.sha256()).append("); ");
            }
            if (!actual.equalsIgnoreCase(c.sha256())) {
                detail.append("decryption failed reading the stored bytes up to offset ").append(failedAt);
            } else {
                detail.append(readFailure(e)).append(" reading the stored bytes up to offset ").append(failedAt);
            }
            return new Verdict(CORRUPT, detail.toString(), name);
        } finally {
            source.closeStored();
        }
        if (source.count != c.sizeBytes()) {
            return new Verdict(CORRUPT, "component " + c.name() + ": " + source.count
                    + " stored bytes, the manifest records " + c.sizeBytes(), name);
        }
        if (plain != c.rawBytes()) {
            return new Verdict(CORRUPT, "component " + c.name() + ": decompressed to " + plain
                    + " bytes, the manifest records " + c.rawBytes(), name);
        }
        return null;
    }

    private record BlobsChecked(Verdict verdict, long blobs) {
    }

    /** Reads and checks every blob a verified filestore index names on this destination. */
    private BlobsChecked blobs(Backup b, UUID destinationId, BackupStorage storage, BackupManifest manifest,
            byte[] index, Pacer pacer, String name) {
        if (manifest.blobStore() == null || manifest.blobStore().sealedKey() == null) {
            return new BlobsChecked(new Verdict(CORRUPT, BackupLayout.MANIFEST + " has a blob-index filestore but no "
                    + "blob-store key", name), 0);
        }
        BlobKeys keys;
        try {
            keys = BlobKeys.unseal(cipher, b.environmentId, manifest.blobStore().sealedKey());
        } catch (RuntimeException e) {
            return new BlobsChecked(new Verdict(CORRUPT, "the blob-store key in " + BackupLayout.MANIFEST
                    + " does not open with the master key", name), 0);
        }
        FilestoreIndex.Contents contents;
        try {
            contents = FilestoreIndex.read(new ByteArrayInputStream(index));
        } catch (IOException | RuntimeException e) {
            return new BlobsChecked(new Verdict(CORRUPT, "component filestore: the index is unreadable ("
                    + e.getMessage() + ")", name), 0);
        }
        Map<String, BlobLocation> where;
        try {
            where = blobLocations.all(destinationId, b.environmentId);
        } catch (RuntimeException e) {
            return new BlobsChecked(new Verdict(UNREACHABLE, "the blob catalogue could not be read: "
                    + e.getMessage(), name), 0);
        }
        FilestoreAssembler assembler = new FilestoreAssembler(keys, b.orgId, b.environmentId,
                new PacedStorage(storage, pacer), where::get);
        try {
            return new BlobsChecked(null, assembler.verify(contents.entries(), p -> {
            }).blobs());
        } catch (BlobMissingException e) {
            return new BlobsChecked(new Verdict(MISSING, blobDetail(e, contents), name), 0);
        } catch (BlobCorruptException e) {
            return new BlobsChecked(new Verdict(CORRUPT, blobDetail(e, contents), name), 0);
        } catch (IOException e) {
            return new BlobsChecked(new Verdict(UNREACHABLE, blobDetail(e, contents), name), 0);
        } catch (io.ocore.backups.platform.storage.StorageException e) {
            String verdict = e.kind() == io.ocore.backups.platform.storage.StorageException.Kind.NOT_FOUND
                    ? MISSING : UNREACHABLE;
            return new BlobsChecked(new Verdict(verdict, blobDetail(e, contents), name), 0);
        }
    }

    /** "filestore blob <id> of file <path>: <what>" (the blob and its file found from the failure's words). */
    static String blobDetail(Exception e, FilestoreIndex.Contents contents) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Matcher m = BLOB_ID.matcher(message);
        if (m.find()) {
            String blob = m.group();
            for (FilestoreIndex.Entry entry : contents.entries()) {
                if (entry.blobs().contains(blob)) {
                    return message.contains(entry.path()) ? "filestore: " + message
                            : "filestore blob " + blob + " of file " + entry.path() + ": " + message;
                }
            }
            return "filestore blob " + blob + ": " + message;
        }
        return "filestore blobs: " + message;
    }

    private static String readFailure(Throwable e) {
        if (e instanceof io.ocore.backups.platform.backupformat.ChecksumMismatchException) {
            return "read to its end, its SHA-256 did not match";
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return "decryption or decompression failed (" + m + ")";
    }

    private static Verdict storageFailure(StorageException e, String what, String name) {
        if (e.kind() == StorageException.Kind.NOT_FOUND) {
            return new Verdict(MISSING, what + " is absent", name);
        }
        if (e.kind() == StorageException.Kind.CONTAINER_MISSING) {
            return new Verdict(MISSING, "the destination's bucket or folder is gone (" + e.getMessage() + ")", name);
        }
        return new Verdict(UNREACHABLE, "reading " + what + " failed: " + e.getMessage(), name);
    }

    /**
     * The stored bytes as read: counted, hashed, and a failure of the destination itself (as
     * opposed to what the decryptor or decompressor makes of the bytes) remembered.
     */
    private static final class Source extends BlockFilterInputStream {
        private final MessageDigest digest;
        long count;
        Exception failure;

        Source(InputStream in) {
            super(in);
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                failure = e;
                throw e;
            }
            if (n > 0) {
                digest.update(b, off, n);
                count += n;
            }
            return n;
        }

        /** The readers' close leaves the stored stream open: a failure may still need its rest. */
        @Override
        public void close() {
        }

        void closeStored() {
            try {
                in.close();
            } catch (IOException | RuntimeException ignored) {
                // best effort
            }
        }

        /** Reads what is left (after a failure downstream) and answers the hex SHA-256 of all. */
        String drainAndHash() {
            byte[] buf = new byte[BUFFER];
            try {
                while (read(buf, 0, buf.length) >= 0) {
                    // hashing
                }
            } catch (IOException | RuntimeException e) {
                // recorded in failure
            }
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
