package io.ocore.backups.platform.security;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the one {@link EnvelopeCipher} of a service from {@link MasterKeyConfig}. */
@ApplicationScoped
public class CipherProducer {

    @Produces
    @ApplicationScoped
    @DefaultBean
    EnvelopeCipher cipher(MasterKeyConfig config) {
        String active = config.masterKey().orElseThrow(() -> new IllegalStateException(
                "No master key configured: set OCORE_MASTER_KEY to base64 of 32 random bytes"));
        Map<String, String> keys = new LinkedHashMap<>(config.previousMasterKeys());
        keys.put(config.masterKeyId(), active);
        return new EnvelopeCipher(config.masterKeyId(), keys);
    }
}
