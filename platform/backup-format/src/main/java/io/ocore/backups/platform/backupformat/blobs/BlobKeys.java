package io.ocore.backups.platform.backupformat.blobs;

import com.google.crypto.tink.subtle.AesGcmJce;
import io.ocore.backups.platform.security.EnvelopeCipher;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An environment's blob-store key (ADR 0015): 64 bytes, the AES-256-GCM content key then the
 * HMAC-SHA256 name key. Kept only sealed by the master key with context
 * {@code blobstore:<environmentId>}. Thread-safe.
 */
public final class BlobKeys {

    public static final int KEY_BYTES = 64;
    /** nonce (12) + tag (16): what encryption adds to a blob's plaintext. */
    public static final int OVERHEAD = 28;

    private final byte[] nameKey;
    private final AesGcmJce content;

    private BlobKeys(byte[] material) {
        if (material.length != KEY_BYTES) {
            throw new IllegalArgumentException("A blob-store key is " + KEY_BYTES + " bytes, not " + material.length);
        }
        try {
            this.content = new AesGcmJce(Arrays.copyOfRange(material, 0, 32));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available", e);
        }
        this.nameKey = Arrays.copyOfRange(material, 32, 64);
    }

    /** The seal context of an environment's blob-store key. */
    public static String context(UUID environmentId) {
        return "blobstore:" + environmentId;
    }

    /** A new random key; returns it sealed (store that), open it with {@link #unseal}. */
    public static String generateSealed(EnvelopeCipher cipher, UUID environmentId) {
        byte[] material = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(material);
        try {
            return cipher.seal(material, context(environmentId));
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    public static BlobKeys unseal(EnvelopeCipher cipher, UUID environmentId, String sealed) {
        byte[] material = cipher.open(sealed, context(environmentId));
        try {
            return new BlobKeys(material);
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    /** For tests and tools that hold the raw 64 bytes. */
    public static BlobKeys of(byte[] material) {
        return new BlobKeys(material.clone());
    }

    /** The blob id of a chunk: lowercase hex HMAC-SHA256 with the name key. */
    public String blobId(byte[] chunk, int off, int len) {
        Mac mac = mac();
        mac.update(chunk, off, len);
        return HexFormat.of().formatHex(mac.doFinal());
    }

    /** A fresh HMAC-SHA256 keyed with the name key (for hashing a chunk in pieces). */
    public Mac mac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(nameKey, "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** {@code nonce || ciphertext || tag} of {@code plaintext} (codec byte and payload) for blob {@code blobId}. */
    public byte[] encryptBlob(String blobId, byte[] plaintext) {
        return encrypt(plaintext, blobAd(blobId));
    }

    public byte[] decryptBlob(String blobId, byte[] stored) throws GeneralSecurityException {
        return content.decrypt(stored, blobAd(blobId));
    }

    public byte[] encryptPackIndex(String packId, byte[] json) {
        return encrypt(json, packIndexAd(packId));
    }

    public byte[] decryptPackIndex(String packId, byte[] stored) throws GeneralSecurityException {
        return content.decrypt(stored, packIndexAd(packId));
    }

    /** A capture object's plaintext, for the capture named {@code name} (associated data {@code ocore:capture:<name>}). */
    public byte[] encryptCapture(String name, byte[] json) {
        return encrypt(json, captureAd(name));
    }

    public byte[] decryptCapture(String name, byte[] stored) throws GeneralSecurityException {
        return content.decrypt(stored, captureAd(name));
    }

    private byte[] encrypt(byte[] plaintext, byte[] ad) {
        try {
            return content.encrypt(plaintext, ad);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM encryption failed", e);
        }
    }

    static byte[] blobAd(String blobId) {
        return ("ocore:blob:" + blobId).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] captureAd(String name) {
        return ("ocore:capture:" + name).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] packIndexAd(String packId) {
        return ("ocore:pack-index:" + packId).getBytes(StandardCharsets.UTF_8);
    }
}
