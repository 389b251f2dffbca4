package io.ocore.backups.platform.security;

/**
 * What a service's {@code POST /internal/admin/rewrap} answers after re-wrapping what it stores
 * under the active master key.
 *
 * @param rewrapped         values moved to the active key by this call
 * @param remaining         values still wrapped by another key after this call (0: the previous
 *                          keys are no longer needed by this service)
 * @param failed            values this call could not re-wrap (unreadable, or their copy unreachable);
 *                          they are counted in {@code remaining} too
 * @param activeMasterKeyId the id of the key everything is wrapped with once {@code remaining} is 0
 */
public record RewrapReport(int rewrapped, int remaining, int failed, String activeMasterKeyId) {

    public static RewrapReport none(String activeMasterKeyId) {
        return new RewrapReport(0, 0, 0, activeMasterKeyId);
    }

    public RewrapReport plus(RewrapReport other) {
        return new RewrapReport(rewrapped + other.rewrapped, remaining + other.remaining, failed + other.failed,
                activeMasterKeyId);
    }
}
