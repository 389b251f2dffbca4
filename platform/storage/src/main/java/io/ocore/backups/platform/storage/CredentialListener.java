package io.ocore.backups.platform.storage;

/**
 * Told when a provider rotates a secret (Microsoft may return a new refresh token with every access
 * token), so the service can store the new value encrypted. Called from the driver's thread; must
 * not throw and must not log the value.
 */
@FunctionalInterface
public interface CredentialListener {

    CredentialListener NONE = (field, value) -> { };

    /** {@code field} is the config field name, e.g. {@code refreshToken}. */
    void secretRotated(String field, String newValue);
}
