package io.ocore.backups.platform.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.util.Map;
import java.util.Optional;

/** The key-encryption keys, from configuration (a Kubernetes Secret in production). */
@ConfigMapping(prefix = "ocore")
public interface MasterKeyConfig {

    /** Base64 of 32 random bytes: the active master key. */
    @WithName("master-key")
    Optional<String> masterKey();

    /** Id recorded next to every value the active key wraps; change it when rotating. */
    @WithName("master-key-id")
    @WithDefault("k1")
    String masterKeyId();

    /** Older master keys (id -> base64) kept readable during a rotation. */
    @WithName("previous-master-keys")
    Map<String, String> previousMasterKeys();
}
