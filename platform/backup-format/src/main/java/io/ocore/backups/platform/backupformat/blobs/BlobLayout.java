package io.ocore.backups.platform.backupformat.blobs;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Where an environment's blob store lives on a destination (ADR 0015), relative to the
 * destination's own prefix: {@code <orgId>/<envId>/blobs/packs/<pp>/<packId>} and
 * {@code <orgId>/<envId>/blobs/index/<packId>.json.enc}.
 */
public final class BlobLayout {

    /** A pack is closed once it holds this many stored bytes (ADR 0015: 16 to 64 MiB). */
    public static final int PACK_TARGET_BYTES = 32 << 20;
    /** Files are cut into chunks (blobs) of at most this many bytes. */
    public static final int CHUNK_BYTES = 1 << 20;
    /** The filestore index object inside a backup's directory. */
    public static final String FILESTORE_INDEX = "filestore.index.zst.enc";

    private static final Pattern PACK_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern BLOB_ID = Pattern.compile("[0-9a-f]{64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private BlobLayout() {
    }

    /** The environment's blob store, with a trailing '/'. */
    public static String blobsDir(UUID orgId, UUID environmentId) {
        return orgId + "/" + environmentId + "/blobs/";
    }

    public static String packKey(UUID orgId, UUID environmentId, String packId) {
        return blobsDir(orgId, environmentId) + "packs/" + checkPackId(packId).substring(0, 2) + "/" + packId;
    }

    public static String packIndexKey(UUID orgId, UUID environmentId, String packId) {
        return blobsDir(orgId, environmentId) + "index/" + checkPackId(packId) + ".json.enc";
    }

    /** The prefix every pack index of the environment lives under. */
    public static String packIndexDir(UUID orgId, UUID environmentId) {
        return blobsDir(orgId, environmentId) + "index/";
    }

    /** The prefix every capture object of the environment lives under (continuous filestore capture). */
    public static String capturesDir(UUID orgId, UUID environmentId) {
        return blobsDir(orgId, environmentId) + "captures/";
    }

    /** {@code captures/<name>.index.enc}; the name is {@code <yyyyMMdd'T'HHmmss.SSS'Z'>-<8 hex>}. */
    public static String captureKey(UUID orgId, UUID environmentId, String name) {
        return capturesDir(orgId, environmentId) + checkCaptureName(name) + CAPTURE_SUFFIX;
    }

    public static final String CAPTURE_SUFFIX = ".index.enc";
    private static final Pattern CAPTURE_NAME = Pattern.compile("[0-9]{8}T[0-9]{6}\\.[0-9]{3}Z-[0-9a-f]{8}");
    private static final java.time.format.DateTimeFormatter CAPTURE_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    /** A new capture's name: its time (UTC, milliseconds) and 8 random hex characters. */
    public static String newCaptureName(java.time.Instant capturedAt) {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return CAPTURE_TIME.format(capturedAt) + "-" + HexFormat.of().formatHex(b);
    }

    public static boolean isCaptureName(String name) {
        return name != null && CAPTURE_NAME.matcher(name).matches();
    }

    public static String checkCaptureName(String name) {
        if (!isCaptureName(name)) {
            throw new IllegalArgumentException("Not a capture name: " + name);
        }
        return name;
    }

    /** The time a capture's name carries. */
    public static java.time.Instant captureTime(String name) {
        return java.time.Instant.from(CAPTURE_TIME.parse(checkCaptureName(name).substring(0, 20)));
    }

    public static String newPackId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public static String checkPackId(String packId) {
        if (packId == null || !PACK_ID.matcher(packId).matches()) {
            throw new IllegalArgumentException("Not a pack id: " + packId);
        }
        return packId;
    }

    public static boolean isBlobId(String id) {
        return id != null && BLOB_ID.matcher(id).matches();
    }
}
