package io.ocore.backups.platform.security;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import com.google.crypto.tink.subtle.AesGcmJce;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Envelope encryption: every secret (or backup) gets its own data key, which is wrapped with an
 * AES-256-GCM master key (the key-encryption key) from configuration. Rotation: new writes
 * use the active master key; values wrapped by an older key stay readable as long as that key
 * is configured as a previous key, and {@link #rewrap} moves them to the active one.
 *
 * <p>Sealed form: {@code v1:<masterKeyId>:<base64 wrapped data keyset>:<base64 ciphertext>}.
 */
public final class EnvelopeCipher {

    private static final String VERSION = "v1";

    static {
        try {
            AeadConfig.register();
            StreamingAeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink could not register its primitives", e);
        }
    }

    private final String activeKeyId;
    private final Map<String, Aead> masterKeys;

    /**
     * @param activeKeyId id of the master key new writes use
     * @param masterKeys  id -> base64 of 32 random bytes; must contain the active key
     */
    public EnvelopeCipher(String activeKeyId, Map<String, String> masterKeys) {
        Objects.requireNonNull(activeKeyId, "activeKeyId");
        Map<String, Aead> keys = new LinkedHashMap<>();
        masterKeys.forEach((id, b64) -> keys.put(id, kek(id, b64)));
        if (!keys.containsKey(activeKeyId)) {
            throw new IllegalArgumentException("The active master key '" + activeKeyId + "' is not configured");
        }
        this.activeKeyId = activeKeyId;
        this.masterKeys = Map.copyOf(keys);
    }

    public String activeKeyId() {
        return activeKeyId;
    }

    /** Encrypts {@code plaintext}, binding it to {@code context} (e.g. the owning row's id). */
    public String seal(byte[] plaintext, String context) {
        try {
            KeysetHandle dataKey = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            Aead aead = dataKey.getPrimitive(RegistryConfiguration.get(), Aead.class);
            byte[] ad = ad(context);
            byte[] wrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(dataKey, masterKeys.get(activeKeyId), ad);
            byte[] ciphertext = aead.encrypt(plaintext, ad);
            Base64.Encoder b64 = Base64.getEncoder();
            return VERSION + ":" + activeKeyId + ":" + b64.encodeToString(wrapped) + ":" + b64.encodeToString(ciphertext);
        } catch (GeneralSecurityException e) {
            throw new CipherException("Encryption failed", e);
        }
    }

    public String seal(String plaintext, String context) {
        return seal(plaintext.getBytes(StandardCharsets.UTF_8), context);
    }

    /** Decrypts a value made by {@link #seal}; fails if it was tampered with or bound to another context. */
    public byte[] open(String sealed, String context) {
        String[] parts = sealed.split(":");
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            throw new CipherException("Not a sealed value of a known version", null);
        }
        Aead kek = masterKeys.get(parts[1]);
        if (kek == null) {
            throw new CipherException("Sealed with master key '" + parts[1] + "', which is not configured", null);
        }
        try {
            Base64.Decoder b64 = Base64.getDecoder();
            byte[] ad = ad(context);
            KeysetHandle dataKey = TinkProtoKeysetFormat.parseEncryptedKeyset(b64.decode(parts[2]), kek, ad);
            return dataKey.getPrimitive(RegistryConfiguration.get(), Aead.class).decrypt(b64.decode(parts[3]), ad);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new CipherException("Decryption failed (wrong master key, wrong context or tampered value)", e);
        }
    }

    public String openString(String sealed, String context) {
        return new String(open(sealed, context), StandardCharsets.UTF_8);
    }

    /** True when {@code sealed} was wrapped by an older master key and should be re-wrapped. */
    public boolean needsRewrap(String sealed) {
        String[] parts = sealed.split(":", 3);
        return parts.length < 2 || !activeKeyId.equals(parts[1]);
    }

    /**
     * Re-seals a value under the active master key. The new form is opened again before it is
     * returned, so a caller that stores it never replaces a readable value by an unreadable one.
     */
    public String rewrap(String sealed, String context) {
        if (!needsRewrap(sealed)) {
            return sealed;
        }
        byte[] plain = open(sealed, context);
        String resealed = seal(plain, context);
        if (!java.util.Arrays.equals(plain, open(resealed, context))) {
            throw new CipherException("The re-wrapped value does not open to the original", null);
        }
        return resealed;
    }

    /** The id of the master key that wrapped {@code sealed}, or null when it is not a sealed value. */
    public static String keyIdOf(String sealed) {
        if (sealed == null) {
            return null;
        }
        String[] parts = sealed.split(":", 3);
        return parts.length == 3 && VERSION.equals(parts[0]) ? parts[1] : null;
    }

    /** Whether the master key {@code id} is configured (active or previous). */
    public boolean hasKey(String id) {
        return masterKeys.containsKey(id);
    }

    /**
     * Re-wraps a streaming data key (as recorded in a backup manifest) under the active master
     * key; answers its new wrapped form, or {@code wrappedBase64} itself when the active key
     * already wraps it. The new form is unwrapped again and compared before it is returned.
     */
    public String rewrapStreamingKey(String masterKeyId, String wrappedBase64, String context) {
        if (activeKeyId.equals(masterKeyId)) {
            return wrappedBase64;
        }
        Aead kek = masterKeys.get(masterKeyId);
        if (kek == null) {
            throw new CipherException("Wrapped with master key '" + masterKeyId + "', which is not configured", null);
        }
        try {
            Base64.Decoder b64 = Base64.getDecoder();
            byte[] ad = ad(context);
            KeysetHandle handle = TinkProtoKeysetFormat.parseEncryptedKeyset(b64.decode(wrappedBase64), kek, ad);
            byte[] rewrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(handle, masterKeys.get(activeKeyId), ad);
            KeysetHandle check = TinkProtoKeysetFormat.parseEncryptedKeyset(rewrapped, masterKeys.get(activeKeyId), ad);
            if (!java.util.Arrays.equals(
                    TinkProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get()),
                    TinkProtoKeysetFormat.serializeKeyset(check, InsecureSecretKeyAccess.get()))) {
                throw new CipherException("The re-wrapped data key does not unwrap to the original", null);
            }
            return Base64.getEncoder().encodeToString(rewrapped);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new CipherException("Could not re-wrap the data key", e);
        }
    }

    /** A fresh streaming data key for one backup: the primitive and its wrapped, storable form. */
    public StreamingKey newStreamingKey(String context) {
        try {
            KeysetHandle handle = KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB);
            byte[] wrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(handle, masterKeys.get(activeKeyId), ad(context));
            return new StreamingKey(handle.getPrimitive(RegistryConfiguration.get(), StreamingAead.class),
                    activeKeyId, Base64.getEncoder().encodeToString(wrapped));
        } catch (GeneralSecurityException e) {
            throw new CipherException("Could not create a data key", e);
        }
    }

    /** Unwraps a streaming data key recorded in a backup manifest. */
    public StreamingAead openStreamingKey(String masterKeyId, String wrappedBase64, String context) {
        Aead kek = masterKeys.get(masterKeyId);
        if (kek == null) {
            throw new CipherException("Wrapped with master key '" + masterKeyId + "', which is not configured", null);
        }
        try {
            KeysetHandle handle = TinkProtoKeysetFormat.parseEncryptedKeyset(
                    Base64.getDecoder().decode(wrappedBase64), kek, ad(context));
            return handle.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new CipherException("Could not unwrap the data key", e);
        }
    }

    /** A per-backup streaming key. {@code wrappedKey} goes into the manifest; the primitive never leaves memory. */
    public record StreamingKey(StreamingAead aead, String masterKeyId, String wrappedKey) {
    }

    private static Aead kek(String id, String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Master key '" + id + "' is not valid base64");
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException("Master key '" + id + "' must be 32 bytes (AES-256), it has " + raw.length);
        }
        try {
            return new AesGcmJce(raw);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Master key '" + id + "' is unusable");
        }
    }

    private static byte[] ad(String context) {
        return ("ocore:" + (context == null ? "" : context)).getBytes(StandardCharsets.UTF_8);
    }

    /** A failure to seal or open; its message never contains key material or plaintext. */
    public static final class CipherException extends RuntimeException {
        public CipherException(String message, Throwable cause) {
            super(message, cause);
        }
    }

}
