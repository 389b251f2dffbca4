package io.ocore.backups.platform.backupformat;

import com.google.crypto.tink.StreamingAead;
import io.ocore.backups.platform.security.EnvelopeCipher;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
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

    private static final ObjectMapper TREE = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * A manifest after {@link #rewrapManifest}: its bytes, and how many components' keys moved (the
     * blob-store key of a format 2 manifest counts as one more).
     */
    public record RewrappedManifest(byte[] json, int rewrappedComponents) {
        public boolean changed() {
            return rewrappedComponents > 0;
        }
    }

    /**
     * Re-wraps the data key recorded in {@code manifestJson} under the cipher's active master key
     * (after a master-key rotation). Only {@code masterKeyId} and {@code wrappedKey} change; every
     * other field, known to this reader or not, is kept as it is. The components and their
     * checksums are untouched: the data key itself does not change. Answers the input unchanged
     * when the active key already wraps every component's key.
     */
    public static RewrappedManifest rewrapManifest(EnvelopeCipher cipher, byte[] manifestJson) {
        BackupManifest manifest = BackupManifest.fromJson(manifestJson);
        ObjectNode tree;
        try {
            tree = (ObjectNode) TREE.readTree(manifestJson);
        } catch (IOException | ClassCastException e) {
            throw new IllegalArgumentException("Not a backup manifest: " + e.getMessage(), e);
        }
        String context = keyContext(manifest.backupId());
        Map<String, String> done = new HashMap<>(); // one data key per backup: re-wrap it once
        int changed = 0;
        for (JsonNode component : tree.withArray("components")) {
            JsonNode enc = component.get("encryption");
            if (enc == null || !enc.isObject()) {
                continue;
            }
            String keyId = enc.path("masterKeyId").asText(null);
            String wrapped = enc.path("wrappedKey").asText(null);
            if (keyId == null || wrapped == null || keyId.equals(cipher.activeKeyId())) {
                continue;
            }
            if (!BackupManifest.ENCRYPTION_SCHEME.equals(enc.path("scheme").asText(null))) {
                throw new IllegalArgumentException("Unknown encryption scheme " + enc.path("scheme").asText());
            }
            String rewrapped = done.computeIfAbsent(keyId + ":" + wrapped,
                    k -> cipher.rewrapStreamingKey(keyId, wrapped, context));
            ((ObjectNode) enc).put("masterKeyId", cipher.activeKeyId());
            ((ObjectNode) enc).put("wrappedKey", rewrapped);
            changed++;
        }
        // The blob-store key (format 2) is sealed by the master key too: re-sealed under the active one.
        JsonNode blobStore = tree.get("blobStore");
        if (blobStore instanceof ObjectNode bs && bs.path("sealedKey").isTextual()
                && cipher.needsRewrap(bs.path("sealedKey").asText())) {
            bs.put("sealedKey", cipher.rewrap(bs.path("sealedKey").asText(),
                    io.ocore.backups.platform.backupformat.blobs.BlobKeys.context(manifest.environmentId())));
            changed++;
        }
        if (changed == 0) {
            return new RewrappedManifest(manifestJson, 0);
        }
        byte[] json;
        try {
            json = TREE.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // the new form must open with the active key before anyone stores it
        BackupManifest check = BackupManifest.fromJson(json);
        for (BackupManifest.Component c : check.components()) {
            if (!cipher.activeKeyId().equals(c.encryption().masterKeyId())) {
                throw new IllegalStateException("Component " + c.name() + " is still wrapped by another key");
            }
            open(cipher, check, c);
        }
        return new RewrappedManifest(json, changed);
    }

    /** Whether a component of {@code manifest} has its data key wrapped by a key other than the active one. */
    public static boolean needsRewrap(EnvelopeCipher cipher, BackupManifest manifest) {
        return manifest.components().stream().anyMatch(c -> c.encryption() != null
                && !cipher.activeKeyId().equals(c.encryption().masterKeyId()))
                || manifest.blobStore() != null && manifest.blobStore().sealedKey() != null
                        && cipher.needsRewrap(manifest.blobStore().sealedKey());
    }
}
