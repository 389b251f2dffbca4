package io.ocore.backups.platform.storage;

import java.util.Map;

/**
 * Outcome of {@link BackupStorage#probe()}.
 *
 * @param ok the probe object was written, read back identical and deleted
 * @param latencyMs wall time of the whole probe
 * @param failureKind why it failed, {@code null} when ok
 * @param message plain words for the user, never a secret; {@code null} when ok
 * @param learnedConfig config values the driver observed and the service may store, e.g. the SFTP
 *     server's {@code hostKeyFingerprint} to pin on the first successful test
 */
public record ProbeResult(boolean ok, long latencyMs, StorageException.Kind failureKind, String message,
        Map<String, String> learnedConfig) {

    public ProbeResult {
        learnedConfig = learnedConfig == null ? Map.of() : Map.copyOf(learnedConfig);
    }

    public static ProbeResult ok(long latencyMs, Map<String, String> learnedConfig) {
        return new ProbeResult(true, latencyMs, null, null, learnedConfig);
    }

    public static ProbeResult failed(long latencyMs, StorageException e, Map<String, String> learnedConfig) {
        return new ProbeResult(false, latencyMs, e.kind(), e.getMessage(), learnedConfig);
    }
}
