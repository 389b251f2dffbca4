package io.ocore.backups.platform.storage.sftp;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.ConfigError;
import io.ocore.backups.platform.storage.ConfigReader;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.StorageDriver;
import io.ocore.backups.platform.storage.StorageOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;

public final class SftpDriver implements StorageDriver {

    @Override
    public Set<DestinationType> types() {
        return Set.of(DestinationType.sftp);
    }

    @Override
    public List<ConfigError> validate(DestinationType type, Map<String, Object> config, StorageOptions options) {
        ConfigReader r = new ConfigReader(config);
        SftpConfig.parse(r, options, true);
        return r.errors();
    }

    @Override
    public BackupStorage open(DestinationType type, Map<String, Object> config, StorageOptions options) {
        return new SftpStorage(SftpConfig.parse(config, options), options);
    }

    @Override
    public Map<String, String> location(DestinationType type, Map<String, Object> config) {
        return SftpConfig.location(config);
    }

    /** Pinning a host key where none was pinned narrows who may answer: only changing or removing one counts. */
    @Override
    public List<String> relocated(DestinationType type, Map<String, Object> before, Map<String, Object> after) {
        boolean pinnedBefore = SftpConfig.location(before).get("hostKeyFingerprint") != null;
        return StorageDriver.super.relocated(type, before, after).stream()
                .filter(f -> pinnedBefore || !f.equals("hostKeyFingerprint")).toList();
    }
}
