package io.ocore.backups.destination.destination;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.storage.StorageFactory;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps destination secrets out of the database in plaintext: a config is split into its plain
 * fields and its secret fields ({@link StorageFactory#SECRET_FIELDS}); the secret ones are sealed
 * together with the {@link EnvelopeCipher}, bound to the destination id, so a sealed value copied
 * onto another row does not open. Responses show secrets as {@link #MASK}.
 */
@ApplicationScoped
public class DestinationCredentials {

    /** What a response shows instead of a secret, and what a PUT may send back to keep it. */
    public static final String MASK = "********";

    private static final TypeReference<Map<String, String>> SECRETS = new TypeReference<>() {
    };

    private final EnvelopeCipher cipher;
    private final ObjectMapper mapper = new ObjectMapper();

    public DestinationCredentials(EnvelopeCipher cipher) {
        this.cipher = cipher;
    }

    public static boolean isSecret(String field) {
        return StorageFactory.SECRET_FIELDS.contains(field);
    }

    /** Stores {@code config} on {@code d}: plain fields as they are, secret fields sealed. */
    public void store(Destination d, Map<String, Object> config) {
        Map<String, Object> plain = new TreeMap<>();
        Map<String, String> secrets = new TreeMap<>();
        config.forEach((k, v) -> {
            if (v == null) {
                return;
            }
            if (isSecret(k)) {
                secrets.put(k, v.toString());
            } else {
                plain.put(k, v);
            }
        });
        d.config = plain;
        sealSecrets(d, secrets);
    }

    /** Replaces the sealed secrets of {@code d}. */
    public void sealSecrets(Destination d, Map<String, String> secrets) {
        d.secretFields = new TreeMap<>(secrets).keySet().toArray(String[]::new);
        if (secrets.isEmpty()) {
            d.secretsSealed = null;
            return;
        }
        try {
            d.secretsSealed = cipher.seal(mapper.writeValueAsString(new TreeMap<>(secrets)), d.id.toString());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Secrets could not be serialised", e);
        }
    }

    /**
     * The secrets of {@code d}, decrypted. When they were sealed by an older master key they are
     * re-sealed under the active one on the entity, so call it inside a transaction to persist that.
     */
    public Map<String, String> openSecrets(Destination d) {
        if (d.secretsSealed == null) {
            return new TreeMap<>();
        }
        String json = cipher.openString(d.secretsSealed, d.id.toString());
        if (cipher.needsRewrap(d.secretsSealed)) {
            d.secretsSealed = cipher.rewrap(d.secretsSealed, d.id.toString());
        }
        try {
            return new TreeMap<>(mapper.readValue(json, SECRETS));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Sealed secrets of destination " + d.id + " are not a JSON object", e);
        }
    }

    /** The full, decrypted config (re-wrapping lazily, see {@link #openSecrets}). */
    public Map<String, Object> fullConfig(Destination d) {
        Map<String, Object> full = new LinkedHashMap<>(d.config);
        full.putAll(openSecrets(d));
        return full;
    }

    /** The config as responses show it: every set secret as {@link #MASK}. */
    public static Map<String, Object> masked(Destination d) {
        Map<String, Object> shown = new TreeMap<>(d.config);
        for (String f : d.secretFields) {
            shown.put(f, MASK);
        }
        return shown;
    }

    /** Re-seals the secrets of {@code d} under the active master key, if an older one sealed them. */
    public boolean rewrap(Destination d) {
        if (!needsRewrap(d)) {
            return false;
        }
        d.secretsSealed = cipher.rewrap(d.secretsSealed, d.id.toString());
        return true;
    }

    public boolean needsRewrap(Destination d) {
        return d.secretsSealed != null && cipher.needsRewrap(d.secretsSealed);
    }

    public String activeKeyId() {
        return cipher.activeKeyId();
    }

    /** Replaces every secret value found in {@code text} by the mask: a last guard for messages we pass on. */
    public static String scrub(String text, Map<String, ?> config) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (Map.Entry<String, ?> e : config.entrySet()) {
            if (isSecret(e.getKey()) && e.getValue() != null && e.getValue().toString().length() >= 4) {
                out = out.replace(e.getValue().toString(), MASK);
            }
        }
        return out;
    }
}
