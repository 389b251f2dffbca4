package io.ocore.backups.platform.storage.sftp;

import io.ocore.backups.platform.storage.ConfigError;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/** Loads private keys: RSA, ECDSA, Ed25519, in OpenSSH or PEM (PKCS#1/SEC1/PKCS#8) form, with passphrase. */
final class SftpKeys {

    private static final NamedResource RESOURCE = NamedResource.ofName("privateKey");

    private SftpKeys() {
    }

    static List<KeyPair> load(String privateKey, String passphrase) throws Exception {
        String text = privateKey.replace("\\n", "\n").strip() + "\n";
        FilePasswordProvider passwords = passphrase == null ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(passphrase);
        List<KeyPair> keys = new ArrayList<>();
        Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, RESOURCE,
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), passwords);
        if (loaded != null) {
            loaded.forEach(keys::add);
        }
        return keys;
    }

    /** Why the key cannot be used, naming the field to fix; empty when it loads. */
    static Optional<ConfigError> problem(String privateKey, String passphrase) {
        if (!privateKey.contains("PRIVATE KEY-----")) {
            return Optional.of(new ConfigError("privateKey",
                    "must be a private key in OpenSSH or PEM form ('-----BEGIN ... PRIVATE KEY-----')"));
        }
        boolean encrypted = privateKey.contains("ENCRYPTED") || isEncryptedOpenSsh(privateKey);
        try {
            List<KeyPair> keys = load(privateKey, passphrase);
            if (keys.isEmpty()) {
                return Optional.of(new ConfigError("privateKey", "contains no key this client can use"));
            }
            return Optional.empty();
        } catch (Exception e) {
            if (encrypted) {
                return Optional.of(new ConfigError("passphrase", passphrase == null
                        ? "is required: the private key is encrypted" : "does not decrypt the private key"));
            }
            return Optional.of(new ConfigError("privateKey",
                    "could not be read (" + e.getClass().getSimpleName() + "); RSA, ECDSA and Ed25519 keys in "
                            + "OpenSSH or PEM form are supported"));
        }
    }

    private static boolean isEncryptedOpenSsh(String privateKey) {
        if (!privateKey.contains("BEGIN OPENSSH PRIVATE KEY")) {
            return false;
        }
        try {
            String body = privateKey.replaceAll("-----[^-]+-----", "").replaceAll("\\s", "").replace("\\n", "");
            byte[] raw = java.util.Base64.getDecoder().decode(body);
            // "openssh-key-v1\0" then the cipher name; "none" means not encrypted
            String head = new String(raw, 0, Math.min(raw.length, 40), StandardCharsets.ISO_8859_1);
            return !head.contains("none");
        } catch (RuntimeException e) {
            return false;
        }
    }
}
