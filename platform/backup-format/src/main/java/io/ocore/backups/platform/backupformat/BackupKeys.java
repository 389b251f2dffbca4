package io.ocore.backups.platform.backupformat;

import com.google.crypto.tink.StreamingAead;
import io.ocore.backups.platform.security.EnvelopeCipher;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The key conventions of the format: one streaming data key per backup, wrapped by the master
 * key with context {@code backup:<backupId>}; each component's ciphertext bound to
 * {@code <backupId>/<component>} as associated data, so components cannot be swapped between
 * backups or between names.
 */
public final class BackupKeys {

    private BackupKeys() {
    }

    public static String keyContext(UUID backupId) {
        return "backup:" + backupId;
    }

    public static byte[] associatedData(UUID backupId, ComponentName component) {
        return (backupId + "/" + component.name()).getBytes(StandardCharsets.UTF_8);
    }

    /** A fresh data key for a new backup. */
    public static EnvelopeCipher.StreamingKey newKey(EnvelopeCipher cipher, UUID backupId) {
        return cipher.newStreamingKey(keyContext(backupId));
    }

    /** The data key of a component recorded in a manifest. */
    public static StreamingAead open(EnvelopeCipher cipher, BackupManifest manifest, BackupManifest.Component c) {
        if (!BackupManifest.ENCRYPTION_SCHEME.equals(c.encryption().scheme())) {
            throw new IllegalArgumentException("Unknown encryption scheme " + c.encryption().scheme());
        }
        return cipher.openStreamingKey(c.encryption().masterKeyId(), c.encryption().wrappedKey(),
                keyContext(manifest.backupId()));
    }
}
