package io.ocore.backups.platform.backupformat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code manifest.json}: what a backup directory holds and how to read it back. Written last, so
 * its presence means every listed component is complete. Readers accept unknown fields (fields
 * are only added within a format version).
 *
 * @param formatVersion   {@link #FORMAT_VERSION}; a reader refuses a higher one
 * @param backupType      {@code db} or {@code full}
 * @param postgresVersion the source server's {@code server_version}
 * @param odooVersion     the {@code base} module's version when the database says, else null
 * @param pitrBase        where the {@link ComponentName#base} component's WAL starts and stops; null
 *                        when the backup has no base (WAL off for its environment)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupManifest(int formatVersion, UUID backupId, UUID environmentId, UUID orgId, String backupType,
        Instant createdAt, String postgresVersion, String odooVersion, List<Component> components,
        BlobStore blobStore, PitrBase pitrBase) {

    /** The newest format this reader knows; 2 when the filestore is a blob index (ADR 0015). */
    public static final int FORMAT_VERSION = 2;
    /** The format of a manifest without a blob-index component. */
    public static final int FORMAT_VERSION_TAR = 1;
    /** {@link Component#layout()} of a filestore stored as an index of blobs (ADR 0015). */
    public static final String LAYOUT_BLOB_INDEX = "blob-index";
    public static final String COMPRESSION_ZSTD = "zstd";
    public static final String ENCRYPTION_SCHEME = "tink-aes256-gcm-hkdf-1mb";

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One stored object.
     *
     * @param objectKey  key relative to the destination's prefix
     * @param sizeBytes  stored (compressed, encrypted) size
     * @param rawBytes   size before compression (the pg_dump output, the tar)
     * @param sha256     lowercase hex SHA-256 of the stored bytes: verifiable without the key
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Component(String name, String objectKey, long sizeBytes, long rawBytes, String sha256,
            String compression, Encryption encryption, String layout) {

        /** A component in the version-1 layout (one object holding the data itself). */
        public Component(String name, String objectKey, long sizeBytes, long rawBytes, String sha256,
                String compression, Encryption encryption) {
            this(name, objectKey, sizeBytes, rawBytes, sha256, compression, encryption, null);
        }

        /** Whether this is a filestore stored as an index of blobs (else the data itself, a tar or a dump). */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean isBlobIndex() {
            return LAYOUT_BLOB_INDEX.equals(layout);
        }
    }

    /**
     * The environment's blob store (ADR 0015), present when a component is a blob index.
     *
     * @param sealedKey the blob-store key, sealed by the master key with context
     *                  {@code blobstore:<environmentId>} ({@code EnvelopeCipher.seal})
     */
    public record BlobStore(String sealedKey) {
    }

    /**
     * The physical base a {@link ComponentName#base} component holds (ADR 0017), read from its own
     * {@code backup_label} and {@code backup_manifest}.
     *
     * @param startLsn     where its WAL starts ({@code 0/2000028} form): its checkpoint's redo point
     * @param stopLsn      where it became consistent: recovery must replay WAL at least this far
     * @param timeline     the timeline it was taken on
     * @param startWalFile the WAL file holding {@code startLsn} (24 hex): recovery's first file
     * @param consistentAt when pg_basebackup finished (after {@code stopLsn}): no recovery target
     *                     before it is reachable from this base
     */
    public record PitrBase(String startLsn, String stopLsn, int timeline, String startWalFile,
            Instant consistentAt) {
    }

    /** A manifest without a PITR base. */
    public BackupManifest(int formatVersion, UUID backupId, UUID environmentId, UUID orgId, String backupType,
            Instant createdAt, String postgresVersion, String odooVersion, List<Component> components,
            BlobStore blobStore) {
        this(formatVersion, backupId, environmentId, orgId, backupType, createdAt, postgresVersion, odooVersion,
                components, blobStore, null);
    }

    /** A manifest without a blob store (version 1: every component holds its data). */
    public BackupManifest(int formatVersion, UUID backupId, UUID environmentId, UUID orgId, String backupType,
            Instant createdAt, String postgresVersion, String odooVersion, List<Component> components) {
        this(formatVersion, backupId, environmentId, orgId, backupType, createdAt, postgresVersion, odooVersion,
                components, null, null);
    }

    /**
     * How a component is encrypted: Tink streaming AEAD (AES-256-GCM-HKDF, 1 MiB segments) under a
     * per-backup data key, wrapped by the master key {@code masterKeyId} with the key context
     * {@link BackupKeys#keyContext}; associated data {@link BackupKeys#associatedData}.
     */
    public record Encryption(String scheme, String masterKeyId, String wrappedKey) {
    }

    public Optional<Component> component(ComponentName name) {
        return components.stream().filter(c -> c.name().equals(name.name())).findFirst();
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static BackupManifest fromJson(byte[] json) {
        BackupManifest m;
        try {
            m = JSON.readValue(json, BackupManifest.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("Not a backup manifest: " + e.getMessage(), e);
        }
        if (m.formatVersion() > FORMAT_VERSION) {
            throw new IllegalArgumentException("Manifest format " + m.formatVersion()
                    + " is newer than this reader (" + FORMAT_VERSION + "); upgrade oCore");
        }
        return m;
    }
}
