package io.ocore.backups.platform.security.service;

import java.util.Base64;
import java.util.Optional;
import org.jose4j.keys.HmacKey;

/** The HMAC key shared by the services ({@code ocore.service-signing-key}, base64 of at least 32 bytes). */
public final class ServiceSigningKey {

    public static final String PROPERTY = "ocore.service-signing-key";
    static final int MIN_BYTES = 32;

    private final HmacKey key;

    private ServiceSigningKey(HmacKey key) {
        this.key = key;
    }

    /** Parses the configured value; a value that is not base64 of >= 32 bytes is a startup error, not a weak key. */
    public static Optional<ServiceSigningKey> of(Optional<String> base64) {
        String value = base64.map(String::trim).orElse("");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(PROPERTY + " (OCORE_SERVICE_SIGNING_KEY) is not base64");
        }
        if (bytes.length < MIN_BYTES) {
            throw new IllegalStateException(PROPERTY + " (OCORE_SERVICE_SIGNING_KEY) must be base64 of at least "
                    + MIN_BYTES + " random bytes");
        }
        return Optional.of(new ServiceSigningKey(new HmacKey(bytes)));
    }

    HmacKey hmac() {
        return key;
    }

    @Override
    public String toString() {
        return "ServiceSigningKey[****]";
    }
}
