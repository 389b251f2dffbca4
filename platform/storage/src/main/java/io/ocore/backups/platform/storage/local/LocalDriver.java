package io.ocore.backups.platform.storage.local;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.ConfigError;
import io.ocore.backups.platform.storage.ConfigReader;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.StorageDriver;
import io.ocore.backups.platform.storage.StorageOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;

public final class LocalDriver implements StorageDriver {

    @Override
    public Set<DestinationType> types() {
        return Set.of(DestinationType.local);
    }

    @Override
    public List<ConfigError> validate(DestinationType type, Map<String, Object> config, StorageOptions options) {
        ConfigReader r = new ConfigReader(config);
        LocalConfig.parse(r, options);
        return r.errors();
    }

    @Override
    public BackupStorage open(DestinationType type, Map<String, Object> config, StorageOptions options) {
        return new LocalStorage(LocalConfig.parse(config, options));
    }

    /** A folder on this server's disk: no secret to send anywhere. */
    @Override
    public Map<String, String> location(DestinationType type, Map<String, Object> config) {
        return Map.of();
    }
}
